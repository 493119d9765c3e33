from django.utils.functional import SimpleLazyObject

from .navigation import items_for, menu_html


def navigation(request):
    items = items_for(request.user)
    return {
        "nav_items": items,
        "nav_menu": SimpleLazyObject(lambda: menu_html(items, request.path)),
    }
