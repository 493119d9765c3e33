"""What changed between two editions names a target's plan period by its name, never by the
database id the figures key the targets by (issue 14, leftover c)."""

from django.utils import translation

from apps.oversight.summary_contents import figures_diff

PERIOD = {
    "id": 7,
    "code": "2021-2025",
    "name": "“十四五”时期",
    "name_en": "14th Five-Year Plan",
    "base_year": 2020,
}


def figures(cap: float) -> dict:
    return {"periods": [PERIOD], "targets": {"7": {"energy_total_cap": cap}}}


def test_a_changed_target_is_labelled_with_its_period_s_name():
    with translation.override("zh-hans"):
        [change] = figures_diff(figures(560.0), figures(580.0))
        assert change.path == "targets.7.energy_total_cap"
        assert "“十四五”时期 (2021-2025)" in change.label
        assert " 7 " not in f" {change.label} ".replace("·", " ")
        assert (change.old_text, change.new_text) == ("560", "580")
    with translation.override("en"):
        [change] = figures_diff(figures(560.0), figures(580.0))
        assert "14th Five-Year Plan (2021-2025)" in change.label
