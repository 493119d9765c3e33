"""No silent overwrites of region targets (issue 11): a form loaded before another save or an
import is refused with the conflict page; the API answers 409 / 412 with the current version."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.targets import services
from apps.targets.models import RegionTarget, TargetMetric
from tests.factories import RegionTargetFactory, user_with
from tests.reports.test_conflicts import conflict_answer, form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(db):
    return RegionTargetFactory(
        code="360102", metric=TargetMetric.ENERGY_INTENSITY_REDUCTION, value=Decimal("14")
    )


@pytest.fixture
def nanchang_staff(db):
    return [user_with(Role.REGION_STAFF, "360100") for _ in range(2)]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_city_staff_editing_one_target(target, nanchang_staff):
    url = reverse("targets:edit", args=[target.pk])
    alice, bob = (_client(u) for u in nanchang_staff)
    alice_form, bob_form = form_values(alice.get(url)), form_values(bob.get(url))
    assert alice.post(url, alice_form | {"value": "15"}).status_code == 302
    response = bob.post(url, bob_form | {"value": "16", "note": "Bob's reason"})
    assert response.status_code == 409
    [clash] = response.context["conflicting"]
    assert (clash.name, clash.theirs_shown, clash.mine_shown) == ("value", "15", "16")
    assert RegionTarget.objects.get(pk=target.pk).value == Decimal("15")
    assert bob.post(url, conflict_answer(response, reapply=["value"])).status_code == 302
    target.refresh_from_db()
    assert (target.value, target.note) == (Decimal("16"), "Bob's reason")


def test_a_target_form_racing_an_import_is_refused(target, nanchang_staff):
    url = reverse("targets:edit", args=[target.pk])
    client = _client(nanchang_staff[0])
    loaded = form_values(client.get(url))
    csv = (
        "region_code,period,metric,year,value,note\n"
        "360102,2021-2025,energy_intensity_reduction,,13.5,imported\n"
    )
    services.targets_import(
        user=nanchang_staff[1], file=SimpleUploadedFile("t.csv", csv.encode()), filename="t.csv"
    )
    assert RegionTarget.objects.get(pk=target.pk).version == target.version + 1  # the import counts
    response = client.post(url, loaded | {"value": "12"})
    assert response.status_code == 409
    assert RegionTarget.objects.get(pk=target.pk).value == Decimal("13.5")


def test_api_if_match_and_version(target, nanchang_staff):
    api = APIClient()
    api.force_authenticate(nanchang_staff[0])
    url = f"/api/v1/targets/{target.pk}/"
    got = api.get(url)
    v = got.json()["version"]
    assert got["ETag"] == f'"{v}"'
    assert api.patch(url, {"value": "15", "version": v}, format="json").status_code == 200
    stale = api.patch(url, {"value": "16", "version": v}, format="json")
    assert stale.status_code == 409 and str(v + 1) in stale.json()["detail"]
    assert api.put(url, {"value": "16", "note": ""}, format="json", HTTP_IF_MATCH=f'"{v}"').status_code == 412
    assert RegionTarget.objects.get(pk=target.pk).value == Decimal("15")
    assert api.patch(url, {"value": "17"}, format="json").status_code == 200  # no version: no check
