"""Drafting a 通报 in Chinese from a candidate's figures and the administrator's template.

The template (`NoticeTemplate`, `string.Template`) names fields of `NOTICE_FIELDS`; it was
checked when saved, so drafting never meets an unknown field. Each field is plain text built
here from the stored figures (region, year, which targets and by how much, the warnings of the
year, the overdue measures, what is required).
"""

from __future__ import annotations

import string
from datetime import date

from apps.monitoring import metrics
from apps.monitoring.models import Assessment

from .models import NOTICE_FIELDS, Candidate, NoticeTemplate
from .rules import Rule

LEVEL_ZH = {"red": "红色（一级预警）", "yellow": "黄色（二级预警）", "green": "绿色（三级）"}
DEFAULT_TITLE = "关于${region}${year}年度碳达峰碳中和目标落实情况的通报"
DEFAULT_BODY = """${region}：

根据${year}年度碳达峰碳中和监测评估结果（${data_version}），现将有关情况通报如下。

一、存在的问题
${findings}

二、${year}年度预警情况
${warnings}

三、逾期未完成的措施
${overdue_measures}

四、整改要求
${required}

${issuer}
${date}
"""


def _num(value, digits: int = 2) -> str:
    return "—" if value is None else f"{float(value):,.{digits}f}"


def _zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _metric_zh(code: str) -> str:
    entry = metrics.catalog().get(code)
    return entry.name_zh if entry else code


def finding_text(candidate: Candidate) -> str:
    """One sentence in Chinese: which target or warning, by how much."""
    f, year = candidate.figures, candidate.year
    rule = Rule(candidate.rule)
    if rule == Rule.PROGRESS_RED:
        return (
            f"{_metric_zh(candidate.metric)}为红色：截至{year}年（规划期第{f.get('k')}/{f.get('n')}年）"
            f"累计下降{_num(f.get('R_t_pct'))}%，五年目标为下降{_num(f.get('T_pct'))}%，进度明显滞后。"
        )
    if rule == Rule.TOTAL_RED:
        assessed, allowed = f.get("assessed"), f.get("allowed")
        excess = None if assessed is None or allowed is None else assessed - allowed
        return (
            f"能源消费总量预警为红色：{year}年考核口径能源消费总量{_num(assessed)}万吨标准煤，"
            f"超过当年允许值{_num(allowed)}万吨标准煤{_num(excess)}万吨标准煤。"
        )
    if rule == Rule.RED_TWICE:
        years = "、".join(str(y) for y in f.get("years", []))
        return f"{_metric_zh(candidate.metric)}连续两年（{years}年）为红色预警。"
    if rule in (Rule.FINAL_NOT_COMPLETED, Rule.PROVISIONAL_NOT_COMPLETED):
        gap = None
        if f.get("T_pct") is not None and f.get("R_t_pct") is not None:
            gap = f["T_pct"] - f["R_t_pct"]
        return (
            f"规划期末（{year}年）考核等级为未完成：累计下降{_num(f.get('R_t_pct'))}%，"
            f"目标为下降{_num(f.get('T_pct'))}%，相差{_num(gap)}个百分点。"
        )
    if rule == Rule.MEASURES_OVERDUE:
        return f"有{len(f.get('measures', []))}项措施逾期超过{f.get('overdue_days')}天仍未完成。"
    if rule == Rule.CAMPAIGN_INTENSITY:
        return (
            f"{year}年能耗强度比上年下降{_num(f.get('r_t_pct'))}%，超过年度要求{_num(f.get('a_pct'))}%的"
            f"{_num(f.get('multiple'), 0)}倍，存在“运动式减碳”迹象。"
        )
    if rule == Rule.CAMPAIGN_ENERGY_FALL:
        return (
            f"{year}年能源消费总量由上年的{_num(f.get('energy_total_prev'))}万吨标准煤降至"
            f"{_num(f.get('energy_total'))}万吨标准煤，而地区生产总值指数为{_num(f.get('gdp_index'), 1)}"
            f"（高于{_num(f.get('gdp_index_limit'), 0)}），存在“运动式减碳”或数据质量问题。"
        )
    return str(candidate.rule_label)


def warnings_text(candidate: Candidate) -> str:
    rows = Assessment.objects.filter(
        region_id=candidate.region_id, year=candidate.year, metric__in=metrics.WARNING_METRICS
    ).values_list("metric", "level")
    found = dict(rows)
    lines = [
        f"{_metric_zh(code)}：{LEVEL_ZH.get(found[code], found[code])}"
        for code in metrics.WARNING_METRICS
        if found.get(code)
    ]
    return "\n".join(lines) or "无。"


def overdue_text(candidate: Candidate) -> str:
    measures = candidate.figures.get("measures") or []
    lines = [f"{m['title']}（应于{m['due_date']}完成，已逾期{m['days_overdue']}天）" for m in measures]
    return "\n".join(lines) or "无。"


def fields(candidate: Candidate, *, deadline: date, issuer: str, today: date) -> dict[str, str]:
    """Every field of NOTICE_FIELDS, as text."""
    who = candidate.region.name
    if candidate.department_id:
        who = f"{candidate.region.name}{candidate.department.name}"
    values = {
        "region": who,
        "region_code": candidate.region.code,
        "year": str(candidate.year),
        "rule": str(candidate.rule_label),
        "findings": finding_text(candidate),
        "warnings": warnings_text(candidate),
        "overdue_measures": overdue_text(candidate),
        "required": (
            f"请认真分析原因，制定整改措施，于{_zh_date(deadline)}前完成整改，"
            "并将整改情况书面报告。整改情况将在下一年度监测评估中核验。"
        ),
        "deadline": _zh_date(deadline),
        "issuer": issuer,
        "data_version": candidate.data_version,
        "date": _zh_date(today),
    }
    assert set(values) == set(NOTICE_FIELDS)
    return values


def active_template() -> NoticeTemplate | None:
    return NoticeTemplate.objects.filter(active=True).order_by("-pk").first()


def draft(
    candidate: Candidate, *, deadline: date, issuer: str, today: date
) -> tuple[str, str, NoticeTemplate | None]:
    """(title, body, template) of a new notice about `candidate`."""
    template = active_template()
    title_text, body_text = (template.title, template.body) if template else (DEFAULT_TITLE, DEFAULT_BODY)
    values = fields(candidate, deadline=deadline, issuer=issuer, today=today)
    return (
        string.Template(title_text).substitute(values),
        string.Template(body_text).substitute(values),
        template,
    )
