"""Reads over the region tree shared by views, the API and other apps (one query each)."""

from django.db.models import QuerySet

from .models import Region, RegionLevel


def subtree(region: Region, *, include_self: bool = True) -> QuerySet[Region]:
    qs = Region.objects.filter(path__startswith=region.path)
    return qs if include_self else qs.exclude(pk=region.pk)


def ancestors(region: Region, *, include_self: bool = False) -> QuerySet[Region]:
    paths = region.ancestor_paths + ([region.path] if include_self else [])
    return Region.objects.filter(path__in=paths).order_by("path")


def children(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=region)


def provinces() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.PROVINCE)


def by_codes(codes) -> dict[str, Region]:
    """Map region codes to regions in one query.

    Where GB/T 2260 gives a prefecture and its only county-level unit the same code,
    the code names the higher level (the one that reports).
    """
    result: dict[str, Region] = {}
    for region in Region.objects.filter(code__in=set(codes)).order_by("-path"):
        result[region.code] = region  # shorter path (higher level) written last wins
    return result


def by_code(code: str) -> Region | None:
    return by_codes([code]).get(code)
