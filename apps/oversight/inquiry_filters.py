"""The filter of inquiry lists, shared by the list page, its Excel download and the API, so all
three answer the same question the same way. It only narrows querysets already scoped by
`inquiries.readable_inquiries`, so no filter can widen what a user sees."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.organizations.catalog import KIND_CHOICES
from apps.regions.selectors import by_code

from .inquiries import today
from .models import Inquiry, InquiryKind, InquiryStatus


class InquiryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=InquiryKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=InquiryStatus.choices, label=_("Status"))
    region = django_filters.CharFilter(method="filter_region", label=_("Congress (region code)"))
    within = django_filters.CharFilter(method="filter_within", label=_("Congresses within region (code)"))
    department = django_filters.NumberFilter(field_name="department_id", label=_("Department addressed (id)"))
    department_kind = django_filters.ChoiceFilter(
        field_name="department__kind", choices=KIND_CHOICES, label=_("Kind of department addressed")
    )
    government = django_filters.BooleanFilter(
        field_name="department", lookup_expr="isnull", label=_("Put to the government (not a department)")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Awaiting an answer past the deadline")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Subject or question contains"))

    class Meta:
        model = Inquiry
        fields: list = []

    def filter_region(self, queryset, name, value):
        region = by_code(value.strip())
        return queryset.filter(region=region) if region else queryset.none()

    def filter_within(self, queryset, name, value):
        region = by_code(value.strip())
        return queryset.filter(region__path__startswith=region.path) if region else queryset.none()

    def filter_overdue(self, queryset, name, value):
        late = Q(status=InquiryStatus.OPEN, deadline__lt=today())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(subject__icontains=value) | Q(question__icontains=value)) if value else queryset
        )
