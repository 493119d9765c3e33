"""The inspection scorecard (执法检查, shared/spec/oversight.md): for a region and year, each obligation
of the decision that the portal can evidence, with its status, the counts behind it in words and a
link to the evidence.

The obligations are a registry, like the summary sections: each app contributes the obligations
it holds the evidence for in a module `apps/<app>/obligations.py` exporting `OBLIGATIONS` (a list of
`Obligation`), found like `nav.py`. An app above oversight (disclosure: figures published, tips
answered) can so add its own without oversight importing it. `order` keeps the spec's order.

An obligation's `evaluate(ctx)` reads the region's subtree for the year with a constant number of
queries (never one per sub-region) and returns a `Finding`. The scorecard is live: it reads the
current state, it is not frozen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from django.utils import timezone, translation
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts import scoping
from apps.accounts.app_modules import portal_app_modules
from apps.accounts.scoping import Action
from apps.core.exports import filter_text
from apps.monitoring import years as figure_years
from apps.regions.models import Region


class Status(StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"


STATUS_LABELS = {
    Status.MET: gettext_lazy("Met"),
    Status.PARTLY: gettext_lazy("Partly met"),
    Status.NOT_MET: gettext_lazy("Not met"),
    Status.NOT_APPLICABLE: gettext_lazy("Not applicable"),
}
#: The icon shown beside the word (never the colour alone).
STATUS_ICONS = {Status.MET: "✓", Status.PARTLY: "◐", Status.NOT_MET: "✗", Status.NOT_APPLICABLE: "–"}


def ratio_status(done: int, total: int) -> Status:
    """The status of "done of total": all met, none, some; nothing to count is not applicable."""
    if total <= 0:
        return Status.NOT_APPLICABLE
    if done >= total:
        return Status.MET
    return Status.NOT_MET if done <= 0 else Status.PARTLY


@dataclass(frozen=True)
class ScorecardContext:
    """What every obligation reads: the region, the year, today, and the subtree (read once)."""

    region: Region
    year: int
    on: date

    @cached_property
    def children(self) -> list[Region]:
        """The regions directly below, in code order (one query, shared by the obligations)."""
        return list(Region.objects.filter(parent_id=self.region.pk).order_by("path"))

    def names(self, regions: Iterable, limit: int = 8) -> str:
        """Names for a sentence: "甲县、乙县 and 3 more" (the list separator of the language)."""
        names = [getattr(r, "name", r) for r in regions]
        sep = "、" if (translation.get_language() or "").startswith("zh") else ", "
        shown = sep.join(str(n) for n in names[:limit])
        if len(names) > limit:
            shown += _(" and %(n)s more") % {"n": len(names) - limit}
        return shown


@dataclass(frozen=True)
class Finding:
    """An obligation's state: status, the counts behind it (`done` of `total`, plain data for the
    API) and the same in words for people; the evidence page (filtered where possible)."""

    status: Status
    text: str
    done: int | None = None
    total: int | None = None
    missing: tuple[str, ...] = ()
    evidence_url: str = ""


@dataclass(frozen=True)
class Obligation:
    """One obligation of the decision: `code`, translatable `name`, the article it comes from,
    `evaluate(ctx) -> Finding`, its place in the spec's order, the evidence page's label."""

    code: str
    name: str | Promise
    evaluate: Callable[[ScorecardContext], Finding]
    order: int = 100
    basis: str | Promise = ""
    evidence_label: str | Promise = field(default=gettext_lazy("Evidence"))


def registered_obligations() -> list[Obligation]:
    """Every obligation of the `apps/<app>/obligations.py` modules, in the spec's order."""
    found: dict[str, Obligation] = {}
    for _config, module in portal_app_modules("obligations"):
        for obligation in getattr(module, "OBLIGATIONS", ()):
            found[obligation.code] = obligation
    return sorted(found.values(), key=lambda o: (o.order, o.code))


