"""How text and numbers read on pages (apps/core/display.py): the one place for punctuation that
depends on the language and for numbers rounded for display."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from apps.core import display
from apps.core.history import reason_label


@pytest.mark.parametrize(
    ("value", "precision", "shown"),
    [
        (Decimal("3221.84295270478"), 2, "3,221.84"),
        (35395.52, 2, "35,395.52"),
        (Decimal("105.44"), 1, "105.4"),
        (Decimal("2.675"), 2, "2.68"),  # half up, on the decimal as stored (not the float)
        (Decimal("15.6000"), None, "15.6"),  # as stored, trailing zeros dropped
        (Decimal("1E+3"), None, "1,000"),
        (Decimal("-0.001"), 2, "0.00"),  # rounded to zero: no minus sign
        (Decimal("-1234.5"), 1, "-1,234.5"),
        (None, 2, "—"),
        ("", None, "—"),
    ],
)
def test_numbers_are_rounded_to_the_catalog_precision_and_grouped_in_thousands(value, precision, shown):
    assert display.format_number(value, precision) == shown


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "状态：草稿 · 工业、能源 · 江西省（上级）。"),
        ("en", "Status: Draft · industry, energy · Jiangxi (parent)."),
    ],
)
def test_punctuation_follows_the_language(language, expected):
    template = Template(
        "{{ label }}{% colon %}{{ value }} · {{ items|listing }} · {{ name }}{{ aside|aside }}{% full_stop %}"
    )
    words = {
        "zh-hans": ("状态", "草稿", ["工业", "能源"], "江西省", "上级"),
        "en": ("Status", "Draft", ["industry", "energy"], "Jiangxi", "parent"),
    }[language]
    context = dict(zip(("label", "value", "items", "name", "aside"), words, strict=True))
    with translation.override(language):
        assert template.render(Context(context)) == expected


def test_django_form_labels_end_with_a_full_width_colon_in_chinese():
    from django import forms

    class Form(forms.Form):
        year = forms.IntegerField(label="年份")

    with translation.override("zh-hans"):
        assert "年份：" in str(Form()["year"].label_tag())
    with translation.override("en"):
        assert "年份:" in str(Form()["year"].label_tag())


def test_the_portals_own_change_reasons_are_translated_and_typed_reasons_kept():
    with translation.override("zh-hans"):
        assert reason_label("demo data (seed_demo)") == "演示数据"
        assert reason_label("Initial catalog (methodology spec v1)") == "初始指标目录（方法规范 v1）"
        assert reason_label("与统计局核对后更正") == "与统计局核对后更正"
    with translation.override("en"):
        assert reason_label("published") == "published"
