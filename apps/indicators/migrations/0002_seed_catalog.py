"""Seed the indicator catalog, the cn-eri factor set, grid factors and rule sets (methodology §1, §4, §6)."""

from decimal import Decimal

from django.db import migrations

from apps.indicators.catalog import INDICATORS

CN_ERI_SOURCE = (
    "Carbon content per tce widely used in Chinese provincial accounting (coal 0.7476, oil 0.5825, "
    "gas 0.4435 tC/tce; × 44/12 gives CO2); methodology spec v1 §6"
)
GRID_SOURCE = "MEE/NBS national average grid emission factor; methodology spec v1 §6"
CENTRAL_SOURCE = "Regional grid emission factor (Central China grid); methodology spec v1 §6"

RULE_SETS = [
    dict(
        code="R2016",
        name="13th FYP practice (2016–2020)",
        description="Intensity and total on total energy consumption.",
        source="13th FYP practice",
    ),
    dict(
        code="R2022",
        name="Feedstock and new renewables excluded (2021–2025)",
        description=(
            "Intensity: energy_total − feedstock_energy. Total: energy_total − feedstock_energy − D_t, "
            "D_t = sum of each year's increase of renewable power since the base year."
        ),
        source="发改环资〔2022〕803号; 发改运行〔2022〕1258号",
        intensity_excludes_feedstock=True,
        total_excludes_feedstock=True,
        total_deducts_new_renewables=True,
    ),
    dict(
        code="R2024",
        name="Non-fossil energy not counted (2026–2030)",
        description=(
            "Intensity and total: energy_total − feedstock_energy − energy_nonfossil. The portal's reading "
            "of the 2024–2025 energy-saving action plan; verify against the province's rules."
        ),
        source="2024—2025年节能降碳行动方案 (portal's reading)",
        intensity_excludes_feedstock=True,
        intensity_excludes_nonfossil=True,
        total_excludes_feedstock=True,
        total_excludes_nonfossil=True,
    ),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for order, d in enumerate(INDICATORS, start=1):
        Indicator.objects.update_or_create(
            code=d.code,
            defaults=dict(
                name_zh=d.name_zh,
                name_en=d.name_en,
                unit=d.unit,
                unit_en=d.unit_en,
                definition_zh=d.definition_zh,
                definition_en=d.definition_en,
                required=d.required,
                allow_negative=d.allow_negative,
                order=order,
            ),
        )
    FactorSet = apps.get_model("indicators", "EmissionFactorSet")
    FuelFactor = apps.get_model("indicators", "FuelFactor")
    cn_eri, _ = FactorSet.objects.update_or_create(
        code="cn-eri",
        defaults=dict(
            name="cn-eri default factors",
            description="Default fuel factors of the methodology (spec v1 §6).",
            is_default=True,
        ),
    )
    for fuel, value in (("coal", "0.7476"), ("oil", "0.5825"), ("gas", "0.4435")):
        FuelFactor.objects.update_or_create(
            factor_set=cn_eri,
            fuel=fuel,
            defaults=dict(value=Decimal(value), unit="tC/tce", source=CN_ERI_SOURCE),
        )
    Grid = apps.get_model("indicators", "Grid")
    GridFactor = apps.get_model("indicators", "GridFactor")
    national, _ = Grid.objects.update_or_create(
        code="national", defaults=dict(name="全国电网平均 National average", is_default=True)
    )
    for year, value in ((2021, "0.5568"), (2022, "0.5366"), (2023, "0.5306")):
        GridFactor.objects.update_or_create(
            grid=national, year=year, defaults=dict(value_kg_per_kwh=Decimal(value), source=GRID_SOURCE)
        )
    central, _ = Grid.objects.update_or_create(
        code="central-china", defaults=dict(name="华中电网 Central China", is_default=False)
    )
    for year, value in ((2022, "0.5395"), (2023, "0.5271")):
        GridFactor.objects.update_or_create(
            grid=central, year=year, defaults=dict(value_kg_per_kwh=Decimal(value), source=CENTRAL_SOURCE)
        )
    RuleSet = apps.get_model("indicators", "RuleSet")
    for rule in RULE_SETS:
        RuleSet.objects.update_or_create(
            code=rule["code"], defaults={k: v for k, v in rule.items() if k != "code"}
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
