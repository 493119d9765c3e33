"""Tip pages: the public form and lookup (no login), the staff's inbox, detail and statistics.

Public: `new` (GET shows the form to anyone — a signed-in user sees why they cannot file; POST
files, FILE_TIP, the public only), `filed` (the tracking number, once), `track` (POST the number:
status and published reply; an unknown or malformed number is the same 404). Staff: the inbox and
detail of the tips they handle (`tips.tips_for`), the handling steps, attachments (downloads with
safe headers), the statistics page (READ_TIP_STATS) and its xlsx.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.attachments import download_response
from apps.core.exports import download, wants_xlsx
from apps.core.views import error_text, paginate
from apps.regions.selectors import by_code

from .. import abuse, tip_exports, tips
from ..models import Tip, TipAttachment, TipStatus
from ..tip_forms import (
    HONEYPOT,
    AnswerForm,
    CloseForm,
    InboxFilterForm,
    LookupForm,
    NoteForm,
    RouteForm,
    TipForm,
)

FILED_SESSION_KEY = "disclosure_tip_filed"
PREFILL = ("category", "region", "figure_region", "figure_year", "figure_metric", "measure")
HANDLERS = (Action.TRIAGE_TIPS, Action.ANSWER_TIPS)


def _too_many(request, template: str, context: dict, rate: str):
    context["too_many"] = True
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(abuse.retry_after(rate))
    return response


# --- the public ------------------------------------------------------------------------------------


@action_required(Action.TRACK_TIP, write=(Action.FILE_TIP, Action.TRACK_TIP))
def tip_new(request):
    """The public tip form. Signed-in users see it refused with the reason (POST: 403)."""
    signed_in = not scoping.can(request.user, Action.FILE_TIP)
    if request.method == "POST":
        if signed_in:
            raise PermissionDenied(_(tips.SIGNED_IN_REFUSAL))
        if abuse.too_large(request):
            return HttpResponse(
                _("The request is too large."), status=413, content_type="text/plain; charset=utf-8"
            )
        form = TipForm(request.POST, request.FILES)
        if not request.session.session_key:
            # the visitor's session, to count their filings (abuse.session_key): started by a
            # filing, not by a page view, so crawlers create no session rows
            request.session.save()
        if abuse.filing_limited(request):
            context = {"form": form, "honeypot": HONEYPOT}
            return _too_many(request, "disclosure/tips/form.html", context, settings.TIP_RATE_PER_IP)
        if form.is_valid():
            tip = tips.tip_file(user=request.user, data=form.tip_input())
            request.session[FILED_SESSION_KEY] = tip.tracking_number
            return redirect("disclosure:tip-filed")
        status = 400
    else:
        # A public page links here with the figure it shows: ?region=…&figure_year=…&figure_metric=…
        prefill = {k: v[:64] for k, v in request.GET.items() if k in PREFILL}
        form = TipForm(initial=prefill)
        status = 200
    context = {"form": form, "signed_in": signed_in, "honeypot": HONEYPOT}
    return render(request, "disclosure/tips/form.html", context, status=status)


@action_required(Action.TRACK_TIP)
def tip_filed(request):
    """The tracking number of the tip just filed, shown once (kept in the session, never in a URL)."""
    number = request.session.pop(FILED_SESSION_KEY, None)
    if number is None:
        return redirect("disclosure:tip-track")
    tip = tips.tip_by_number(number)
    if tip is None:
        raise Http404
    return render(request, "disclosure/tips/filed.html", {"number": tip.display_number, "due_on": tip.due_on})


@action_required(Action.TRACK_TIP)
def tip_track(request):
    """Look a tip up by its number (POSTed, so it stays out of URLs and logs): status and reply."""
    if request.method != "POST":
        return render(request, "disclosure/tips/track.html", {"form": LookupForm()})
    form = LookupForm(request.POST)
    if abuse.lookup_limited(request):
        return _too_many(
            request, "disclosure/tips/track.html", {"form": form}, settings.TIP_LOOKUP_RATE_PER_IP
        )
    tip = tips.tip_by_number(form.data.get("number")) if form.is_valid() else None
    if tip is None:
        return render(request, "disclosure/tips/track.html", {"form": form, "not_found": True}, status=404)
    return render(
        request, "disclosure/tips/track.html", {"form": LookupForm(), "status": tips.PublicStatus.of(tip)}
    )


# --- staff -----------------------------------------------------------------------------------------


@action_required(HANDLERS)
def tip_inbox(request):
    """The tips the user handles, with filters (status, category, region, overdue)."""
    mine = tips.tips_for(request.user)
    regions = scoping.regions_for(request.user, Action.TRIAGE_TIPS) | scoping.regions_for(
        request.user, Action.ANSWER_TIPS
    )
    form = InboxFilterForm(request.GET or None, regions=regions.distinct().order_by("path"))
    filters = tips.TipFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = tips.TipFilters(
            status=data["status"], category=data["category"], region=data["region"], overdue=data["overdue"]
        )
    today = timezone.localdate()
    rows = filters.apply(mine, today=today).select_related("region", "department__region")
    page = paginate(request, rows)
    context = {
        "form": form,
        "page": page,
        "today": today,
        "open_count": mine.filter(status__in=tips.OPEN_STATUSES).count(),
        "overdue_count": tips.overdue(mine, today=today).count(),
        "may_read_stats": scoping.can(request.user, Action.READ_TIP_STATS),
    }
    return render(request, "disclosure/tips/inbox.html", context)


def _tip_or_404(request, pk: int) -> Tip:
    try:
        return tips.handled_tip(request.user, pk)
    except Tip.DoesNotExist:
        raise Http404 from None


def _detail_context(request, tip: Tip, **forms) -> dict:
    user = request.user
    triage, answer = tips.may_triage(user, tip), tips.may_answer(user, tip)
    departments = tips.route_choices(tip)
    suggested = tips.suggested_department(tip)
    context = {
        "tip": tip,
        "events": tips.timeline(tip),
        "attachments": tip.attachments.all(),
        "may_triage": triage,
        "may_answer": answer,
        "overdue": tip.is_overdue(),
        "suggested": suggested,
        "route_form": RouteForm(
            departments=departments, initial={"department": suggested.pk if suggested else None}
        ),
        "investigate_form": NoteForm(),
        "answer_form": AnswerForm(initial={"reply": tip.reply}),
        "close_form": CloseForm(),
        "statuses": TipStatus,
    }
    context.update({f"{name}_form": form for name, form in forms.items()})
    return context


@action_required(HANDLERS)
def tip_detail(request, pk: int):
    tip = _tip_or_404(request, pk)
    return render(request, "disclosure/tips/detail.html", _detail_context(request, tip))


STEPS = ("route", "investigate", "answer", "publish", "close")


@require_POST
@action_required(HANDLERS)
def tip_step(request, pk: int, step: str):
    """One handling step; the service checks who may take it and the tip's state."""
    tip = _tip_or_404(request, pk)
    if step not in STEPS:
        raise Http404
    form = None
    try:
        if step == "route":
            form = RouteForm(request.POST, departments=tips.route_choices(tip))
            if form.is_valid():
                department = form.cleaned_data["department"]
                sector = form.cleaned_data["sector"]
                if department is None and sector is not None:
                    department = tips.sector_lead_department(sector, tip.region)
                if department is None:
                    raise ValidationError({"department": _("Choose a department or a sector.")})
                tips.tip_route(
                    user=request.user, tip=tip, department=department, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The tip was routed to %(d)s.") % {"d": department.name})
        elif step == "investigate":
            form = NoteForm(request.POST)
            if form.is_valid():
                tips.tip_investigate(user=request.user, tip=tip, note=form.cleaned_data["note"])
                messages.success(request, _("The investigation was started."))
        elif step == "answer":
            form = AnswerForm(request.POST)
            if form.is_valid():
                tips.tip_answer(user=request.user, tip=tip, reply=form.cleaned_data["reply"])
                messages.success(
                    request, _("The answer was saved. Publish it to show it to the person who filed the tip.")
                )
        elif step == "publish":
            tips.tip_publish_reply(user=request.user, tip=tip)
            messages.success(request, _("The reply is published: anyone with the tracking number reads it."))
        elif step == "close":
            form = CloseForm(request.POST)
            if form.is_valid():
                tips.tip_close(user=request.user, tip=tip, reason=form.cleaned_data["reason"])
                messages.success(request, _("The tip was closed."))
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.error(request, error_text(exc))
            return redirect("disclosure:tip-detail", pk=tip.pk)
    if form is not None and form.errors:
        tip = _tip_or_404(request, pk)
        return render(
            request, "disclosure/tips/detail.html", _detail_context(request, tip, **{step: form}), status=400
        )
    return redirect("disclosure:tip-detail", pk=tip.pk)


@action_required(HANDLERS)
def tip_attachment(request, pk: int, attachment_pk: int):
    """An attachment, to the staff handling the tip only, as a download with safe headers."""
    tip = _tip_or_404(request, pk)
    try:
        attachment = tip.attachments.get(pk=attachment_pk)
    except TipAttachment.DoesNotExist:
        raise Http404 from None
    return download_response(attachment.file, name=attachment.name, content_type=attachment.content_type)


@action_required(Action.READ_TIP_STATS)
def tip_statistics(request):
    """Counts by region, department, category and status in the user's scope (and its xlsx)."""
    region = by_code(request.GET.get("region", "")) if request.GET.get("region") else None
    if (
        region is not None
        and not scoping.regions_for(request.user, Action.READ_TIP_STATS).filter(pk=region.pk).exists()
    ):
        raise Http404
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() and len(year) == 4 else None
    stats = tips.tip_statistics(request.user, region=region, year=year)
    if wants_xlsx(request):
        scope_label = region.name if region else _("Everything in your jurisdiction")
        content = tip_exports.statistics_workbook(stats, scope_label=scope_label, year=year)
        return download(content, "tip-statistics.xlsx")
    context = {"stats": stats, "region": region, "year": year, "params": request.GET.urlencode()}
    return render(request, "disclosure/tips/statistics.html", context)
