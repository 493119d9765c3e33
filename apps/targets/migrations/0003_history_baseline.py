"""Give every seeded plan period a first history version (see indicators 0004)."""

from django.db import migrations
from django.utils import timezone

REASON = "Initial plan periods (methodology spec v1)"


def baseline(apps, schema_editor):
    model = apps.get_model("targets", "PlanPeriod")
    historical = apps.get_model("targets", "HistoricalPlanPeriod")
    have = set(historical.objects.values_list("id", flat=True))
    fields = [f.attname for f in model._meta.concrete_fields]
    historical.objects.bulk_create(
        [
            historical(
                **{f: getattr(obj, f) for f in fields},
                history_date=timezone.now(),
                history_type="+",
                history_change_reason=REASON,
            )
            for obj in model.objects.exclude(pk__in=have)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("targets", "0002_seed_periods")]
    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
