import django_filters

from apps.regions.models import Region, RegionLevel


class RegionFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="code")
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    parent = django_filters.CharFilter(field_name="parent__code", label="parent region code")
    within = django_filters.CharFilter(method="filter_within", label="subtree of this region code")

    class Meta:
        model = Region
        fields = ["code", "level", "parent", "within"]

    def filter_within(self, queryset, name, value):
        from apps.regions.selectors import by_code

        root = by_code(value)
        return queryset.filter(path__startswith=root.path) if root else queryset.none()
