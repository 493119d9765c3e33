"""Agreement between the portal's results (``monitoring_assessment``) and the reference's.

One full outer join on the natural key (region, year, metric), in SQL: the two must hold the
same set of keys, numbers equal to 1e-9 relative, warnings identical. The portal stores numbers
as numeric(32,15), i.e. rounded to 1e-15, so an absolute slack of 1e-12 covers figures so close
to zero that 1e-15 is not within 1e-9 of them (a reduction of 0.0000001 %); it changes nothing
for any other figure.

Run alone: ``python bench/compare.py`` (exit status 1 on any disagreement).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import dsn

REL_TOL = 1e-9
ABS_TOL = 1e-12

JOINED = """
SELECT COALESCE(p.region_id, b.region_id) AS region_id, COALESCE(p.year, b.year) AS year,
       COALESCE(p.metric, b.metric) AS metric,
       p.region_id IS NOT NULL AS in_portal, b.region_id IS NOT NULL AS in_reference,
       p.value::float8 AS portal_value, p.level AS portal_level,
       b.value::float8 AS reference_value, b.level AS reference_level
FROM monitoring_assessment p
FULL JOIN bench_reference_assessment b
  ON b.region_id = p.region_id AND b.year = p.year AND b.metric = p.metric
"""
DISAGREES = f"""
NOT (in_portal AND in_reference)
OR portal_level <> reference_level
OR (portal_value IS NULL) <> (reference_value IS NULL)
OR abs(portal_value - reference_value)
   > {REL_TOL} * greatest(abs(portal_value), abs(reference_value)) + {ABS_TOL}
"""


@dataclass
class Agreement:
    compared: int = 0
    numbers: int = 0
    warnings: int = 0
    only_portal: int = 0
    only_reference: int = 0
    value_mismatches: int = 0
    level_mismatches: int = 0
    max_rel_diff: float = 0.0
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.only_portal or self.only_reference or self.value_mismatches or self.level_mismatches)


def compare(conn, examples: int = 20) -> Agreement:
    with conn.cursor() as cur:
        cur.execute(
            f"""SELECT count(*) FILTER (WHERE in_portal AND in_reference),
                       count(*) FILTER (WHERE in_portal AND in_reference AND reference_level = ''),
                       count(*) FILTER (WHERE in_portal AND in_reference AND reference_level <> ''),
                       count(*) FILTER (WHERE in_portal AND NOT in_reference),
                       count(*) FILTER (WHERE in_reference AND NOT in_portal),
                       count(*) FILTER (WHERE in_portal AND in_reference AND (
                           (portal_value IS NULL) <> (reference_value IS NULL)
                           OR abs(portal_value - reference_value)
                              > {REL_TOL} * greatest(abs(portal_value), abs(reference_value)) + {ABS_TOL})),
                       count(*) FILTER (WHERE in_portal AND in_reference AND portal_level <> reference_level),
                       COALESCE(max(abs(portal_value - reference_value)
                                    / NULLIF(greatest(abs(portal_value), abs(reference_value)), 0)), 0)
                FROM ({JOINED}) j"""
        )
        agreement = Agreement(*cur.fetchone())
        if not agreement.ok:
            cur.execute(
                f"""SELECT r.code, r.level, j.year, j.metric, j.in_portal, j.in_reference,
                           j.portal_value, j.portal_level, j.reference_value, j.reference_level
                    FROM ({JOINED}) j JOIN regions_region r ON r.id = j.region_id
                    WHERE {DISAGREES}
                    ORDER BY j.metric, r.code, j.year LIMIT %s""",
                [examples],
            )
            for code, level, year, metric, in_p, in_r, pv, pl, rv, rl in cur.fetchall():
                portal = (pl or pv) if in_p else "absent"
                reference = (rl or rv) if in_r else "absent"
                agreement.examples.append(
                    f"{code} ({level}) {year} {metric}: portal {portal!r}, reference {reference!r}"
                )
    return agreement


def main() -> int:
    with psycopg2.connect(dsn()) as conn:
        agreement = compare(conn)
    print(agreement)
    return 0 if agreement.ok else 1


if __name__ == "__main__":
    sys.exit(main())
