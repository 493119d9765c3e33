from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action, regions_for
from apps.core.views import paginate

from . import selectors
from .models import Region, RegionLevel


@action_required(Action.READ_REFERENCE)
def region_list(request):
    regions = regions_for(request.user, Action.READ_REFERENCE).select_related("parent")
    level = request.GET.get("level", "")
    parent = request.GET.get("parent", "")
    q = request.GET.get("q", "").strip()
    if level in RegionLevel.values:
        regions = regions.filter(level=level)
    if parent:
        root = selectors.by_code(parent)
        regions = regions.filter(path__startswith=root.path) if root else regions.none()
    if q:
        regions = regions.filter(Q(name__contains=q) | Q(code__startswith=q))
    regions = regions.annotate(children_count=Count("children")).order_by("path")
    page = paginate(request, regions, 50)
    cities = Region.objects.filter(level=RegionLevel.CITY, path__startswith="360000/")
    return render(
        request,
        "regions/list.html",
        {
            "page": page,
            "levels": RegionLevel.choices,
            "cities": cities,
            "level": level,
            "parent": parent,
            "q": q,
        },
    )


@action_required(Action.READ_REFERENCE)
def region_detail(request, level: str, code: str):
    region = get_object_or_404(regions_for(request.user, Action.READ_REFERENCE), code=code, level=level)
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "ancestors": selectors.ancestors(region),
            "children": selectors.children(region).annotate(children_count=Count("children")),
            "departments": region.departments.order_by("role", "kind"),
        },
    )
