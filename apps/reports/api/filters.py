import django_filters
from django.db.models import Exists, OuterRef

from apps.regions.selectors import by_code
from apps.reports.models import Report, ReportStatus, ReportValue
from apps.reports.selectors import in_force_reports


def _within(queryset, field: str, code: str):
    root = by_code(code)
    return queryset.filter(**{f"{field}__path__startswith": root.path}) if root else queryset.none()


class ReportFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", label="region code")
    city = django_filters.CharFilter(method="filter_city", label="city code (the city and its counties)")
    year = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    in_force = django_filters.BooleanFilter(method="filter_in_force", label="approved revision in force")

    class Meta:
        model = Report
        fields = ["region", "city", "year", "status", "in_force"]

    def filter_city(self, queryset, name, value):
        return _within(queryset, "region", value)

    def filter_in_force(self, queryset, name, value):
        current = in_force_reports().filter(pk=OuterRef("pk"))
        return queryset.filter(Exists(current)) if value else queryset.exclude(Exists(current))


class ReportValueFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="report__region__code", label="region code")
    city = django_filters.CharFilter(method="filter_city", label="city code (the city and its counties)")
    year = django_filters.NumberFilter(field_name="report__year")
    year_from = django_filters.NumberFilter(field_name="report__year", lookup_expr="gte")
    year_to = django_filters.NumberFilter(field_name="report__year", lookup_expr="lte")
    indicator = django_filters.CharFilter(field_name="indicator__code")
    status = django_filters.ChoiceFilter(field_name="report__status", choices=ReportStatus.choices)
    report = django_filters.NumberFilter(field_name="report_id")
    in_force = django_filters.BooleanFilter(
        method="filter_in_force", label="values of the approved reports in force"
    )

    class Meta:
        model = ReportValue
        fields = [
            "region",
            "city",
            "year",
            "year_from",
            "year_to",
            "indicator",
            "status",
            "report",
            "in_force",
        ]

    def filter_city(self, queryset, name, value):
        return _within(queryset, "report__region", value)

    def filter_in_force(self, queryset, name, value):
        ids = in_force_reports().values("pk")
        return queryset.filter(report__in=ids) if value else queryset.exclude(report__in=ids)
