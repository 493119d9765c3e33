"""Demo targets for the 14th FYP (2021–2025): Jiangxi, its 11 cities and Nanchang's counties.

Only two figures are published ones: the province's energy-intensity reduction of 14 %
and its non-fossil share of 18.3 % in 2025 (Jiangxi 14th FYP outline). Everything else
is made up for the demo and says so in its note. Nanchang's figures are those of the
spec's worked example (shared/spec/examples/worked_targets.csv). Xinyu (360500) is
deliberately weaker than the province, so the decomposition page shows its flag; the
cities' energy caps add up to more than the province's (informational only).
"""

from decimal import Decimal

from apps.regions.selectors import by_codes

from .models import PlanPeriod, RegionTarget, TargetMetric

PERIOD = "2021-2025"
PUBLISHED = "江西省“十四五”规划纲要公布目标 / published in Jiangxi's 14th FYP outline"
DEMO = "演示数据（虚构） / demo figure, made up"
WORKED = "演示数据（规范算例） / demo figure from the spec's worked example"

EI, CI, CAP, NF = (
    TargetMetric.ENERGY_INTENSITY_REDUCTION,
    TargetMetric.CO2_INTENSITY_REDUCTION,
    TargetMetric.ENERGY_TOTAL_CAP,
    TargetMetric.NONFOSSIL_SHARE,
)
EI_ANNUAL = TargetMetric.ENERGY_INTENSITY_REDUCTION_ANNUAL

# region code: (energy-intensity reduction %, CO2-intensity reduction %, energy cap 10^4 tce)
CITIES = {
    "360200": ("14", "18.5", "560"),
    "360300": ("14.5", "19", "1050"),
    "360400": ("14.5", "19", "2350"),
    "360500": ("13", "17", "1480"),  # deliberately weaker than the province (flag demo)
    "360600": ("14", "18", "520"),
    "360700": ("14", "18.5", "1200"),
    "360800": ("14", "18", "820"),
    "360900": ("14.5", "19", "1600"),
    "361000": ("14", "18", "690"),
    "361100": ("14", "18.5", "1030"),
}
NANCHANG_COUNTIES = {
    "360102": ("14.5", "18.5", "28"),
    "360103": ("14.5", "18.5", "30"),
    "360104": ("14", "18", "45"),
    "360111": ("14", "18", "95"),
    "360112": ("14", "18", "110"),
    "360113": ("15", "19", "22"),
    "360121": ("14", "18", "135"),
    "360123": ("14", "18", "38"),
    "360124": ("14", "18", "52"),
}


def _rows() -> list[tuple[str, str, int | None, str, str]]:
    rows = [
        ("360000", EI, None, "14", PUBLISHED),
        ("360000", NF, None, "18.3", PUBLISHED),
        ("360000", CI, None, "18", DEMO),
        ("360000", CAP, None, "11500", DEMO),
        # Nanchang: the worked example's targets.
        ("360100", EI, None, "14", WORKED),
        ("360100", CI, None, "18", WORKED),
        ("360100", CAP, None, "560", WORKED),
        ("360100", EI_ANNUAL, 2022, "3.2", WORKED),
    ]
    for table in (CITIES, NANCHANG_COUNTIES):
        for code, (ei, ci, cap) in table.items():
            rows += [(code, EI, None, ei, DEMO), (code, CI, None, ci, DEMO), (code, CAP, None, cap, DEMO)]
    return rows


def seed(stdout) -> None:
    period = PlanPeriod.objects.get(code=PERIOD)
    rows = _rows()
    regions = by_codes({code for code, *_ in rows})
    created = updated = kept = 0
    for code, metric, year, value, note in rows:
        region = regions[code]
        target = RegionTarget.objects.filter(region=region, period=period, metric=metric, year=year).first()
        if target is not None and target.value == Decimal(value) and target.note == note:
            kept += 1
            continue
        if target is None:
            target = RegionTarget(region=region, period=period, metric=metric, year=year)
            created += 1
        else:
            updated += 1
        target.value, target.note = Decimal(value), note
        target.full_clean()
        target._change_reason = "demo data (seed_demo)"
        target.save()
    stdout.write(f"  demo targets {PERIOD}: {created} created, {updated} updated, {kept} kept")
