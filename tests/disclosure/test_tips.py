"""Tips (举报): tracking numbers, working-day deadlines, who handles what (roles.md v1.1), the
handling workflow and its timeline, statistics and reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from apps.accounts import scoping
from apps.accounts.roles import Role
from apps.accounts.scoping import Action
from apps.disclosure import tip_reminders, tips, tracking
from apps.disclosure.models import Tip, TipEventKind, TipReminder, TipStatus
from tests.disclosure.tip_helpers import dept_staff, drc, file_tip
from tests.factories import dept, user_for, user_with

pytestmark = pytest.mark.django_db

# --- tracking numbers ------------------------------------------------------------------------------


def test_tracking_numbers_are_random_with_a_check_symbol_and_forgive_typing():
    numbers = {tracking.new_number() for _ in range(2000)}
    assert len(numbers) == 2000  # 75 random bits: no repeats, nothing sequential
    number = next(iter(numbers))
    assert len(number) == 16 and set(number) <= set(tracking.ALPHABET)
    shown = tracking.display(number)
    assert shown.count("-") == 3
    assert tracking.normalise(shown.lower()) == number
    assert tracking.normalise(" ".join(shown.split("-"))) == number
    # a single mistyped symbol is always refused before any lookup
    for i in range(16):
        for symbol in tracking.ALPHABET:
            if symbol != number[i]:
                assert tracking.normalise(number[:i] + symbol + number[i + 1 :]) is None
    for bad in ("", None, "U" * 16, number[:-1], number + "0", "<script>", "1" * 500):
        assert tracking.normalise(bad) is None


def test_o_i_and_l_read_as_digits():
    body = "0" * 14 + "1"
    number = body + tracking.check_symbol(body)
    assert tracking.normalise(("O" * 14 + "L" + number[-1]).lower()) == number


# --- deadlines ------------------------------------------------------------------------------------


def test_fifteen_working_days_skip_weekends_and_configured_holidays():
    monday = date(2026, 11, 2)
    assert tips.add_working_days(monday, 15) == date(2026, 11, 23)  # three weeks later
    friday = date(2026, 11, 6)
    assert tips.add_working_days(friday, 1) == date(2026, 11, 9)  # the next Monday
    assert tips.add_working_days(monday, 15, {date(2026, 11, 3)}) == date(2026, 11, 24)
    with override_settings(TIP_HOLIDAYS=["2026-11-03", "2026-11-04"]):
        assert tips.answer_due_on(monday) == date(2026, 11, 25)


def test_a_filed_tip_is_due_in_fifteen_working_days():
    tip = file_tip()
    received = timezone.localdate(tip.received_at)
    assert tip.due_on == tips.add_working_days(received, 15)
    assert (tip.due_on - received).days >= 19
    assert not tip.is_overdue()
    assert tip.is_overdue(today=tip.due_on + timedelta(days=1))


# --- who may do what (roles.md v1.1) ----------------------------------------------------------------


def test_the_rule_table_for_tips(region):
    public = AnonymousUser()
    nanchang_drc, energy = drc("360100"), dept_staff("360000", "energy")
    county, congress = user_for("county"), user_with(Role.CONGRESS_MEMBER, "360100")
    provincial, admin = user_for("provincial"), user_for("admin")
    assert scoping.can(public, Action.FILE_TIP) and scoping.can(public, Action.TRACK_TIP)
    for user in (nanchang_drc, energy, county, congress, provincial, admin):
        assert not scoping.can(user, Action.FILE_TIP)  # signed in: the form is for the public
        assert scoping.can(user, Action.TRACK_TIP)
    # triage: the commission's staff of the region's subtree, provincial officials, administrators
    assert scoping.can(nanchang_drc, Action.TRIAGE_TIPS, region=region("360102"))
    assert not scoping.can(nanchang_drc, Action.TRIAGE_TIPS, region=region("360400"))
    assert not scoping.can(nanchang_drc, Action.TRIAGE_TIPS, region=region("360000"))
    for user in (energy, county, congress):
        assert scoping.scope_of(user, Action.TRIAGE_TIPS) is None
    assert scoping.can(provincial, Action.TRIAGE_TIPS, region=region("360400"))
    # answer: own department's (its kind in the subtree)
    assert scoping.can(energy, Action.ANSWER_TIPS, department=dept("360100", "energy"))
    assert not scoping.can(energy, Action.ANSWER_TIPS, department=dept("360100", "statistics"))
    assert scoping.scope_of(county, Action.ANSWER_TIPS) is None
    assert scoping.scope_of(congress, Action.ANSWER_TIPS) is None
    # statistics: subtree / own department's / all
    for user in (county, congress, energy, provincial, admin):
        assert scoping.scope_of(user, Action.READ_TIP_STATS) is not None


def test_the_public_cannot_file_when_signed_in():
    with pytest.raises(PermissionDenied, match="for the public"):
        tips.tip_file(
            user=user_for("provincial"),
            data=tips.TipInput(
                category="other", region=tips.Region.objects.get(code="360100"), description="x"
            ),
        )


def test_staff_see_the_tips_they_handle_and_nothing_else():
    donghu = file_tip("360102")
    jiujiang = file_tip("360400")
    province = file_tip("360000")
    nanchang_drc, jiujiang_drc = drc("360100"), drc("360400")
    statistics_staff, energy_staff = dept_staff("360100", "statistics"), dept_staff("360100", "energy")
    assert set(tips.tips_for(nanchang_drc)) == {donghu}
    assert set(tips.tips_for(jiujiang_drc)) == {jiujiang}
    assert set(tips.tips_for(user_for("provincial"))) == {donghu, jiujiang, province}
    assert set(tips.tips_for(user_for("admin"))) == {donghu, jiujiang, province}
    assert not tips.tips_for(statistics_staff).exists()  # nothing routed yet
    for user in (user_for("county"), user_for("congress"), user_for("city")):
        assert not tips.tips_for(user).exists()
    tips.tip_route(user=nanchang_drc, tip=donghu, department=dept("360100", "statistics"))
    assert set(tips.tips_for(statistics_staff)) == {donghu}
    assert not tips.tips_for(energy_staff).exists()
    assert set(tips.tips_for(dept_staff("360000", "statistics"))) == {donghu}  # its kind in the subtree
    assert not tips.tips_for(dept_staff("360400", "statistics")).exists()


# --- the workflow -------------------------------------------------------------------------------------


def test_route_investigate_answer_publish_close_with_a_timeline():
    tip = file_tip("360102", contact="138 0000 0000")
    triager, answerer = drc("360100"), dept_staff("360100", "statistics")
    assert tips.tip_by_number(tip.display_number) == tip
    public = tips.PublicStatus.of(tip)
    assert (public.status, public.reply) == (TipStatus.RECEIVED, "")

    with pytest.raises(PermissionDenied):  # not routed to them
        tips.tip_investigate(user=answerer, tip=tip)
    tip = tips.tip_route(user=triager, tip=tip, department=dept("360100", "statistics"), reason="统计局核查")
    assert tip.status == TipStatus.ASSIGNED and tip.routed_at
    with pytest.raises(PermissionDenied):  # routing is the triager's
        tips.tip_route(user=answerer, tip=tip, department=dept("360100", "energy"))
    tip = tips.tip_investigate(user=answerer, tip=tip, note="调取企业用电数据")
    with pytest.raises(tips.TipStateError):
        tips.tip_investigate(user=answerer, tip=tip)
    with pytest.raises(ValidationError):
        tips.tip_answer(user=answerer, tip=tip, reply="  ")
    tip = tips.tip_answer(user=answerer, tip=tip, reply="已核实并责令更正。")
    assert tips.PublicStatus.of(tip).reply == ""  # not published yet
    tip = tips.tip_publish_reply(user=answerer, tip=tip)
    public = tips.PublicStatus.of(tip)
    assert (public.status, public.reply) == (TipStatus.ANSWERED, "已核实并责令更正。")
    with pytest.raises(tips.TipStateError):
        tips.tip_publish_reply(user=triager, tip=tip)
    with pytest.raises(PermissionDenied):
        tips.tip_close(user=answerer, tip=tip)
    tip = tips.tip_close(user=triager, tip=tip)
    assert tip.status == TipStatus.CLOSED
    kinds = [e.kind for e in tips.timeline(tip)]
    assert kinds == [
        TipEventKind.FILED,
        TipEventKind.ROUTED,
        TipEventKind.INVESTIGATING,
        TipEventKind.ANSWERED,
        TipEventKind.REPLY_PUBLISHED,
        TipEventKind.CLOSED,
    ]
    actors = [e.actor for e in tips.timeline(tip)]
    assert actors == [None, triager, answerer, answerer, answerer, triager]


def test_routing_goes_to_the_regions_departments_or_the_measures():
    from tests.factories import MeasureFactory

    measure = MeasureFactory(plan__code="360100", department_kind="industry_it")
    tip = file_tip("360102", measure=measure)
    assert tips.suggested_department(tip) == measure.responsible_department
    choices = set(tips.route_choices(tip))
    assert measure.responsible_department in choices
    assert dept("360102", "statistics") in choices and dept("360000", "energy") in choices
    with pytest.raises(ValidationError) as refused:
        tips.tip_route(user=user_for("provincial"), tip=tip, department=dept("360400", "statistics"))
    assert "department" in refused.value.message_dict
    plain = file_tip("360102", category="emissions")
    assert tips.suggested_department(plain) == dept("360102", "ecology_environment")
    from apps.organizations.models import Sector

    assert tips.sector_lead_department(Sector.objects.get(code="steel"), plain.region) == dept(
        "360102", "industry_it"
    )


def test_closing_an_unanswered_tip_needs_a_reason():
    tip = file_tip()
    with pytest.raises(ValidationError) as refused:
        tips.tip_close(user=drc(), tip=tip)
    assert "reason" in refused.value.message_dict
    tip = tips.tip_close(user=drc(), tip=tip, reason="重复举报")
    assert tip.status == TipStatus.CLOSED
    with pytest.raises(tips.TipStateError):
        tips.tip_route(user=user_for("provincial"), tip=tip, department=dept("360102", "statistics"))


# --- statistics -----------------------------------------------------------------------------------------


def test_statistics_count_only_the_users_scope():
    a = file_tip("360102", category="statistics")
    file_tip("360103", category="project")
    file_tip("360400", category="emissions")
    tips.tip_route(user=user_for("provincial"), tip=a, department=dept("360100", "statistics"))
    Tip.objects.filter(pk=a.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    everything = tips.tip_statistics(user_for("provincial"))
    assert everything.total == 3 and everything.overdue == 1
    assert dict((c, n) for c, _label, n in everything.by_category) == {
        "statistics": 1,
        "project": 1,
        "energy_saving": 0,
        "emissions": 1,
        "other": 0,
    }
    assert {c: n for c, _name, n in everything.by_region} == {"360102": 1, "360103": 1, "360400": 1}
    assert ("南昌市", dept("360100", "statistics").name, 1) in everything.by_department
    nanchang = tips.tip_statistics(user_with(Role.CONGRESS_MEMBER, "360100"))
    assert nanchang.total == 2 and {c for c, _n, _ in nanchang.by_region} == {"360102", "360103"}
    assert tips.tip_statistics(user_for("county")).total == 1  # Donghu's own
    assert tips.tip_statistics(dept_staff("360000", "statistics")).total == 1  # routed to its kind
    assert tips.tip_statistics(dept_staff("360000", "energy")).total == 0
    assert tips.tip_statistics(AnonymousUser()).total == 0
    assert tips.tip_statistics(user_for("provincial"), region=a.region).total == 1


# --- reminders ------------------------------------------------------------------------------------------


def test_reminder_schedule():
    due = date(2026, 12, 10)
    assert tip_reminders.reminder_due(today=date(2026, 12, 6), due_on=due, last=None) is None
    assert tip_reminders.reminder_due(today=date(2026, 12, 7), due_on=due, last=None) == "upcoming"
    assert tip_reminders.reminder_due(today=date(2026, 12, 8), due_on=due, last=date(2026, 12, 7)) is None
    assert (
        tip_reminders.reminder_due(today=date(2026, 12, 11), due_on=due, last=date(2026, 12, 7)) == "overdue"
    )
    assert tip_reminders.reminder_due(today=date(2026, 12, 12), due_on=due, last=date(2026, 12, 11)) is None
    assert (
        tip_reminders.reminder_due(today=date(2026, 12, 18), due_on=due, last=date(2026, 12, 11)) == "overdue"
    )


def test_overdue_tips_remind_their_handlers_once_a_day_without_the_content():
    routed = file_tip("360102", description="SECRET DESCRIPTION", contact="SECRET CONTACT")
    tips.tip_route(user=user_for("provincial"), tip=routed, department=dept("360100", "statistics"))
    unrouted = file_tip("360103")
    answerer = dept_staff("360100", "statistics", email="stats@example.org")
    triager = drc("360100", email="drc@example.org")
    dept_staff("360100", "energy", email="energy@example.org")  # not concerned
    Tip.objects.update(due_on=timezone.localdate() - timedelta(days=1))
    result = tip_reminders.send_tip_reminders()
    assert result.reminded == 2
    to = {tuple(m.to) for m in mail.outbox}
    assert to == {("stats@example.org",), ("drc@example.org",)}
    for message in mail.outbox:
        assert "SECRET" not in message.body and "SECRET" not in message.subject
    assert tip_reminders.send_tip_reminders().reminded == 0  # once a day
    assert TipReminder.objects.count() == 2
    assert TipEventKind.REMINDED in [e.kind for e in tips.timeline(unrouted)]
    assert answerer and triager
