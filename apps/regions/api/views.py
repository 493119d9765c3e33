from django.db.models import Count

from apps.accounts.api.base import ScopedReadOnlyViewSet
from apps.accounts.scoping import Action
from apps.regions.models import Region

from .filters import RegionFilter
from .serializers import RegionSerializer


class RegionViewSet(ScopedReadOnlyViewSet):
    """GB/T 2260 regions with their place in the tree (filter by `level`, `parent`, `code`, `within`)."""

    queryset = (
        Region.objects.select_related("parent").annotate(children_count=Count("children")).order_by("path")
    )
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    search_fields = ["name", "code"]
    ordering_fields = ["code", "path", "name"]
    region_field = "pk"
    read_action = Action.READ_REFERENCE
