"""The indicator catalog of shared/spec/methodology.md §1 and the spec's default rule and factor sets.

Seeded into the database by data migrations; the database rows are what the portal
uses (staff may edit them), these constants are only the initial content.
"""

from dataclasses import dataclass


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
INDICATOR_CODES = tuple(i.code for i in INDICATORS)
