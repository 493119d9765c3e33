"""The departments and sectors named by the congress decision (2021-11-19), as data.

Section 二 names the lead departments (发展改革、能源、工业和信息化、林业、交通运输、
住房和城乡建设、自然资源、农业农村) and the supporting ones (生态环境、科技、财政、
金融监管、统计、商务、国资、市场监管); section 三 orders peak plans for energy, steel,
non-ferrous metals, petrochemicals, building materials, transport and construction.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DepartmentKind:
    code: str
    lead: bool
    name_en: str
    province_name: str  # the provincial body's usual title
    local_name: str  # city / county body's usual title

    @property
    def label(self) -> str:
        from django.utils import translation

        return self.name_en if translation.get_language() == "en" else self.local_name


DEPARTMENT_KINDS: tuple[DepartmentKind, ...] = (
    DepartmentKind(
        "development_reform",
        True,
        "Development and Reform Commission",
        "发展和改革委员会",
        "发展和改革委员会",
    ),
    DepartmentKind("energy", True, "Energy Administration", "能源局", "能源局"),
    DepartmentKind(
        "industry_it", True, "Industry and Information Technology", "工业和信息化厅", "工业和信息化局"
    ),
    DepartmentKind("forestry", True, "Forestry Administration", "林业局", "林业局"),
    DepartmentKind("transport", True, "Transport", "交通运输厅", "交通运输局"),
    DepartmentKind(
        "housing", True, "Housing and Urban-Rural Development", "住房和城乡建设厅", "住房和城乡建设局"
    ),
    DepartmentKind("natural_resources", True, "Natural Resources", "自然资源厅", "自然资源局"),
    DepartmentKind("agriculture", True, "Agriculture and Rural Affairs", "农业农村厅", "农业农村局"),
    DepartmentKind("ecology_environment", False, "Ecology and Environment", "生态环境厅", "生态环境局"),
    DepartmentKind("science_technology", False, "Science and Technology", "科学技术厅", "科学技术局"),
    DepartmentKind("finance", False, "Finance", "财政厅", "财政局"),
    DepartmentKind("financial_regulation", False, "Financial Regulation", "地方金融管理局", "金融工作办公室"),
    DepartmentKind("statistics", False, "Statistics", "统计局", "统计局"),
    DepartmentKind("commerce", False, "Commerce", "商务厅", "商务局"),
    DepartmentKind(
        "state_assets",
        False,
        "State-owned Assets Supervision",
        "国有资产监督管理委员会",
        "国有资产监督管理局",
    ),
    DepartmentKind("market_regulation", False, "Market Regulation", "市场监督管理局", "市场监督管理局"),
)
KIND_BY_CODE = {k.code: k for k in DEPARTMENT_KINDS}
KIND_CHOICES = [(k.code, k.name_en) for k in DEPARTMENT_KINDS]


@dataclass(frozen=True)
class SectorDef:
    code: str
    name_zh: str
    name_en: str
    lead_kind: str
    peak_plan_required: bool


SECTORS: tuple[SectorDef, ...] = (
    SectorDef("energy", "能源", "Energy", "energy", True),
    SectorDef("steel", "钢铁", "Steel", "industry_it", True),
    SectorDef("nonferrous", "有色金属", "Non-ferrous metals", "industry_it", True),
    SectorDef("petrochemical", "石化化工", "Petrochemicals and chemicals", "industry_it", True),
    SectorDef("building_materials", "建材", "Building materials", "industry_it", True),
    SectorDef("transport", "交通运输", "Transport", "transport", True),
    SectorDef("construction", "城乡建设", "Urban-rural construction", "housing", True),
    SectorDef(
        "agriculture_sink",
        "农业农村减排固碳",
        "Agriculture (emission cuts and carbon sinks)",
        "agriculture",
        False,
    ),
    SectorDef("forestry_sink", "林业碳汇", "Forestry carbon sinks", "forestry", False),
)
