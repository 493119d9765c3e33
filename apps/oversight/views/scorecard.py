"""The inspection scorecard page (thin): a region and year chosen, the obligations' statuses
(`apps.oversight.scorecard`), printable, and its xlsx download through the one writer."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.exports import download, people_xlsx, wants_xlsx

from .. import scorecard, summaries


def parse_year(text: str | None, user) -> int:
    """The year asked for (4 digits within the monitored years), else the default year; a
    malformed year is a 404 like an unknown region (the page names nothing it cannot show)."""
    if not text:
        return scorecard.default_year(user)
    if not scorecard.valid_year(text):
        raise Http404(_("No such year."))
    return int(text)


@action_required(Action.READ_SCORECARD)
def scorecard_page(request):
    user = request.user
    code = request.GET.get("region", "")
    region = scorecard.readable_region(user, code) if code else scorecard.default_region(user)
    if region is None:
        raise Http404(_("No such region in your jurisdiction."))
    year = parse_year(request.GET.get("year"), user)
    card = scorecard.build(region, year)
    if wants_xlsx(request):
        content = people_xlsx(
            scorecard.export_title(card),
            scorecard.export_headers(),
            scorecard.export_rows(card, request.build_absolute_uri),
            filters=scorecard.export_filters(card),
            version=str(card.data_version),
            notes=[card.overall_text],
            sheet_title=_("Inspection scorecard"),
        )
        return download(content, f"scorecard-{region.code}-{year}.xlsx")
    regions = list(
        scorecard.readable_regions(user).order_by("path").only("pk", "code", "name", "path", "level")[:500]
    )
    years = scorecard.year_choices(user)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    context = {
        "card": card,
        "region": region,
        "year": year,
        "regions": regions,
        "years": years,
        "summary_url": _summary_url(user, region, year),
    }
    return render(request, "oversight/scorecard.html", context)


def _summary_url(user, region, year) -> str:
    """The region-year's oversight summary page, when the user may open it."""
    if not any(scoping.can(user, a, region=region) for a in (Action.READ_SUMMARIES, Action.DRAFT_SUMMARY)):
        return ""
    if not (summaries.has_figures(region, year) or summaries.editions_for(region, year).exists()):
        return ""
    return reverse("oversight:summary", args=[region.level, region.code, year])
