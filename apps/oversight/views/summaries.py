"""Oversight summary pages (thin): the list of summaries, a region-year's page (issued editions,
the working draft for the government side, what changed between editions), the draft's actions
and the downloads. Permissions come from `apps.accounts.scoping`; the rules are in `summaries.py`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.regions.models import Region

from .. import documents, summaries
from .. import summary_contents as contents
from ..models import SummaryStatus

READ = (Action.READ_SUMMARIES, Action.DRAFT_SUMMARY)


def _region(user, level: str, code: str) -> Region:
    """The region if the user may read its summaries or draft them (404 otherwise: not revealed)."""
    for action in READ:
        region = summaries.readable_region(user, action, level, code)
        if region is not None:
            return region
    raise Http404(_("No such region in your jurisdiction."))


def _year(region: Region, year: int) -> int:
    if not (summaries.has_figures(region, year) or summaries.editions_for(region, year).exists()):
        raise Http404(_("No figures for this year."))
    return year


def _errors(request, exc: ValidationError) -> None:
    for field_messages in exc.message_dict.values():
        for message in field_messages:
            messages.error(request, message)


@action_required(READ)
def summary_list(request):
    """Issued editions the user may read, newest first, and (for the government side) the
    region-years they may draft."""
    editions = list(summaries.readable_editions(request.user).order_by("-issued_at", "-number")[:200])
    regions = {
        r.pk: r for r in Region.objects.filter(pk__in={summaries.edition_region_year(e)[0] for e in editions})
    }
    rows = []
    for edition in editions:
        region_id, year = summaries.edition_region_year(edition)
        rows.append({"edition": edition, "region": regions.get(region_id), "year": year})
    draftable = list(scoping.regions_for(request.user, Action.DRAFT_SUMMARY).order_by("path")[:500])
    own = getattr(request.user, "region", None)
    years = summaries.years_with_figures(own) if own is not None and own in draftable else []
    return render(
        request,
        "oversight/summaries/list.html",
        {"rows": rows, "draftable": draftable, "own": own if years else None, "years": years},
    )


@action_required(READ)
def summary_open(request):
    """The form of the list page: go to the summary of the region and year chosen."""
    level, _sep, code = request.GET.get("region", "").partition("/")
    year = request.GET.get("year", "")
    if not year.isdigit():
        raise Http404(_("No figures for this year."))
    region = _region(request.user, level, code)
    return redirect("oversight:summary", region.level, region.code, int(year))


@action_required(READ)
def summary_page(request, level: str, code: str, year: int):
    region = _region(request.user, level, code)
    year = _year(region, year)
    may_draft = scoping.can(request.user, Action.DRAFT_SUMMARY, region=region)
    may_issue = scoping.can(request.user, Action.ISSUE_SUMMARY, region=region)
    may_read = scoping.can(request.user, Action.READ_SUMMARIES, region=region)
    editions = list(summaries.editions_for(region, year)) if (may_read or may_draft) else []
    for edition in editions:  # the data version in the reader's language (stored: as issued)
        edition.shown_version = contents.version_text(edition.figures)
    current = editions[-1] if editions else None
    context = {
        "region": region,
        "year": year,
        "editions": list(reversed(editions)),
        "current": current,
        "may_draft": may_draft,
        "may_issue": may_issue,
        "scorecard_url": _scorecard_url(request.user, region, year),
    }
    if current is not None:
        context["body"] = documents.render_body(
            current.figures, number=current.number, issued_at=current.issued_at
        )
        if current.supersedes_id:
            context["diff"] = summaries.edition_diff(current.supersedes, current)
    if may_draft:
        draft = summaries.draft_of(region, year)
        context["draft"] = draft
        context["timeline"] = list(summaries.timeline(draft)) if draft else []
        if summaries.has_figures(region, year) and (draft is None or draft.status != SummaryStatus.ISSUED):
            figures = summaries.gather(region, year, next_steps=draft.next_steps if draft else "")
            context["draft_body"] = documents.render_body(figures)
            context["data_version"] = contents.version_text(figures)
    return render(request, "oversight/summaries/page.html", context)


def _scorecard_url(user, region: Region, year: int) -> str:
    """The same region-year's inspection scorecard, for those who may read it."""
    if not scoping.can(user, Action.READ_SCORECARD, region=region):
        return ""
    return f"{reverse('oversight:scorecard')}?{urlencode({'region': region.code, 'year': year})}"


