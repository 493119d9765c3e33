"""Filters of the completeness API: the reminder log by year, region code, kind and day."""

import django_filters

from apps.completeness.models import ReminderKind, ReminderLog


class ReminderLogFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code", label="region code")
    kind = django_filters.ChoiceFilter(choices=ReminderKind.choices)
    sent_on = django_filters.DateFilter()

    class Meta:
        model = ReminderLog
        fields = ["year", "region", "kind", "sent_on"]
