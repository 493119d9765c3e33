"""View helpers every app's UI shares (no permission logic: that is `accounts.scoping`'s)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def bound_args(request: HttpRequest, *, files: bool = False) -> tuple:
    """Form arguments: the POSTed data (bound even when empty, so required fields complain) or none."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def error_text(exc: ValidationError) -> str:
    """A service's ValidationError as one line for a flash message ("field: message; ...")."""
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v) for k, v in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    """The page of `items` named by `?page=` (the last page when it is past the end, the first
    when it is not a number), as every list page shows it."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
