"""Inquiries (oversight.md "Inquiries", roles.md v1.1): who may put, answer, close and read them;
bad input refused with every field named at once; the timeline; frozen anchors; the counts
other apps use; reminders once a day."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts import scoping
from apps.monitoring.models import Assessment
from apps.oversight import inquiries as svc
from apps.oversight import inquiry_reminders
from apps.oversight.models import Inquiry, InquiryEvent, InquiryKind, InquiryStatus, SignatoryMinimum
from tests.factories import dept

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def put(people, who="congress_donghu", code="360102", kind=InquiryKind.INQUIRY, department=None, **extra):
    from apps.regions.selectors import by_code

    fields = {
        "subject": "能耗强度下降进度",
        "question": "为何能耗强度下降滞后于进度要求？",
        "deadline": svc.today() + timedelta(days=30),
    } | extra
    return svc.inquiry_put(user=people[who], kind=kind, region=by_code(code), department=department, **fields)


def ndrc(code="360102"):
    return dept(code, "development_reform")


# --- putting ------------------------------------------------------------------------------------------


def test_a_county_congress_member_puts_an_inquiry_to_a_department_of_the_county(people):
    inquiry = put(people, department=ndrc())
    assert inquiry.status == InquiryStatus.OPEN and inquiry.region.code == "360102"
    assert inquiry.asked_by == people["congress_donghu"]
    assert [e.kind for e in svc.timeline(inquiry)] == ["put"]
    assert svc.timeline(inquiry)[0].actor == people["congress_donghu"]


@pytest.mark.parametrize(
    "who", ["congress_nanchang", "congress_province", "congress_xihu", "donghu", "province"]
)
def test_only_the_region_s_own_congress_puts_inquiries_there(people, who):
    with pytest.raises(PermissionDenied):
        put(people, who=who)


def test_a_city_congress_puts_to_its_own_government(people):
    inquiry = put(people, who="congress_nanchang", code="360100")
    assert inquiry.department is None and inquiry.addressee_label == "People's Government of 南昌市"


def test_missing_question_and_past_deadline_are_refused_together(people):
    with pytest.raises(ValidationError) as exc:
        put(people, subject="", question="  ", deadline=svc.today() - timedelta(days=1))
    assert set(exc.value.message_dict) == {"subject", "question", "deadline"}
    assert "in the past" in exc.value.message_dict["deadline"][0]
    assert not Inquiry.objects.exists()


def test_a_department_of_another_region_is_refused(people):
    with pytest.raises(ValidationError) as exc:
        put(people, department=ndrc("360103"))
    assert set(exc.value.message_dict) == {"department"}


def test_a_question_motion_needs_the_level_s_least_signatories(people):
    with pytest.raises(ValidationError) as exc:
        put(people, kind=InquiryKind.QUESTION, signatories=["甲", "乙", "乙", " "])
    assert set(exc.value.message_dict) == {"signatories"}
    assert "at least 3" in exc.value.message_dict["signatories"][0]  # county level: 3
    motion = put(people, kind=InquiryKind.QUESTION, signatories="甲\n乙\n丙\n")
    assert motion.signatories == ["甲", "乙", "丙"]


def test_the_least_signatories_are_data_an_administrator_may_change(people):
    assert SignatoryMinimum.objects.get(level="city").minimum == 5
    SignatoryMinimum.objects.filter(level="county").update(minimum=4)
    with pytest.raises(ValidationError) as exc:
        put(people, kind=InquiryKind.QUESTION, signatories=["甲", "乙", "丙"])
    assert "at least 4" in exc.value.message_dict["signatories"][0]


def test_a_special_topic_inquiry_names_its_meeting(people):
    with pytest.raises(ValidationError) as exc:
        put(people, kind=InquiryKind.TOPIC)
    assert set(exc.value.message_dict) == {"meeting"}
    topic = put(people, kind=InquiryKind.TOPIC, meeting="区人大常委会第十二次会议联组会议")
    assert topic.meeting.endswith("联组会议")


# --- anchors --------------------------------------------------------------------------------------------


def test_a_figure_anchor_keeps_the_value_it_had_when_put(people):
    from apps.regions.selectors import by_code

    row = Assessment.objects.create(
        region=by_code("360102"), year=2025, metric="energy_total", value=Decimal("123.45")
    )
    inquiry = put(people, anchor_kind="figure", anchor_ref="360102/2025/energy_total")
    assert inquiry.anchor_data["value"] == "123.45" and "123" in inquiry.anchor_label
    row.value = Decimal("999")
    row.save()
    inquiry.refresh_from_db()
    assert inquiry.anchor_data["value"] == "123.45"


def test_an_anchor_outside_the_congress_s_region_is_refused(people):
    from apps.regions.selectors import by_code

    Assessment.objects.create(region=by_code("360103"), year=2025, metric="energy_total", value=Decimal("1"))
    with pytest.raises(ValidationError) as exc:
        put(people, anchor_kind="figure", anchor_ref="360103/2025/energy_total", question="")
    assert set(exc.value.message_dict) == {"anchor_ref", "question"}
    with pytest.raises(ValidationError) as exc:
        put(people, anchor_kind="no_such_kind", anchor_ref="1")
    assert set(exc.value.message_dict) == {"anchor_kind"}


# --- answering, closing, following up -------------------------------------------------------------------


def test_the_department_answers_with_files_and_the_member_closes(people):
    inquiry = put(people, department=ndrc())
    upload = SimpleUploadedFile("答复.pdf", PDF, content_type="application/pdf")
    answer = svc.inquiry_answer(
        user=people["ndrc_donghu"], inquiry=inquiry, text="已制定整改方案。", uploads=[upload]
    )
    assert answer.attachments.get().content_type == "application/pdf"
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED
    svc.inquiry_close(user=people["congress_donghu"], inquiry=inquiry, comment="满意")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CLOSED
    steps = [(e.kind, e.actor.username) for e in svc.timeline(inquiry)]
    assert steps == [
        ("put", people["congress_donghu"].username),
        ("answered", people["ndrc_donghu"].username),
        ("closed", people["congress_donghu"].username),
    ]


@pytest.mark.parametrize(
    "who", ["energy_donghu", "ndrc_nanchang", "ndrc_province", "donghu", "congress_donghu"]
)
def test_a_department_inquiry_is_answered_only_by_that_department(people, who):
    inquiry = put(people, department=ndrc())
    with pytest.raises(PermissionDenied):
        svc.inquiry_answer(user=people[who], inquiry=inquiry, text="x")


def test_a_government_inquiry_is_answered_by_the_region_s_staff_not_a_department(people):
    inquiry = put(people)
    for who in ("ndrc_donghu", "xihu", "nanchang"):
        with pytest.raises(PermissionDenied):
            svc.inquiry_answer(user=people[who], inquiry=inquiry, text="x")
    svc.inquiry_answer(user=people["donghu"], inquiry=inquiry, text="区政府答复")
    province = put(people, who="congress_province", code="360000")
    svc.inquiry_answer(user=people["province"], inquiry=province, text="省政府答复")


def test_a_follow_up_opens_the_next_round_and_wrong_steps_are_refused(people):
    inquiry = put(people, department=ndrc())
    with pytest.raises(svc.InvalidTransition):
        svc.inquiry_close(user=people["congress_donghu"], inquiry=inquiry)
    svc.inquiry_answer(user=people["ndrc_donghu"], inquiry=inquiry, text="答复一")
    with pytest.raises(ValidationError) as exc:
        svc.inquiry_follow_up(user=people["congress_donghu"], inquiry=inquiry, question="", deadline=None)
    assert set(exc.value.message_dict) == {"question", "deadline"}
    with pytest.raises(PermissionDenied):
        svc.inquiry_follow_up(
            user=people["congress_xihu"],
            inquiry=inquiry,
            question="?",
            deadline=svc.today() + timedelta(days=5),
        )
    svc.inquiry_follow_up(
        user=people["congress_donghu"],
        inquiry=inquiry,
        question="请补充数据",
        deadline=svc.today() + timedelta(days=9),
    )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.round) == (InquiryStatus.OPEN, 2)
    svc.inquiry_answer(user=people["ndrc_donghu"], inquiry=inquiry, text="答复二")
    rounds = svc.conversation(inquiry)
    assert [(r["round"], [a.text for a in r["answers"]]) for r in rounds] == [
        (1, ["答复一"]),
        (2, ["答复二"]),
    ]


def test_an_answer_without_text_or_with_a_disguised_file_names_both_fields(people):
    inquiry = put(people, department=ndrc())
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        svc.inquiry_answer(user=people["ndrc_donghu"], inquiry=inquiry, text=" ", uploads=[fake])
    assert set(exc.value.message_dict) == {"text", "files"}
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OPEN and not inquiry.answers.exists()


# --- reading --------------------------------------------------------------------------------------------


def test_who_reads_which_inquiries(people):
    donghu_dept = put(people, department=ndrc())
    donghu_gov = put(people)
    xihu = put(people, who="congress_xihu", code="360103")
    city = put(people, who="congress_nanchang", code="360100")

    def seen(who):
        return set(svc.readable_inquiries(people[who]).values_list("pk", flat=True))

    assert seen("congress_donghu") == {donghu_dept.pk, donghu_gov.pk}
    assert seen("congress_xihu") == {xihu.pk}  # never another county's
    assert seen("congress_nanchang") == {donghu_dept.pk, donghu_gov.pk, xihu.pk, city.pk}  # its subtree
    assert seen("ndrc_donghu") == {donghu_dept.pk}
    assert seen("energy_donghu") == set()
    assert seen("ndrc_nanchang") == set()
    assert seen("donghu") == {donghu_dept.pk, donghu_gov.pk}
    assert seen("nanchang") == {city.pk}
    assert seen("province") == {donghu_dept.pk, donghu_gov.pk, xihu.pk, city.pk}


def test_counts_per_region_for_summaries_and_the_scorecard(people):
    late = put(people, department=ndrc())
    Inquiry.objects.filter(pk=late.pk).update(deadline=svc.today() - timedelta(days=3))
    put(people)
    answered = put(people, who="congress_xihu", code="360103")
    svc.inquiry_answer(user=people["xihu"], inquiry=answered, text="ok")
    counts = svc.inquiry_counts(scoping.SYSTEM)
    donghu, xihu = late.region_id, answered.region_id
    assert counts[donghu] == svc.InquiryCounts(total=2, unanswered=2, overdue=1, closed=0)
    assert counts[xihu] == svc.InquiryCounts(total=1, unanswered=0, overdue=0, closed=0)
    assert set(svc.inquiry_counts(people["congress_xihu"])) == {xihu}  # scoped by the caller
    assert svc.inquiry_counts(scoping.SYSTEM, regions=[xihu]).keys() == {xihu}


# --- reminders ------------------------------------------------------------------------------------------


def test_overdue_inquiries_are_reminded_once_a_day_to_whoever_answers(people):
    inquiry = put(people, department=ndrc())
    Inquiry.objects.filter(pk=inquiry.pk).update(deadline=svc.today() - timedelta(days=1))
    first = inquiry_reminders.send_due_reminders()
    again = inquiry_reminders.send_due_reminders()
    assert (first.reminded, again.reminded) == (1, 0)
    assert [m.to for m in mail.outbox] == [["ndrc@example.org"]]
    assert "逾期" in mail.outbox[0].subject
    assert InquiryEvent.objects.filter(inquiry=inquiry, kind="reminded", actor=None).count() == 1


def test_an_answered_inquiry_is_not_reminded(people):
    inquiry = put(people)
    svc.inquiry_answer(user=people["donghu"], inquiry=inquiry, text="ok")
    Inquiry.objects.filter(pk=inquiry.pk).update(deadline=svc.today() - timedelta(days=1))
    assert inquiry_reminders.send_due_reminders().reminded == 0


def test_another_kind_of_anchor_plugs_into_the_registry(people):
    """The extension point for anchors other apps own: a registered kind is accepted
    and frozen like the built-in ones; unregistered again, it is refused."""
    from apps.oversight import anchors

    def resolve(user, region, ref):
        if ref != "7":
            raise anchors.not_found()
        return anchors.Anchor(kind="hearing", ref=ref, label="听证 #7", data={"state": "held"}, url="/x/7/")

    anchors.register(anchors.AnchorType("hearing", "Hearing", resolve))
    try:
        inquiry = put(people, anchor_kind="hearing", anchor_ref="7")
        assert (inquiry.anchor_label, inquiry.anchor_data) == ("听证 #7", {"state": "held", "url": "/x/7/"})
        with pytest.raises(ValidationError) as exc:
            put(people, anchor_kind="hearing", anchor_ref="8")
        assert set(exc.value.message_dict) == {"anchor_ref"}
    finally:
        anchors._REGISTRY.pop("hearing")
