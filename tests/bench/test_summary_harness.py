"""The summary bench harness (bench/summary.py) still works: a cold and a warm round of a city
summary, the figures per step, the verdicts and the section it records. Not timed."""

from bench import summary


def test_the_harness_times_each_step_of_a_summary_and_records_the_verdicts(demo, tmp_path):
    result = summary.measure("360100", repeat=1)

    assert result["children"] == 9 and result["charts"] > 0 and result["pages"] >= 2
    for figures in (result["cold"], result["median"], result["max"]):
        assert set(figures) == {f"{s}_{k}" for s in (*summary.STEPS, "total") for k in ("wall", "cpu")}
        assert figures["total_wall"] == sum(figures[f"{s}_wall"] for s in summary.STEPS)
    assert 0 < result["queries"] <= 30
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\n## Oversight summary\n\nold figures\n", encoding="utf-8")
    machine = {"date": "2026-12-01", "commit": "abc", "nproc": 2, "load_before": "1.0", "load_after": "1.2"}
    summary.record(results, summary.markdown(result, machine))
    text = results.read_text(encoding="utf-8")
    assert "old figures" not in text and text.count("## Oversight summary") == 1
    assert "| pdf |" in text and "city summary, median wall: **" in text


def test_the_verdicts_judge_the_warm_median_against_three_seconds():
    def round_(total):
        return {"total_wall": total, "total_cpu": total / 4}

    result = {"median": round_(2.9), "max": round_(3.4), "cold": round_(5.0)}
    assert [(name.split(", ")[1], ok) for name, ok, _figure in summary.verdicts(result)] == [
        ("median wall", True),
        ("median CPU", True),
        ("max wall (warm)", False),
        ("cold (first) wall", False),
    ]
