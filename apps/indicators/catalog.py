"""The indicator catalog of shared/spec/methodology.md §1 and the spec's default rule and factor sets.

Seeded into the database by data migrations; the database rows are what the portal
uses (staff may edit them), these constants are only the initial content.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import translation

D = Decimal


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    name_zh: str
    name_en: str
    unit: str
    unit_en: str
    definition_zh: str
    definition_en: str
    required: bool
    allow_negative: bool = False
    precision: int = 2  # decimals shown on pages (indices and shares of new sales: 1)
    # Plausibility of the year-on-year change (see CHANGE_BOUNDS below; models.Indicator's fields).
    change_measure: str = "percent"
    change_lower: Decimal | None = None
    change_upper: Decimal | None = None
    change_basis: str = "own"
    parent_tolerance: Decimal | None = None

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_zh

    @property
    def unit_label(self) -> str:
        return self.unit_en if translation.get_language() == "en" else self.unit

    @property
    def is_share(self) -> bool:
        return self.unit.strip() == "%"


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        "gdp_current",
        "地区生产总值（现价）",
        "GDP at current prices",
        "亿元",
        "10^8 yuan",
        "按当年价格计算的地区生产总值。",
        "Gross domestic product at current prices.",
        True,
    ),
    IndicatorDef(
        "gdp_index",
        "地区生产总值指数（上年=100）",
        "Real GDP index (previous year = 100)",
        "指数",
        "index",
        "按可比价格计算的地区生产总值指数，上年为100。",
        "Real GDP growth index at comparable prices, previous year = 100.",
        True,
        precision=1,
    ),
    IndicatorDef(
        "energy_total",
        "能源消费总量",
        "Total energy consumption",
        "万吨标准煤",
        "10^4 tce",
        "本地区全部能源消费量（当量值或等价值按统计制度）。",
        "Total energy consumption of the region.",
        True,
    ),
    IndicatorDef(
        "energy_coal",
        "煤炭消费量",
        "Coal consumption",
        "万吨标准煤",
        "10^4 tce",
        "化石能源中煤炭的消费量。",
        "Fossil energy consumption: coal.",
        True,
    ),
    IndicatorDef(
        "energy_oil",
        "石油消费量",
        "Oil consumption",
        "万吨标准煤",
        "10^4 tce",
        "化石能源中石油的消费量。",
        "Fossil energy consumption: oil.",
        True,
    ),
    IndicatorDef(
        "energy_gas",
        "天然气消费量",
        "Natural gas consumption",
        "万吨标准煤",
        "10^4 tce",
        "化石能源中天然气的消费量。",
        "Fossil energy consumption: natural gas.",
        True,
    ),
    IndicatorDef(
        "energy_nonfossil",
        "非化石能源消费量",
        "Non-fossil energy consumption",
        "万吨标准煤",
        "10^4 tce",
        "水电、风电、太阳能、核电、生物质能等非化石能源消费量。",
        "Hydro, wind, solar, nuclear, biomass and other non-fossil energy.",
        True,
    ),
    IndicatorDef(
        "renewable_power",
        "可再生能源电力消费量",
        "Renewable electricity consumption",
        "万吨标准煤",
        "10^4 tce",
        "统计部门折算的可再生能源电力消费量。",
        "Renewable electricity consumption, converted by the statistics bureau.",
        True,
    ),
    IndicatorDef(
        "feedstock_energy",
        "原料用能消费量",
        "Energy used as feedstock",
        "万吨标准煤",
        "10^4 tce",
        "用作原料的煤炭、石油、天然气等能源（烯烃、芳烃、醇类、合成氨等）。",
        "Coal, oil and gas used as raw material (olefins, aromatics, alcohols, ammonia, …).",
        True,
    ),
    IndicatorDef(
        "electricity_net_import",
        "净调入电量",
        "Net electricity inflow",
        "亿千瓦时",
        "10^8 kWh",
        "从区域外净调入的电量，净调出为负数。",
        "Net electricity inflow from outside the region (negative: net outflow).",
        True,
        allow_negative=True,
    ),
    IndicatorDef(
        "forest_coverage",
        "森林覆盖率",
        "Forest coverage rate",
        "%",
        "%",
        "森林面积占土地总面积的百分比。",
        "Forest area as a percentage of land area.",
        False,
    ),
    IndicatorDef(
        "forest_stock",
        "森林蓄积量",
        "Forest stock volume",
        "万立方米",
        "10^4 m³",
        "森林中林木材积总量。",
        "Standing timber volume of forests.",
        False,
    ),
    IndicatorDef(
        "nev_share",
        "新能源汽车新车销售占比",
        "New-energy vehicles in new vehicle sales",
        "%",
        "%",
        "新能源汽车销量占新车销量的百分比。",
        "New-energy vehicles as a percentage of new vehicle sales.",
        False,
        precision=1,
    ),
)

# Default plausibility bounds of the year-on-year change, as a statistics bureau reviews annual
# figures (issue 15). (measure, lower, upper, basis, parent tolerance); "percent": change in % of
# last year's value, "points": difference in the unit (percentage points for a share, points for
# the GDP index); basis "parent": compared with the parent region's change, own bounds when that is
# unknown (the province, or a parent without last year's and this year's approved values).
# - GDP at current prices: ±20 % (the portal's rule since issue 4); against the parent (a county's
#   nominal growth vs its city's) ±10 points: counties of one city share prices and cycles.
# - Real GDP index: its change ±10 points (2020: growth fell by 4–12 points); against the parent
#   ±5 points, the test statistics bureaux apply to a county's growth rate vs its city's.
# - Total energy ±20 % (since issue 4). Single fuels, non-fossil, renewable power and feedstock
#   ±30 %: one plant or a dry year moves them more (methodology §4 mentions dry years); natural gas
#   −30 % to +50 %: a county newly on the pipeline grows from a small base (coal-to-gas years).
# - Net electricity inflow: no year-on-year bound. It is a balance that swings around zero (the
#   methodology's worked example turns 32 into −5 in a year), where a percentage change means
#   nothing and a bound in 10^8 kWh would depend on the region's size; staff may set one.
# - Forest coverage ±1 point (it moves by tenths of a point a year; a survey revision needs a note);
#   forest stock −5 % to +5 % (growth is 2–4 % a year; fires, storms and survey revisions need a note).
# - New-energy vehicles' share: −10 to +20 points (2021–2022 rose by ~11 points nationally).
CHANGE_BOUNDS: dict[str, tuple[str, Decimal | None, Decimal | None, str, Decimal | None]] = {
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


def _with_bounds(d: IndicatorDef) -> IndicatorDef:
    measure, lower, upper, basis, tolerance = CHANGE_BOUNDS[d.code]
    return replace(
        d,
        change_measure=measure,
        change_lower=lower,
        change_upper=upper,
        change_basis=basis,
        parent_tolerance=tolerance,
    )


INDICATORS = tuple(_with_bounds(d) for d in INDICATORS)
INDICATOR_CODES = tuple(i.code for i in INDICATORS)
