"""The benchmark's yardstick must itself follow the spec: bench/reference.py on the worked example.

The benchmark (``make bench``) trusts the agreement between the portal and this independent
pandas reference; if the reference drifted from methodology §14 that agreement would prove
nothing. pandas is a benchmark-only dependency (requirements-bench.txt), hence the skip.
"""

import pytest

pytest.importorskip("pandas")

from bench import reference


def test_reference_reproduces_the_worked_example_to_1e_9_and_nothing_more():
    if not (reference.EXAMPLES / "worked_assessments.csv").exists():
        pytest.skip(f"{reference.EXAMPLES} not available")

    count, problems = reference.worked_example()

    assert count > 0
    assert problems == []