@action_required(READ)
def edition_page(request, level: str, code: str, year: int, number: int):
    region = _region(request.user, level, code)
    if not scoping.can(request.user, Action.READ_SUMMARIES, region=region) and not scoping.can(
        request.user, Action.DRAFT_SUMMARY, region=region
    ):
        raise Http404
    edition = summaries.editions_for(region, year).filter(number=number).first()
    if edition is None:
        raise Http404(_("No such edition."))
    context = {
        "region": region,
        "year": year,
        "edition": edition,
        "body": documents.render_body(edition.figures, number=edition.number, issued_at=edition.issued_at),
        "diff": summaries.edition_diff(edition.supersedes, edition) if edition.supersedes_id else None,
        "downloads": [(fmt, label) for fmt, label in _download_labels() if fmt in _stored_formats(edition)],
    }
    return render(request, "oversight/summaries/edition.html", context)


def _download_labels() -> list[tuple[str, str]]:
    return [("pdf", _("Download PDF")), ("docx", _("Download Word")), ("html", _("Download HTML"))]


def _stored_formats(edition) -> set[str]:
    return {name.rsplit(".", 1)[-1] for name in edition.files.values_list("name", flat=True)}


@action_required(READ)
def edition_file(request, level: str, code: str, year: int, number: int, fmt: str):
    """A frozen file of an issued edition, exactly as stored (its SHA-256 in the header)."""
    region = _region(request.user, level, code)
    edition = summaries.editions_for(region, year).filter(number=number).first()
    found = edition.files.filter(name__endswith=f".{fmt}").first() if edition else None
    if found is None or fmt not in documents.FORMATS:
        raise Http404(_("No such file."))
    response = FileResponse(
        found.file.open("rb"), content_type=found.content_type, as_attachment=True, filename=found.name
    )
    response["X-Content-SHA256"] = found.sha256
    return response


@action_required(Action.DRAFT_SUMMARY)
def draft_file(request, level: str, code: str, year: int, fmt: str):
    """The working draft rendered now (not frozen): the DOCX for staff to edit, or the PDF/HTML."""
    region = summaries.readable_region(request.user, Action.DRAFT_SUMMARY, level, code)
    if region is None or fmt not in documents.FORMATS or not summaries.has_figures(region, year):
        raise Http404(_("No such file."))
    draft = summaries.draft_of(region, year)
    figures = summaries.gather(region, year, next_steps=draft.next_steps if draft else "")
    content = documents.render(figures, fmt)
    response = HttpResponse(content, content_type=documents.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{documents.file_stem(figures)}.{fmt}"'
    return response


def _act(request, level: str, code: str, year: int, action: Action, do) -> HttpResponse:
    region = summaries.readable_region(request.user, action, level, code)
    if region is None:
        raise Http404(_("No such region in your jurisdiction."))
    try:
        message = do(region)
    except ValidationError as exc:
        _errors(request, exc)
    except PermissionDenied:
        raise
    else:
        messages.success(request, message)
    return redirect("oversight:summary", region.level, region.code, year)


@require_POST
@action_required(Action.DRAFT_SUMMARY)
def draft_save(request, level: str, code: str, year: int):
    def do(region):
        summaries.summary_save(
            user=request.user, region=region, year=year, next_steps=request.POST.get("next_steps", "")
        )
        return _("Draft saved.")

    return _act(request, level, code, year, Action.DRAFT_SUMMARY, do)


@require_POST
@action_required(Action.DRAFT_SUMMARY)
def draft_review(request, level: str, code: str, year: int):
    def do(region):
        summaries.summary_review(user=request.user, region=region, year=year)
        return _("Draft marked reviewed: it can be issued.")

    return _act(request, level, code, year, Action.DRAFT_SUMMARY, do)


@require_POST
@action_required(Action.ISSUE_SUMMARY)
def draft_issue(request, level: str, code: str, year: int):
    def do(region):
        edition = summaries.summary_issue(
            user=request.user,
            region=region,
            year=year,
            correction_reason=request.POST.get("correction_reason", ""),
        )
        return _("Edition %(number)s issued and frozen.") % {"number": edition.number}

    return _act(request, level, code, year, Action.ISSUE_SUMMARY, do)
