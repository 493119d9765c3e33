"""Filters shared by the list pages, their xlsx exports and the REST API, so that all three
answer the same question the same way. They only narrow querysets already scoped by
`selectors`, so no filter can widen what a user sees.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.organizations.catalog import KIND_CHOICES
from apps.organizations.models import Sector
from apps.regions.selectors import by_code

from . import selectors
from .models import Measure, MeasureStatus, PlanStatus, SectorPlan


def _region_exact(queryset, field: str, code: str):
    region = by_code(code.strip())
    return queryset.filter(**{field: region}) if region else queryset.none()


def _region_within(queryset, field: str, code: str):
    region = by_code(code.strip())
    return queryset.filter(**{f"{field}__path__startswith": region.path}) if region else queryset.none()


class SectorPlanFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))
    within = django_filters.CharFilter(method="filter_within", label=_("Within region (code)"))
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.all(), to_field_name="code", label=_("Sector")
    )
    department = django_filters.NumberFilter(field_name="lead_department_id", label=_("Lead department (id)"))
    department_kind = django_filters.ChoiceFilter(
        field_name="lead_department__kind", choices=KIND_CHOICES, label=_("Lead department kind")
    )
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("Status"))
    peak_year = django_filters.NumberFilter(label=_("Peak year"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Has overdue items"))
    q = django_filters.CharFilter(method="filter_q", label=_("Title contains"))

    class Meta:
        model = SectorPlan
        fields = [
            "region",
            "within",
            "sector",
            "department",
            "department_kind",
            "status",
            "peak_year",
            "overdue",
        ]

    def filter_region(self, queryset, name, value):
        return _region_exact(queryset, "region", value)

    def filter_within(self, queryset, name, value):
        return _region_within(queryset, "region", value)

    def filter_overdue(self, queryset, name, value):
        return selectors.plans_with_overdue(queryset, value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value.strip()) | Q(summary__icontains=value.strip()))


class MeasureFilter(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("Plan (id)"))
    region = django_filters.CharFilter(method="filter_region", label=_("Plan region code"))
    within = django_filters.CharFilter(method="filter_within", label=_("Plan within region (code)"))
    sector = django_filters.ModelChoiceFilter(
        field_name="plan__sector", queryset=Sector.objects.all(), to_field_name="code", label=_("Sector")
    )
    department = django_filters.NumberFilter(
        field_name="responsible_department_id", label=_("Responsible department (id)")
    )
    department_kind = django_filters.ChoiceFilter(
        field_name="responsible_department__kind",
        choices=KIND_CHOICES,
        label=_("Responsible department kind"),
    )
    status = django_filters.ChoiceFilter(choices=MeasureStatus.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    q = django_filters.CharFilter(method="filter_q", label=_("Title contains"))

    class Meta:
        model = Measure
        fields = ["plan", "region", "within", "sector", "department", "department_kind", "status", "overdue"]

    def filter_region(self, queryset, name, value):
        return _region_exact(queryset, "plan__region", value)

    def filter_within(self, queryset, name, value):
        return _region_within(queryset, "plan__region", value)

    def filter_overdue(self, queryset, name, value):
        """Overdue: the measure itself is past due and not done, or one of its milestones is."""
        return selectors.measures_with_overdue(queryset, value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value.strip()) | Q(description__icontains=value.strip()))
