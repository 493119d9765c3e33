"""What the public may see: only frozen figures of publications in force (issue 12 item 2).

Nothing here reads a live `Assessment`: every figure comes from the frozen copy of a publication
(`publications.frozen`). For a year, each region is shown from the newest publication in force
whose subtree holds it (`published_year`); a region or a year no such publication names is
unknown to the public (the views answer 404), whatever exists in the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from . import groups as registry
from .models import Publication
from .publications import active, frozen


def state_of(publications: list[Publication]) -> tuple:
    """A version of everything public: the publications in force and their frozen copies' seals
    (moves with every publish, supersede and withdrawal)."""
    return tuple((p.pk, p.edition.sha256) for p in publications)


def current() -> tuple[tuple, list[Publication]]:
    """(state, publications in force): one query."""
    pubs = active()
    return state_of(pubs), pubs


@dataclass(frozen=True)
class PublicRegion:
    path: str
    code: str
    name: str
    level: str

    @property
    def parent_path(self) -> str | None:
        parts = self.path.strip("/").split("/")
        return "".join(f"{p}/" for p in parts[:-1]) or None


@dataclass
class Index:
    """One edition's frozen figures, by region path."""

    figures: dict[str, dict[str, dict[int, str]]]  # path → metric → year → value (text)
    targets: dict[str, dict[str, dict[str, str]]]  # path → period code → metric → value
    explain: dict[str, dict[str, dict]]  # path → warning metric → {"f", "in"}
    rows: dict[str, list[tuple[str, int, str, str]]]  # path → (path, year, metric, value) of every group
    extra: dict[str, object]  # group key → frozen data of groups without figures rows
    regions: list[PublicRegion]
    first_year: int


@lru_cache(maxsize=32)
def index(edition_id: int, seal: str = "") -> Index:
    data = frozen(edition_id, seal)
    figures: dict = defaultdict(lambda: defaultdict(dict))
    targets: dict = defaultdict(lambda: defaultdict(dict))
    explain: dict = {}
    rows: dict = defaultdict(list)
    extra: dict = {}
    for key, item in (data.get("items") or {}).items():
        group = registry.get(key)
        if group is None:
            continue
        found = list(group.rows(item))
        for path, year, metric, value in found:
            figures[path][metric][int(year)] = value
            rows[path].append((path, int(year), metric, value))
        if isinstance(item, dict):
            for path, period, metric, value in item.get("targets", ()):
                targets[path][period][metric] = value
            for path, by_metric in (item.get("explain") or {}).items():
                explain.setdefault(path, {}).update(by_metric)
        if not found:
            extra[key] = item
    for path in rows:
        rows[path].sort(key=lambda r: (r[1], r[2]))
    return Index(
        figures={p: dict(m) for p, m in figures.items()},
        targets={p: dict(m) for p, m in targets.items()},
        explain=explain,
        rows=dict(rows),
        extra=extra,
        regions=[PublicRegion(r["path"], r["code"], r["name"], r["level"]) for r in data.get("regions", ())],
        first_year=int(data.get("first_year") or data.get("year") or 0),
    )


def index_of(publication: Publication) -> Index:
    return index(publication.edition_id, publication.edition.sha256)


@dataclass
class PublishedYear:
    year: int
    regions: dict[str, PublicRegion] = field(default_factory=dict)  # path → region, in path order
    owner: dict[str, Publication] = field(default_factory=dict)  # path → the publication showing it

    def region_by_code(self, code: str) -> PublicRegion | None:
        """The published region with `code` (the higher level when a city and its county share it)."""
        found = [r for r in self.regions.values() if r.code == code]
        return min(found, key=lambda r: len(r.path)) if found else None

    def index_of(self, path: str) -> Index:
        return index_of(self.owner[path])

    def groups_of(self, path: str) -> list[str]:
        return list(self.owner[path].groups)

    def rows(self, path: str) -> list[tuple[str, int, str, str]]:
        return self.index_of(path).rows.get(path, [])

    def series(self, path: str) -> dict[str, dict[int, str]]:
        return self.index_of(path).figures.get(path, {})

    @property
    def roots(self) -> list[PublicRegion]:
        """Published regions whose parent is not published this year (the tops of the tree)."""
        return [r for r in self.regions.values() if r.parent_path not in self.regions]

    def children(self, path: str) -> list[PublicRegion]:
        return [r for r in self.regions.values() if r.parent_path == path]


def published_years(publications: list[Publication] | None = None) -> list[int]:
    pubs = active() if publications is None else publications
    return sorted({p.year for p in pubs}, reverse=True)


_YEARS: dict[tuple, PublishedYear | None] = {}


def published_year(year: int, publications: list[Publication] | None = None) -> PublishedYear | None:
    """The regions public for `year` and the publication showing each (None: nothing public);
    kept per process for the same publications in force (a few, each small)."""
    pubs = active() if publications is None else publications
    key = (year, state_of(pubs))
    if key not in _YEARS:
        if len(_YEARS) > 16:
            _YEARS.clear()
        _YEARS[key] = _published_year(year, pubs)
    return _YEARS[key]


def _published_year(year: int, publications: list[Publication]) -> PublishedYear | None:
    pubs = [p for p in publications if p.year == year]
    if not pubs:
        return None
    found = PublishedYear(year)
    for publication in pubs:  # newest first: the newest publication holding a region shows it
        for region in index_of(publication).regions:
            if region.path not in found.owner:
                found.owner[region.path] = publication
                found.regions[region.path] = region
    found.regions = dict(sorted(found.regions.items()))
    return found


def figure_is_published(region, year: int, metric: str) -> bool:
    """Is `metric` of `region` for `year` shown by a publication in force (as the year's figure or
    in a later year's trend)? A tip may only point at what the public can see."""
    year = int(year)
    for publication in active():
        series = index_of(publication).figures.get(region.path, {})
        if year in series.get(metric, {}):
            return True
    return False