@dataclass(frozen=True)
class Row:
    obligation: Obligation
    finding: Finding

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.finding.status])

    @property
    def icon(self) -> str:
        return STATUS_ICONS[self.finding.status]


@dataclass(frozen=True)
class Scorecard:
    region: Region
    year: int
    rows: list[Row]
    data_version: figure_years.DataVersion
    generated_at: datetime

    def count(self, status: Status) -> int:
        return sum(1 for r in self.rows if r.finding.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in Status}

    @property
    def applicable(self) -> int:
        return len(self.rows) - self.count(Status.NOT_APPLICABLE)

    @property
    def overall_text(self) -> str:
        """The line an inspection team reads first."""
        return _(
            "%(met)s of %(applicable)s obligations met, %(partly)s partly met, %(not_met)s not met "
            "(%(na)s not applicable)."
        ) % {
            "met": self.count(Status.MET),
            "applicable": self.applicable,
            "partly": self.count(Status.PARTLY),
            "not_met": self.count(Status.NOT_MET),
            "na": self.count(Status.NOT_APPLICABLE),
        }


# ---- reads -----------------------------------------------------------------------------------------


def readable_regions(user):
    """Regions whose scorecard `user` may read (roles.md v1.1: own region's, subtree, all)."""
    return scoping.regions_for(user, Action.READ_SCORECARD)


def readable_region(user, code: str) -> Region | None:
    """The region with `code` if `user` may read its scorecard (None: unknown or outside: a 404)."""
    if not code:
        return None
    return readable_regions(user).filter(code=code).first()


def default_region(user) -> Region | None:
    """The user's own region if they may read it, else the first (top) region they may read."""
    own = getattr(user, "region", None)
    if own is not None and scoping.can(user, Action.READ_SCORECARD, region=own):
        return own
    return readable_regions(user).order_by("path").first()


MIN_YEAR, MAX_YEAR = 2005, 2060  # the years the portal monitors (plans/models EARLIEST_BASELINE_YEAR)


def valid_year(text: str) -> bool:
    """A year as asked for in a URL: four digits within the monitored years."""
    return text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR


def default_year(user) -> int:
    """The year the figures pages open on (`monitoring.years.default_year`), else last year."""
    return figure_years.default_year(user) or timezone.localdate().year - 1


def year_choices(user) -> list[int]:
    """Years to choose from: those with figures, and last year (a scorecard needs no figures)."""
    years = set(figure_years.years_with_results(user)) | {timezone.localdate().year - 1}
    return sorted(years, reverse=True)


def build(region: Region, year: int, *, on: date | None = None) -> Scorecard:
    """The live scorecard of `region` and `year`; the caller has checked READ_SCORECARD."""
    ctx = ScorecardContext(region=region, year=year, on=on or timezone.localdate())
    rows = [Row(o, o.evaluate(ctx)) for o in registered_obligations()]
    return Scorecard(
        region=region,
        year=year,
        rows=rows,
        data_version=figure_years.data_version(),
        generated_at=timezone.localtime(),
    )


def export_rows(card: Scorecard, absolute: Callable[[str], str] = str) -> list[list]:
    """The scorecard's table for the xlsx download (the page's columns; `absolute` makes the
    evidence links full URLs, so they open from the file)."""
    return [
        [
            str(row.obligation.name),
            f"{row.icon} {row.status_label}",
            row.finding.done,
            row.finding.total,
            row.finding.text,
            absolute(row.finding.evidence_url) if row.finding.evidence_url else "",
        ]
        for row in card.rows
    ]


def export_headers() -> list[str]:
    return [_("Obligation"), _("Status"), _("Done (count)"), _("Total (count)"), _("In words"), _("Evidence")]


def export_title(card: Scorecard) -> str:
    return _("Inspection scorecard: %(region)s, %(year)s") % {"region": card.region.name, "year": card.year}


def export_filters(card: Scorecard) -> list[str]:
    return [filter_text(_("Region"), card.region.name), filter_text(_("Year"), card.year)]
