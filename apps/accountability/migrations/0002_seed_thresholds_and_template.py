"""The thresholds of the candidate rules and the default 通报 template (data an administrator edits)."""

from decimal import Decimal

from django.db import migrations

THRESHOLDS = {
    "overdue_days": (Decimal("90"), "measures more than this many days past due make a candidate"),
    "campaign_multiple": (Decimal("2"), "运动式减碳: intensity reduction above this multiple of the annual requirement"),
    "campaign_gdp_index": (Decimal("105"), "运动式减碳: energy_total falling while gdp_index is above this"),
    "rectification_days": (Decimal("90"), "days from a decision to its rectification deadline"),
}
TITLE = "关于${region}${year}年度碳达峰碳中和目标落实情况的通报"
BODY = """${region}：

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


def seed(apps, schema_editor):
    Threshold = apps.get_model("accountability", "Threshold")
    NoticeTemplate = apps.get_model("accountability", "NoticeTemplate")
    for code, (value, description) in THRESHOLDS.items():
        Threshold.objects.get_or_create(code=code, defaults={"value": value, "description": description})
    if not NoticeTemplate.objects.exists():
        NoticeTemplate.objects.create(name="通报（默认）", title=TITLE, body=BODY, active=True)


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
