"""Demo tips in each state of their handling (marked as demo). Never for production.

Their tracking numbers are fixed (and therefore guessable: demo only), so the README can name
one to look up; filed, routed and answered through the services, then dated back.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from apps.accounts.models import User
from apps.organizations.models import Department
from apps.regions.selectors import by_codes

from . import tips, tracking
from .models import Tip, TipCategory, TipEvent

MARK = "（演示数据 / demo）"


def _number(body: str) -> str:
    return body + tracking.check_symbol(body)


# body of the number, category, region, days ago, (department region, kind) or None, final step, text
DEMO_TIPS = [
    (
        "DEM0RECE1VED000",
        TipCategory.STATISTICS,
        "360100",
        2,
        None,
        "received",
        "某区县上报的规上工业能耗数据与企业实际用电量明显不符。",
    ),
    (
        "DEM0ASS1GNED000",
        TipCategory.STATISTICS,
        "360102",
        30,
        ("360100", "statistics"),
        "assigned",
        "东湖区某商业综合体能耗统计疑似漏报。",
    ),
    (
        "DEM0NVEST1GATE0",
        TipCategory.PROJECT,
        "360400",
        10,
        ("360400", "development_reform"),
        "investigating",
        "九江市某化工项目未经节能审查即开工建设。",
    ),
    (
        "DEM0ANSWERED000",
        TipCategory.ENERGY_SAVING,
        "360103",
        20,
        ("360100", "development_reform"),
        "published",
        "西湖区某数据中心未执行节能审查意见中的能效要求。",
    ),
    (
        "DEM0C10SED00000",
        TipCategory.EMISSIONS,
        "360000",
        40,
        ("360000", "ecology_environment"),
        "closed",
        "某燃煤电厂夜间超标排放。",
    ),
]
REPLY = "经核查，反映情况部分属实，已责令整改并将持续跟踪。" + MARK


def seed_tips(stdout) -> None:
    regions = by_codes({code for row in DEMO_TIPS for code in (row[2], (row[4] or ("360000",))[0])})
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        stdout.write("  demo tips: no admin user, skipped")
        return
    created = 0
    now = timezone.now()
    for body, category, code, days_ago, routed_to, step, text in DEMO_TIPS:
        number = _number(body)
        if Tip.objects.filter(tracking_number=number).exists():
            continue
        data = tips.TipInput(category=category, region=regions[code], description=text + MARK)
        tip = tips.tip_file(user=AnonymousUser(), data=data)
        if routed_to:
            department = Department.objects.get(region=regions[routed_to[0]], kind=routed_to[1])
            tip = tips.tip_route(user=admin, tip=tip, department=department)
        if step in ("investigating", "published", "closed"):
            tip = tips.tip_investigate(user=admin, tip=tip)
        if step in ("published", "closed"):
            tip = tips.tip_answer(user=admin, tip=tip, reply=REPLY)
            tip = tips.tip_publish_reply(user=admin, tip=tip)
        if step == "closed":
            tip = tips.tip_close(user=admin, tip=tip)
        received = now - timedelta(days=days_ago)
        Tip.objects.filter(pk=tip.pk).update(
            tracking_number=number,
            received_at=received,
            due_on=tips.answer_due_on(timezone.localdate(received)),
        )
        for n, event in enumerate(TipEvent.objects.filter(tip=tip).order_by("pk")):
            TipEvent.objects.filter(pk=event.pk).update(created_at=received + timedelta(days=n, hours=n))
        created += 1
    stdout.write(f"  demo tips: {created} created, {len(DEMO_TIPS) - created} kept")
