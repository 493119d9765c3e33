import django_filters

from apps.regions.selectors import by_code
from apps.targets.models import RegionTarget, TargetMetric


class RegionTargetFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", label="region code")
    within = django_filters.CharFilter(method="filter_within", label="subtree of this region code")
    period = django_filters.CharFilter(field_name="period__code", label="period code, e.g. 2021-2025")
    metric = django_filters.ChoiceFilter(choices=TargetMetric.choices, label="metric")
    year = django_filters.NumberFilter()

    class Meta:
        model = RegionTarget
        fields = ["region", "within", "period", "metric", "year"]

    def filter_within(self, queryset, name, value):
        root = by_code(value)
        return queryset.filter(region__path__startswith=root.path) if root else queryset.none()
