"""A geographic tile grid: regions placed by their seat points, one tile per grid cell.

The portal ships no boundaries (shared/DESIGN.md "Maps"), so the barometer shows regions as equal
tiles arranged roughly where their seats lie: north at the top, east on the right. `snap()` is a
pure, deterministic function (same points → same grid), so the grid never jumps between requests.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

#: Seat points of the Jiangxi regions (code,name,level,longitude,latitude,source).
POINTS_FILE = Path(__file__).parent / "data" / "jiangxi_points.csv"
#: Grid cells per tile: some slack keeps tiles near their seats without a crowded, jagged grid.
CELLS_PER_TILE = 1.6
IMPROVEMENT_PASSES = 6


@dataclass(frozen=True)
class Point:
    key: str
    longitude: float
    latitude: float


@dataclass(frozen=True)
class Grid:
    """Tile positions (0-based row, column; row 0 is the north) and the grid's size."""

    cells: dict[str, tuple[int, int]]
    rows: int
    cols: int


@cache
def seat_points() -> dict[tuple[str, str], tuple[float, float]]:
    """(level, code) → (longitude, latitude), read once per process."""
    found: dict[tuple[str, str], tuple[float, float]] = {}
    if not POINTS_FILE.exists():
        return found
    with POINTS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                found[(row["level"], row["code"])] = (float(row["longitude"]), float(row["latitude"]))
            except (KeyError, ValueError):
                continue
    return found


def _grid_size(points: Sequence[Point]) -> tuple[int, int]:
    """Rows and columns for the points' extent (east-west distances shrunk by cos(latitude))."""
    n = len(points)
    lons = [p.longitude for p in points]
    lats = [p.latitude for p in points]
    mean_lat = math.radians(sum(lats) / n)
    width = max((max(lons) - min(lons)) * math.cos(mean_lat), 1e-9)
    height = max(max(lats) - min(lats), 1e-9)
    cells = max(n * CELLS_PER_TILE, 1)
    aspect = min(max(height / width, 0.2), 5.0)
    rows = max(1, round(math.sqrt(cells * aspect)))
    cols = max(1, math.ceil(cells / rows))
    while rows * cols < n:
        cols += 1
    return rows, cols


def _targets(points: Sequence[Point], rows: int, cols: int) -> dict[str, tuple[float, float]]:
    """Each point's ideal (row, col) position as real numbers on the grid."""
    lons = [p.longitude for p in points]
    lats = [p.latitude for p in points]
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    found = {}
    for p in points:
        x = (p.longitude - lon0) / (lon1 - lon0) if lon1 > lon0 else 0.5
        y = (lat1 - p.latitude) / (lat1 - lat0) if lat1 > lat0 else 0.5
        found[p.key] = (y * (rows - 1), x * (cols - 1))
    return found


def _cost(target: tuple[float, float], cell: tuple[int, int]) -> float:
    return (target[0] - cell[0]) ** 2 + (target[1] - cell[1]) ** 2


def snap(points: Iterable[Point]) -> Grid:
    """Place each point on its own grid cell, as near its seat as the others allow.

    Greedy placement (points in key order, each on the nearest free cell; ties broken by row
    then column), then a few passes of moves and swaps that lower the total squared
    displacement; finally empty rows and columns are dropped. Deterministic: keys and
    coordinates alone decide the result.
    """
    unique = {p.key: p for p in points}
    return _snap(tuple(unique[k] for k in sorted(unique)))


@lru_cache(maxsize=64)
def _snap(ordered: tuple[Point, ...]) -> Grid:
    if not ordered:
        return Grid({}, 0, 0)
    rows, cols = _grid_size(ordered)
    targets = _targets(ordered, rows, cols)
    all_cells = [(r, c) for r in range(rows) for c in range(cols)]
    owner: dict[tuple[int, int], str] = {}
    placed: dict[str, tuple[int, int]] = {}
    for p in ordered:
        target = targets[p.key]
        cell = min((cell for cell in all_cells if cell not in owner), key=lambda c: (_cost(target, c), c))
        owner[cell] = p.key
        placed[p.key] = cell
    for _ in range(IMPROVEMENT_PASSES):
        improved = False
        for p in ordered:
            here = placed[p.key]
            mine = targets[p.key]
            for cell in all_cells:
                if cell == here:
                    continue
                other = owner.get(cell)
                before = _cost(mine, here) + (_cost(targets[other], cell) if other else 0.0)
                after = _cost(mine, cell) + (_cost(targets[other], here) if other else 0.0)
                if after < before - 1e-9:
                    owner.pop(here)
                    if other:
                        owner[here] = other
                        placed[other] = here
                    owner[cell] = p.key
                    placed[p.key] = cell
                    here = cell
                    improved = True
        if not improved:
            break
    used_rows = sorted({r for r, _c in placed.values()})
    used_cols = sorted({c for _r, c in placed.values()})
    row_index = {r: i for i, r in enumerate(used_rows)}
    col_index = {c: i for i, c in enumerate(used_cols)}
    cells = {key: (row_index[r], col_index[c]) for key, (r, c) in placed.items()}
    return Grid(cells, len(used_rows), len(used_cols))
