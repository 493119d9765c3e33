import django_filters

from apps.accounts.api.base import ScopedReadOnlyViewSet
from apps.accounts.scoping import Action
from apps.organizations.models import Department, DepartmentRole, Sector

from .serializers import DepartmentSerializer, SectorSerializer


class DepartmentFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", label="region code")
    kind = django_filters.CharFilter()
    role = django_filters.ChoiceFilter(choices=DepartmentRole.choices)

    class Meta:
        model = Department
        fields = ["region", "kind", "role"]


class DepartmentViewSet(ScopedReadOnlyViewSet):
    """Departments of the decision at each region (filter by `region` code, `kind`, `role`)."""

    queryset = Department.objects.select_related("region").order_by("region__path", "kind")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    search_fields = ["name", "name_en"]
    read_action = Action.READ_REFERENCE


class SectorViewSet(ScopedReadOnlyViewSet):
    """The decision's key sectors and the kind of department that leads each."""

    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    pagination_class = None
    read_action = Action.READ_REFERENCE
