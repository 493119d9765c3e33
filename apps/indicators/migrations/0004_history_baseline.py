"""Give every seeded catalog row a first history version, so the first edit shows what it changed.

Rows created by data migrations have no history (migration models send no simple_history
signals); this records their current state as the "created" version, attributed to no user.
"""

from django.db import migrations
from django.utils import timezone

MODELS = ["Indicator", "EmissionFactorSet", "FuelFactor", "Grid", "GridFactor", "RuleSet"]
REASON = "Initial catalog (methodology spec v1)"


def baseline(apps, schema_editor):
    now = timezone.now()
    for name in MODELS:
        model = apps.get_model("indicators", name)
        historical = apps.get_model("indicators", f"Historical{name}")
        have = set(historical.objects.values_list("id", flat=True))
        fields = [f.attname for f in model._meta.concrete_fields]
        historical.objects.bulk_create(
            [
                historical(
                    **{f: getattr(obj, f) for f in fields},
                    history_date=now,
                    history_type="+",
                    history_change_reason=REASON,
                )
                for obj in model.objects.exclude(pk__in=have)
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_grid_default_and_factor_checks")]
    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
