"""Loading the GB/T 2260 region tree from CSV: validated in full, then written all-or-nothing."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Region, RegionLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
JIANGXI_CSV = DATA_DIR / "jiangxi.csv"
NATIONAL_CSV = DATA_DIR / "china_divisions.csv"
REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")
PARENT_LEVEL = {RegionLevel.CITY: RegionLevel.PROVINCE, RegionLevel.COUNTY: RegionLevel.CITY}
CODE_RE = re.compile(r"^\d{6}$")


class RegionDataError(Exception):
    """The file was rejected; `errors` name each offending line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


def _parse(path: Path) -> list[_Row]:
    errors: list[str] = []
    rows: list[_Row] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegionDataError([f"line 1: missing column(s): {', '.join(missing)}"])
        seen: dict[tuple[str, str], int] = {}
        for line, raw in enumerate(reader, start=2):
            code = (raw["code"] or "").strip()
            name = (raw["name"] or "").strip()
            level = (raw["level"] or "").strip()
            parent_code = (raw["parent_code"] or "").strip()
            if not CODE_RE.match(code):
                errors.append(f"line {line}: code {code!r} is not a six-digit GB/T 2260 code")
                continue
            if not name:
                errors.append(f"line {line}: region {code} has no name")
            if level not in RegionLevel.values:
                errors.append(f"line {line}: level {level!r} is not one of {RegionLevel.values}")
                continue
            if (code, level) in seen:
                errors.append(
                    f"line {line}: duplicate code {code} ({level}), first on line {seen[code, level]}"
                )
                continue
            seen[code, level] = line
            if level == RegionLevel.PROVINCE and parent_code:
                errors.append(f"line {line}: province {code} cannot have a parent")
            if level != RegionLevel.PROVINCE and not parent_code:
                errors.append(f"line {line}: {level} {code} needs a parent_code")
            rows.append(_Row(line, code, name, level, parent_code))
    if errors:
        raise RegionDataError(errors)
    return rows


def _resolve(rows: list[_Row]) -> dict[tuple[str, str], tuple[_Row, str | None]]:
    """Give every row its path and its parent's (code, level), checking parents exist."""
    errors: list[str] = []
    existing = {(r.code, r.level): r.path for r in Region.objects.all()}
    paths: dict[tuple[str, str], str] = dict(existing)
    order = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}
    resolved: dict[tuple[str, str], tuple[_Row, str | None]] = {}
    for row in sorted(rows, key=lambda r: (order[r.level], r.line)):
        key = (row.code, row.level)
        if row.level == RegionLevel.PROVINCE:
            paths[key] = f"{row.code}/"
            resolved[key] = (row, None)
            continue
        parent_key = (row.parent_code, PARENT_LEVEL[row.level])
        if parent_key not in paths:
            errors.append(
                f"line {row.line}: unknown parent region code {row.parent_code} "
                f"(expected a {parent_key[1]}) for {row.code}"
            )
            continue
        paths[key] = f"{paths[parent_key]}{row.code}/"
        resolved[key] = (row, paths[parent_key])
    if errors:
        raise RegionDataError(sorted(errors, key=lambda e: int(e.split()[1].rstrip(":"))))
    return {k: (row, paths[k]) for k, (row, _) in resolved.items()}


@transaction.atomic
def load_regions_csv(path: Path | str) -> LoadResult:
    """Upsert every region of the file; running it twice changes nothing."""
    rows = _parse(Path(path))
    resolved = _resolve(rows)
    existing = {(r.code, r.level): r for r in Region.objects.select_for_update()}
    by_path: dict[str, Region] = {r.path: r for r in existing.values()}
    created = updated = unchanged = 0
    order = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}
    for level in sorted(order, key=order.get):
        to_create: list[Region] = []
        to_update: list[Region] = []
        for key, (row, path_) in resolved.items():
            if row.level != level:
                continue
            parent_path = path_[: path_.rstrip("/").rfind("/") + 1] or None
            parent = by_path.get(parent_path) if parent_path else None
            region = existing.get(key)
            if region is None:
                region = Region(code=row.code, name=row.name, level=row.level, parent=parent, path=path_)
                to_create.append(region)
            elif (region.name, region.parent_id, region.path) != (
                row.name,
                parent.pk if parent else None,
                path_,
            ):
                region.name, region.parent, region.path = row.name, parent, path_
                to_update.append(region)
            else:
                unchanged += 1
        Region.objects.bulk_create(to_create, batch_size=1000)
        Region.objects.bulk_update(to_update, ["name", "parent", "path"], batch_size=1000)
        created += len(to_create)
        updated += len(to_update)
        if to_create:  # fetch ids (SQLite's bulk_create does not return them)
            for region in Region.objects.filter(path__in=[r.path for r in to_create]):
                by_path[region.path] = region
        for region in to_update:
            by_path[region.path] = region
    return LoadResult(created=created, updated=updated, unchanged=unchanged)
