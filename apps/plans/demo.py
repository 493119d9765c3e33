"""Demo sector peak plans for Jiangxi (made up, marked 演示数据 in every title and summary).

The province's plans for the seven key sectors of decision §三, each led by the sector's
lead department (e.g. 江西省工业和信息化厅 for steel), and two plans of Nanchang; with
targets, measures in every status (some overdue), milestones and progress notes. Written
through the services, as the demo users, so the history shows who did what. Idempotent: a
plan that exists already is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import User
from apps.indicators.models import Indicator
from apps.organizations.models import Department, Sector
from apps.regions.selectors import by_codes

from . import services
from .models import PlanStatus, SectorPlan

DEMO = "（演示数据）"
DEMO_NOTE = "本方案为演示数据，内容为虚构，仅用于展示平台功能。"


def _d(s: str) -> date:
    return date.fromisoformat(s)


# Each measure: (title, responsible (region code, kind), start, due, status, milestones, notes)
# A due date "+N" is N days after the seeding date (still running); a fixed date may be past.
# Milestones: (title, due, done_on or None). Notes: (date, text, new status or None).
PLANS = [
    {
        "region": "360000",
        "sector": "energy",
        "title": "江西省能源领域碳达峰实施方案",
        "peak_year": 2030,
        "status": PlanStatus.IN_FORCE,
        "adopted_on": "2022-09-30",
        "author": "energy_dept",
        "summary": "构建清洁低碳、安全高效的能源体系：严控煤炭消费增长，大力发展光伏和风电，"
        "推进抽水蓄能和新型储能建设，积极谋划区外清洁电力入赣。",
        "targets": [
            (None, "非化石能源消费比重", "%", 2025, "18.3", 2020, "15.6"),
            (None, "非化石能源消费比重", "%", 2030, "25.0", 2020, "15.6"),
            (None, "光伏发电装机容量", "万千瓦", 2025, "2800", 2020, "773"),
            ("energy_coal", "", "", 2025, "5800", 2020, "5962"),
        ],
        "measures": [
            (
                "整县推进屋顶分布式光伏开发",
                ("360000", "energy"),
                "2022-10-01",
                "2025-12-31",
                "done",
                [
                    ("完成试点县名单确定", "2022-12-31", "2022-12-20"),
                    ("试点县并网容量过半", "2024-06-30", "2024-07-15"),
                ],
                [("2024-07-20", "试点县分布式光伏累计并网超过规划容量一半。", "on_track")],
            ),
            (
                "抽水蓄能电站前期工作",
                ("360000", "development_reform"),
                "2022-10-01",
                "2026-06-30",
                "delayed",
                [("完成站址比选", "2023-06-30", "2023-08-10"), ("取得核准", "2025-12-31", None)],
                [("2025-11-15", "环评批复推迟，核准时间顺延，已报告省能源局。", "delayed")],
            ),
            (
                "煤电机组节能降碳改造",
                ("360400", "energy"),
                "2023-01-01",
                "+420",
                "on_track",
                [("完成改造机组清单", "2023-06-30", "2023-06-28"), ("首批机组改造完成", "+120", None)],
                [("2026-09-30", "九江市首批两台机组改造已开工。", "on_track")],
            ),
        ],
    },
    {
        "region": "360000",
        "sector": "steel",
        "title": "江西省钢铁行业碳达峰实施方案",
        "peak_year": 2025,
        "status": PlanStatus.IN_FORCE,
        "adopted_on": "2022-12-15",
        "author": "province",
        "summary": "严格落实产能置换，推进超低排放和节能降碳改造，提高废钢利用比例，发展电炉短流程炼钢。",
        "targets": [
            (None, "吨钢综合能耗", "千克标准煤/吨", 2025, "540", 2020, "560"),
            (None, "电炉钢产量占比", "%", 2030, "15", 2020, "6"),
        ],
        "measures": [
            (
                "钢铁企业超低排放改造",
                ("360500", "ecology_environment"),
                "2023-01-01",
                "2025-06-30",
                "on_track",
                [
                    ("完成有组织排放改造", "2024-06-30", "2024-06-30"),
                    ("完成无组织排放改造", "2025-03-31", None),
                ],
                [("2025-02-10", "新余市有组织排放改造全部完成，无组织排放改造进行中。", None)],
            ),
            (
                "废钢回收加工体系建设",
                ("360000", "commerce"),
                "2023-03-01",
                "+300",
                "not_started",
                [],
                [],
            ),
        ],
    },
    {
        "region": "360000",
        "sector": "nonferrous",
        "title": "江西省有色金属行业碳达峰实施方案",
        "peak_year": 2025,
        "status": PlanStatus.IN_FORCE,
        "adopted_on": "2023-02-20",
        "author": "province",
        "summary": "推动铜、稀土、钨等有色金属冶炼节能降碳，提高再生金属利用水平。",
        "targets": [(None, "再生铜产量占比", "%", 2025, "30", 2020, "22")],
        "measures": [
            (
                "铜冶炼企业能效标杆改造",
                ("360600", "industry_it"),
                "2023-03-01",
                "2025-12-31",
                "done",
                [("能效诊断全覆盖", "2023-12-31", "2023-11-30")],
                [("2025-12-20", "鹰潭市重点铜冶炼企业全部达到能效标杆水平。", "done")],
            ),
            (
                "稀土冶炼分离绿色工厂创建",
                ("360700", "industry_it"),
                "2023-06-01",
                "+540",
                "on_track",
                [("完成绿色工厂评价标准", "2024-03-31", "2024-04-02"), ("首批绿色工厂认定", "+60", None)],
                [],
            ),
        ],
    },
    {
        "region": "360000",
        "sector": "petrochemical",
        "title": "江西省石化化工行业碳达峰实施方案",
        "peak_year": 2030,
        "status": PlanStatus.REVISED,
        "adopted_on": "2023-05-10",
        "author": "province",
        "summary": "优化原料结构，推进化工园区循环化改造；2025年根据国家新政策修订原料用能口径。",
        "targets": [("feedstock_energy", "", "", 2030, "450", 2020, "380")],
        "measures": [
            (
                "化工园区循环化改造",
                ("360400", "development_reform"),
                "2023-06-01",
                "2025-09-30",
                "delayed",
                [("完成园区评估", "2024-03-31", "2024-03-20"), ("完成改造方案审查", "2025-06-30", None)],
                [("2025-08-01", "九江化工园区改造方案需补充论证。", "delayed")],
            ),
        ],
    },
    {
        "region": "360000",
        "sector": "building_materials",
        "title": "江西省建材行业碳达峰实施方案",
        "peak_year": 2025,
        "status": PlanStatus.DRAFTING,
        "adopted_on": None,
        "author": "province",
        "summary": "推进水泥、平板玻璃行业落后产能淘汰和节能降碳改造，严格产能等量或减量置换。",
        "targets": [(None, "水泥熟料单位产品综合能耗", "千克标准煤/吨", 2025, "100", 2020, "108")],
        "measures": [
            (
                "水泥熟料产能置换审查",
                ("360000", "industry_it"),
                "2024-01-01",
                "+200",
                "not_started",
                [("征求意见稿", "+30", None)],
                [],
            ),
        ],
    },
    {
        "region": "360000",
        "sector": "transport",
        "title": "江西省交通运输领域碳达峰实施方案",
        "peak_year": 2030,
        "status": PlanStatus.IN_FORCE,
        "adopted_on": "2022-11-18",
        "author": "province",
        "summary": "推动运输工具装备低碳转型，构建绿色高效交通运输体系，加快充换电基础设施建设。",
        "targets": [
            ("nev_share", "", "", 2025, "20", 2020, "5.4"),
            (None, "城市公交车新能源比例", "%", 2025, "85", 2020, "60"),
        ],
        "measures": [
            (
                "高速公路服务区充电设施全覆盖",
                ("360000", "transport"),
                "2022-12-01",
                "2024-12-31",
                "done",
                [("完成一半服务区", "2023-12-31", "2023-12-15")],
                [("2024-12-28", "全省高速公路服务区充电设施实现全覆盖。", "done")],
            ),
            (
                "赣江航道船舶LNG和电动化改造",
                ("360000", "transport"),
                "2023-01-01",
                "2025-12-31",
                "on_track",
                [("试点船舶投入运营", "2024-09-30", "2024-10-12"), ("完成年度改造计划", "2025-10-31", None)],
                [("2025-06-30", "试点船舶运行稳定，正在推广。", "on_track")],
            ),
        ],
    },
    {
        "region": "360000",
        "sector": "construction",
        "title": "江西省城乡建设领域碳达峰实施方案",
        "peak_year": 2030,
        "status": PlanStatus.IN_FORCE,
        "adopted_on": "2023-01-12",
        "author": "province",
        "summary": "推进绿色建筑和建筑节能，发展装配式建筑，推广光伏建筑一体化。",
        "targets": [
            (None, "城镇新建建筑中绿色建筑占比", "%", 2025, "100", 2020, "75"),
            (None, "装配式建筑占新建建筑比例", "%", 2025, "30", 2020, "15"),
        ],
        "measures": [
            (
                "公共建筑能耗监测平台建设",
                ("360000", "housing"),
                "2023-02-01",
                "+365",
                "on_track",
                [("省级平台上线", "2024-06-30", "2024-06-25"), ("设区市平台接入", "+90", None)],
                [],
            ),
            (
                "既有建筑节能改造",
                ("360100", "housing"),
                "2023-03-01",
                "2025-10-31",
                "delayed",
                [("完成改造项目库", "2023-09-30", "2023-10-30"), ("年度改造面积达标", "2025-09-30", None)],
                [("2025-07-15", "资金未完全落实，改造进度滞后。", "delayed")],
            ),
        ],
    },
    {
        "region": "360100",
        "sector": "transport",
        "title": "南昌市交通运输领域碳达峰实施方案",
        "peak_year": 2028,
        "status": PlanStatus.IN_FORCE,
        "adopted_on": "2023-04-20",
        "author": "province",
        "summary": "建设公交都市，推广新能源公交和出租车，完善慢行交通系统。",
        "targets": [(None, "绿色出行比例", "%", 2025, "70", 2020, "62")],
        "measures": [
            (
                "新能源出租车推广",
                ("360100", "transport"),
                "2023-05-01",
                "2025-12-31",
                "on_track",
                [("完成更新车辆招标", "2024-03-31", "2024-03-10"), ("更新比例达到80%", "2025-11-30", None)],
                [("2025-10-15", "东湖区、西湖区出租车已全部更新。", None)],
            ),
            (
                "城区慢行交通系统改造",
                ("360102", "housing"),
                "2023-06-01",
                "+250",
                "not_started",
                [],
                [],
            ),
        ],
    },
    {
        "region": "360100",
        "sector": "construction",
        "title": "南昌市城乡建设领域碳达峰实施方案",
        "peak_year": 2030,
        "status": PlanStatus.DRAFTING,
        "adopted_on": None,
        "author": "province",
        "summary": "推广超低能耗建筑和光伏建筑一体化，推动老旧小区绿色化改造。",
        "targets": [(None, "超低能耗建筑面积", "万平方米", 2025, "50", 2020, "2")],
        "measures": [
            (
                "光伏建筑一体化示范项目",
                ("360100", "housing"),
                "2024-01-01",
                "+400",
                "on_track",
                [("确定示范项目", "2024-06-30", "2024-06-18")],
                [],
            ),
        ],
    },
]


def _when(value: str, today: date) -> date:
    return today + timedelta(days=int(value[1:])) if value.startswith("+") else _d(value)


def seed(stdout) -> None:
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["province", "energy_dept"])}
    if "province" not in users:
        stdout.write("  plans: demo user 'province' missing (accounts demo first); skipped")
        return
    regions = by_codes({p["region"] for p in PLANS} | {m[1][0] for p in PLANS for m in p["measures"]})
    sectors = {s.code: s for s in Sector.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    created = 0
    for spec in PLANS:
        region, sector = regions[spec["region"]], sectors[spec["sector"]]
        title = spec["title"] + DEMO
        if SectorPlan.objects.filter(region=region, sector=sector, title=title).exists():
            continue
        author = users.get(spec["author"], users["province"])
        plan = services.plan_create(
            user=author,
            sector=sector,
            region=region,
            title=title,
            peak_year=spec["peak_year"],
            summary=f"{spec['summary']}\n\n{DEMO_NOTE}",
        )
        for code, metric, unit, year, value, base_year, base_value in spec["targets"]:
            services.target_add(
                user=author,
                plan=plan,
                indicator=indicators.get(code) if code else None,
                metric_name=metric,
                unit=unit,
                target_year=year,
                target_value=Decimal(value),
                baseline_year=base_year,
                baseline_value=Decimal(base_value),
            )
        for title_m, (dept_region, kind), start, due, final, milestones, notes in spec["measures"]:
            measure = services.measure_create(
                user=author,
                plan=plan,
                title=title_m,
                responsible_department=Department.objects.get(region=regions[dept_region], kind=kind),
                start_date=_when(start, today),
                due_date=_when(due, today),
                description=f"{title_m}。{DEMO_NOTE}",
            )
            for ms_title, ms_due, done_on in milestones:
                milestone = services.milestone_add(
                    user=author, measure=measure, title=ms_title, due_date=_when(ms_due, today)
                )
                if done_on:
                    services.milestone_complete(user=author, milestone=milestone, done_on=_d(done_on))
            for note_date, text, status in notes:
                services.progress_note_add(
                    user=author, measure=measure, date=min(_d(note_date), today), text=text, status=status
                )
            measure.refresh_from_db()
            if measure.status != final:
                services.measure_set_status(
                    user=author, measure=measure, status=final, on=min(_when(due, today), today)
                )
        if spec["status"] != PlanStatus.DRAFTING:
            services.plan_set_status(
                user=author, plan=plan, status=PlanStatus.IN_FORCE, adopted_on=_d(spec["adopted_on"])
            )
        if spec["status"] == PlanStatus.REVISED:
            services.plan_set_status(user=author, plan=plan, status=PlanStatus.REVISED)
        created += 1
    stdout.write(f"  demo sector plans: {created} created, {len(PLANS) - created} kept")
