"""Reporting deadlines: who may set them (service, UI, API), validation, history."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.completeness.models import ReportingDeadline
from apps.completeness.selectors import may_edit_deadlines
from apps.completeness.services import deadline_delete, deadline_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created with a password in every test; hash it cheaply (before `users` runs)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(("who", "allowed"), [
    ("province", True), ("admin", True), ("province_staff", False), ("nanchang", False),
    ("donghu", False), ("congress", False), ("dept", False),
])  # fmt: skip
def test_only_provincial_officials_and_administrators_edit_deadlines(users, who, allowed):
    assert may_edit_deadlines(users[who]) is allowed


def test_a_provincial_official_sets_and_changes_a_deadline_with_history(users):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31), note="省发改委通知")
    deadline_set(user=users["admin"], year=2025, due_date=date(2026, 4, 15))
    deadline = ReportingDeadline.objects.get(year=2025)
    assert deadline.due_date == date(2026, 4, 15)
    assert deadline.updated_by == users["admin"]
    history = list(deadline.history.order_by("history_date"))
    assert [(h.history_type, h.due_date, h.history_user) for h in history] == [
        ("+", date(2026, 3, 31), users["province"]),
        ("~", date(2026, 4, 15), users["admin"]),
    ]


def test_setting_the_same_deadline_again_adds_no_history(users):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    assert ReportingDeadline.history.filter(year=2025).count() == 1


def test_county_staff_may_not_set_a_deadline(users):
    with pytest.raises(PermissionDenied):
        deadline_set(user=users["donghu"], year=2025, due_date=date(2026, 3, 31))
    assert not ReportingDeadline.objects.exists()


@pytest.mark.parametrize(
    ("year", "due", "field"),
    [
        (1800, date(2026, 3, 31), "year"),
        (2025, date(2024, 12, 31), "due_date"),
        (2025, date(2028, 1, 1), "due_date"),
        (2025, "2026-03-31", "due_date"),
    ],
)
def test_bad_deadlines_are_refused_naming_the_field(users, year, due, field):
    with pytest.raises(ValidationError) as excinfo:
        deadline_set(user=users["province"], year=year, due_date=due)
    assert field in excinfo.value.message_dict
    assert not ReportingDeadline.objects.exists()


def test_removing_a_deadline_is_recorded(users):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    deadline_delete(user=users["admin"], year=2025)
    assert not ReportingDeadline.objects.exists()
    assert ReportingDeadline.history.filter(year=2025, history_type="-").get().history_user == users["admin"]


def test_removing_a_deadline_is_refused_to_city_staff(users):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    with pytest.raises(PermissionDenied):
        deadline_delete(user=users["nanchang"], year=2025)
    assert ReportingDeadline.objects.filter(year=2025).exists()


# --- UI -----------------------------------------------------------------------------------------


def test_deadline_page_lets_a_provincial_official_add_a_deadline(client, users):
    client.force_login(users["province"])
    client.cookies["django_language"] = "en"
    page = client.get("/reports/deadlines/")
    assert page.status_code == 200 and "Set a deadline" in page.content.decode()
    response = client.post("/reports/deadlines/", {"year": "2025", "due_date": "2026-03-31", "note": "通知"})
    assert response.status_code == 302
    assert ReportingDeadline.objects.get(year=2025).due_date == date(2026, 3, 31)


def test_deadline_form_keeps_the_input_and_shows_the_error_under_the_field(client, users):
    client.cookies["django_language"] = "en"
    client.force_login(users["province"])
    response = client.post(
        "/reports/deadlines/",
        {"year": "2025", "due_date": "2030-01-01", "note": "keep me"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "must fall between 2025-01-01 and 2027-12-31" in text
    assert 'value="keep me"' in text
    assert not ReportingDeadline.objects.exists()


def test_deadline_page_shows_no_form_to_county_staff_and_refuses_their_post(client, users):
    client.force_login(users["donghu"])
    client.cookies["django_language"] = "en"
    page = client.get("/reports/deadlines/")
    assert page.status_code == 200 and "Set a deadline" not in page.content.decode()
    assert client.post("/reports/deadlines/", {"year": "2025", "due_date": "2026-03-31"}).status_code == 403
    assert not ReportingDeadline.objects.exists()


def test_deadline_edit_allowed_for_admin_and_refused_for_city_staff(client, users):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    client.force_login(users["nanchang"])
    assert client.get("/reports/deadlines/2025/edit/").status_code == 403
    assert client.post("/reports/deadlines/2025/edit/", {"due_date": "2026-05-01"}).status_code == 403
    client.force_login(users["admin"])
    response = client.post("/reports/deadlines/2025/edit/", {"due_date": "2026-05-01", "note": ""})
    assert response.status_code == 302
    assert ReportingDeadline.objects.get(year=2025).due_date == date(2026, 5, 1)


def test_deadline_delete_in_the_ui(client, users):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    client.force_login(users["congress"])
    assert client.post("/reports/deadlines/2025/delete/").status_code == 403
    client.force_login(users["province"])
    assert client.post("/reports/deadlines/2025/delete/").status_code == 302
    assert not ReportingDeadline.objects.exists()


def test_deadline_history_page_names_who_changed_it(client, users):
    users["province"].last_name = "审核员"
    users["province"].save()
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    client.force_login(users["donghu"])
    text = client.get("/reports/deadlines/2025/history/").content.decode()
    assert "审核员" in text and "2026-03-31" in text


def test_the_grid_shows_the_deadline(client, users):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    client.force_login(users["donghu"])
    client.cookies["django_language"] = "en"
    text = client.get("/reports/completeness/", {"years": "2025"}).content.decode()
    assert "due 2026-03-31" in text


# --- API ----------------------------------------------------------------------------------------


def test_api_everyone_signed_in_reads_deadlines(api, users):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    api.force_authenticate(users["congress"])
    data = api.get("/api/v1/reports/deadlines/").json()
    assert [(d["year"], d["due_date"]) for d in data["results"]] == [(2025, "2026-03-31")]
    assert api.get("/api/v1/reports/deadlines/2025/").json()["updated_by"] == users["province"].username


def test_api_provincial_official_creates_changes_and_deletes_a_deadline(api, users):
    api.force_authenticate(users["province"])
    created = api.post("/api/v1/reports/deadlines/", {"year": 2025, "due_date": "2026-03-31"}, format="json")
    assert created.status_code == 201
    again = api.post("/api/v1/reports/deadlines/", {"year": 2025, "due_date": "2026-04-30"}, format="json")
    assert again.status_code == 400 and "year" in again.json()["errors"]
    changed = api.patch("/api/v1/reports/deadlines/2025/", {"due_date": "2026-04-30"}, format="json")
    assert changed.status_code == 200 and changed.json()["due_date"] == "2026-04-30"
    history = api.get("/api/v1/reports/deadlines/2025/history/").json()
    assert [h["history_type"] for h in history] == ["~", "+"]
    assert api.delete("/api/v1/reports/deadlines/2025/").status_code == 204
    assert not ReportingDeadline.objects.exists()


@pytest.mark.parametrize("who", ["donghu", "nanchang", "congress", "dept", "province_staff"])
def test_api_deadline_writes_are_refused_with_403(api, users, who):
    deadline_set(user=users["province"], year=2025, due_date=date(2026, 3, 31))
    api.force_authenticate(users[who])
    assert api.post("/api/v1/reports/deadlines/", {"year": 2026, "due_date": "2027-03-31"}).status_code == 403
    assert api.patch("/api/v1/reports/deadlines/2025/", {"due_date": "2026-05-01"}).status_code == 403
    assert api.delete("/api/v1/reports/deadlines/2025/").status_code == 403
    assert ReportingDeadline.objects.get().due_date == date(2026, 3, 31)
    assert not ReportingDeadline.objects.filter(year=2026).exists()


def test_api_bad_deadline_is_a_400_naming_the_field(api, users):
    api.force_authenticate(users["admin"])
    response = api.post("/api/v1/reports/deadlines/", {"year": 2025, "due_date": "2031-01-01"}, format="json")
    assert response.status_code == 400
    assert "due_date" in response.json()["errors"]


def test_demo_deadlines_are_idempotent_and_marked(users):
    import io

    from apps.completeness.demo import seed

    seed(io.StringIO())
    seed(out := io.StringIO())
    years = timezone.localdate().year - 2015  # every demo report year, 2015 to last year
    assert ReportingDeadline.objects.count() == years
    assert all("demo" in d.note for d in ReportingDeadline.objects.all())
    assert all(
        (d.due_date.year, d.due_date.month) == (d.year + 1, 3) for d in ReportingDeadline.objects.all()
    )
    assert f"0 created, {years} kept" in out.getvalue()
