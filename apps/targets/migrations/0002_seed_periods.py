"""Seed the 13th, 14th and 15th five-year plan periods with their default rule sets (methodology §2, §4)."""

from django.db import migrations

PERIODS = [
    ("2016-2020", "“十三五”时期", "13th Five-Year Plan", 2015, "R2016"),
    ("2021-2025", "“十四五”时期", "14th Five-Year Plan", 2020, "R2022"),
    ("2026-2030", "“十五五”时期", "15th Five-Year Plan", 2025, "R2024"),
]


def seed(apps, schema_editor):
    PlanPeriod = apps.get_model("targets", "PlanPeriod")
    RuleSet = apps.get_model("indicators", "RuleSet")
    for code, name, name_en, base_year, rule in PERIODS:
        PlanPeriod.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                name_en=name_en,
                base_year=base_year,
                length=5,
                rule_set=RuleSet.objects.get(code=rule),
            ),
        )


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial"), ("indicators", "0002_seed_catalog")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
