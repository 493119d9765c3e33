"""Default year-on-year plausibility bounds for every indicator of the catalog (issue 15).

The values are frozen here (apps/indicators/catalog.py CHANGE_BOUNDS explains the choice);
an indicator whose bounds someone already set is left alone. Each changed row gets a history
version, so the catalog's history shows where the bounds came from.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

D = Decimal
REASON = "Default plausibility bounds (issue 15)"
BOUNDS = {
    "gdp_current": ("percent", D(-20), D(20), "parent", D(10)),
    "gdp_index": ("points", D(-10), D(10), "parent", D(5)),
    "energy_total": ("percent", D(-20), D(20), "own", None),
    "energy_coal": ("percent", D(-30), D(30), "own", None),
    "energy_oil": ("percent", D(-30), D(30), "own", None),
    "energy_gas": ("percent", D(-30), D(50), "own", None),
    "energy_nonfossil": ("percent", D(-30), D(30), "own", None),
    "renewable_power": ("percent", D(-30), D(30), "own", None),
    "feedstock_energy": ("percent", D(-30), D(30), "own", None),
    "electricity_net_import": ("percent", None, None, "own", None),
    "forest_coverage": ("points", D(-1), D(1), "own", None),
    "forest_stock": ("percent", D(-5), D(5), "own", None),
    "nev_share": ("points", D(-10), D(20), "own", None),
}


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Historical = apps.get_model("indicators", "HistoricalIndicator")
    fields = [f.attname for f in Indicator._meta.concrete_fields]
    now = timezone.now()
    for indicator in Indicator.objects.filter(
        code__in=BOUNDS, change_lower__isnull=True, change_upper__isnull=True, parent_tolerance__isnull=True
    ):
        if BOUNDS[indicator.code][1:3] == (None, None):
            continue  # no bound by default (see catalog.CHANGE_BOUNDS)
        measure, lower, upper, basis, tolerance = BOUNDS[indicator.code]
        indicator.change_measure, indicator.change_lower, indicator.change_upper = measure, lower, upper
        indicator.change_basis, indicator.parent_tolerance = basis, tolerance
        indicator.save()
        Historical.objects.create(
            **{f: getattr(indicator, f) for f in fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_indicator_change_bounds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
