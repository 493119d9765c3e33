"""Server-rendered pages of inquiries: the list (per congress, department, status; Excel), the
form a member puts one with, and the detail page where the addressee answers and the member
closes it or follows up. Thin: rows from the scoped selector (outside the read scope: 404),
writes through `apps/oversight/inquiries.py` (refused: 403; invalid: the form again with every
field's error and the user's input; wrong state: a message)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts import scoping
from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action
from apps.core.attachments import download_response
from apps.core.exports import form_filter_texts, wants_xlsx, xlsx_response
from apps.core.forms import add_service_errors
from apps.core.views import bound_args, error_text, paginate
from apps.organizations.models import Department
from apps.regions.models import Region
from apps.regions.selectors import by_code

from .. import inquiries
from ..inquiry_filters import InquiryFilter
from ..inquiry_forms import AnswerFormForm, CloseForm, DecideForm, FollowUpForm, InquiryForm
from ..models import Inquiry, InquiryAttachment, InquiryKind, InquiryStatus


def _for_read(user, pk: int) -> Inquiry:
    return get_object_or_404(inquiries.inquiry_list(user), pk=pk)


@action_required(Action.READ_INQUIRIES)
def inquiry_list(request):
    user = request.user
    filterset = InquiryFilter(request.GET, queryset=inquiries.inquiry_list(user))
    if wants_xlsx(request):
        return xlsx_response(
            "inquiries.xlsx",
            _("Inquiries"),
            inquiries.export_headers(),
            inquiries.export_rows(filterset.qs),
            filters=form_filter_texts(filterset.form),
        )
    today = inquiries.today()
    page = paginate(request, filterset.qs)
    for row in page:
        row.overdue = row.is_overdue(today)
    readable = inquiries.readable_inquiries(user)
    congresses = Region.objects.filter(pk__in=readable.values("region")).order_by("path")
    departments = Department.objects.filter(pk__in=readable.values("department")).select_related("region")
    counts = inquiries.inquiry_counts(user, regions=None)
    return render(
        request,
        "oversight/inquiries/list.html",
        {
            "filter": filterset,
            "f": {k: request.GET.get(k, "") for k in filterset.filters},
            "page": page,
            "kinds": InquiryKind.choices,
            "statuses": InquiryStatus.choices,
            "congresses": congresses,
            "departments": departments,
            "totals": {
                "unanswered": sum(c.unanswered for c in counts.values()),
                "overdue": sum(c.overdue for c in counts.values()),
            },
            "may_put": scoping.scope_of(user, Action.PUT_INQUIRY) is not None,
            "querystring": request.GET.urlencode(),
        },
    )


def _congress_region(request) -> Region | None:
    """The congress a new inquiry is put by: the member's own; an administrator picks one."""
    user = request.user
    if not scoping.is_admin(user):
        return user.region
    code = request.POST.get("region") or request.GET.get("region") or ""
    return by_code(code) if code else None


@action_required(Action.PUT_INQUIRY)
def inquiry_create(request):
    region = _congress_region(request)
    if region is None:
        regions = Region.objects.order_by("path")
        return render(request, "oversight/inquiries/pick_region.html", {"regions": regions})
    scoping.require(request.user, Action.PUT_INQUIRY, region=region)
    form = InquiryForm(*bound_args(request), user=request.user, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = inquiries.inquiry_put(user=request.user, region=region, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Inquiry put to %(who)s.") % {"who": inquiry.addressee_label})
            return redirect(inquiry)
    return render(
        request,
        "oversight/inquiries/form.html",
        {
            "form": form,
            "region": region,
            "least_signatories": inquiries.signatory_minimum(region),
            "status": 400 if form.errors else 200,
        },
        status=400 if form.errors else 200,
    )


@action_required(Action.READ_INQUIRIES)
def inquiry_detail(request, pk: int, *, forms: dict | None = None, status: int = 200):
    user = request.user
    inquiry = _for_read(user, pk)
    forms = forms or {}
    may_answer = inquiries.may_answer(user, inquiry) and inquiry.status == InquiryStatus.OPEN
    may_conclude = inquiries.may_conclude(user, inquiry) and inquiry.status == InquiryStatus.ANSWERED
    return render(
        request,
        "oversight/inquiries/detail.html",
        {
            "inquiry": inquiry,
            "overdue": inquiry.is_overdue(inquiries.today()),
            "rounds": inquiries.conversation(inquiry),
            "events": inquiries.timeline(inquiry),
            "may_answer": may_answer,
            "may_conclude": may_conclude,
            "may_decide": inquiries.may_conclude(user, inquiry)
            and inquiry.kind == InquiryKind.QUESTION
            and inquiry.status != InquiryStatus.CLOSED,
            "answer_form": forms.get("answer") or AnswerFormForm(),
            "follow_up_form": forms.get("follow_up") or FollowUpForm(),
            "close_form": forms.get("close") or CloseForm(),
            "decide_form": forms.get("decide") or DecideForm(initial={"answer_form": inquiry.answer_form}),
        },
        status=status,
    )


def _step(request, pk: int, *, form_class, name: str, call, done: str):
    """One workflow step from the detail page: parse, call the service, show what went wrong."""
    inquiry = _for_read(request.user, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            call(inquiry, form.cleaned_data)
        except inquiries.InvalidTransition as exc:
            messages.error(request, error_text(exc))
            return redirect(inquiry)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(inquiry)
    return inquiry_detail(request, pk, forms={name: form}, status=400)


@require_POST
@action_required(Action.READ_INQUIRIES, write=Action.ANSWER_INQUIRY)
def inquiry_answer(request, pk: int):
    def call(inquiry, data):
        inquiries.inquiry_answer(user=request.user, inquiry=inquiry, text=data["text"], uploads=data["files"])

    return _step(request, pk, form_class=AnswerFormForm, name="answer", call=call, done=_("Answer sent."))


@require_POST
@action_required(Action.READ_INQUIRIES, write=Action.PUT_INQUIRY)
def inquiry_follow_up(request, pk: int):
    def call(inquiry, data):
        inquiries.inquiry_follow_up(user=request.user, inquiry=inquiry, **data)

    return _step(
        request, pk, form_class=FollowUpForm, name="follow_up", call=call, done=_("Follow-up asked.")
    )


@require_POST
@action_required(Action.READ_INQUIRIES, write=Action.PUT_INQUIRY)
def inquiry_close(request, pk: int):
    def call(inquiry, data):
        inquiries.inquiry_close(user=request.user, inquiry=inquiry, **data)

    return _step(
        request,
        pk,
        form_class=CloseForm,
        name="close",
        call=call,
        done=_("Marked satisfactory; the inquiry is closed."),
    )


@require_POST
@action_required(Action.READ_INQUIRIES, write=Action.PUT_INQUIRY)
def inquiry_decide_form(request, pk: int):
    def call(inquiry, data):
        inquiries.inquiry_decide_form(user=request.user, inquiry=inquiry, **data)

    return _step(
        request, pk, form_class=DecideForm, name="decide", call=call, done=_("Form of answer recorded.")
    )


@require_GET
@action_required(Action.READ_INQUIRIES)
def attachment_download(request, pk: int, attachment_pk: int):
    """A file of an answer: only for users who may read the inquiry."""
    inquiry = _for_read(request.user, pk)
    item = get_object_or_404(InquiryAttachment, pk=attachment_pk, answer__inquiry=inquiry)
    return download_response(item.file, name=item.original_name, content_type=item.content_type)
