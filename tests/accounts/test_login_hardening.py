"""Login hardening (SECURITY.md "Login and tokens"): lockout per username and address on the
login form and the token endpoint, cool-off, client address behind trusted proxies, token
expiry and rotation, idle sessions ending, strong password rules."""

import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.middleware import LAST_SEEN
from apps.accounts.roles import Role
from apps.core.client import client_ip
from tests.factories import user_with

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
LOCKED = "Too many failed sign-in attempts for this account from your address."


@pytest.fixture
def login_lockout(settings):
    """django-axes on, as in production (the rest of the suite runs with it off)."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.LANGUAGE_CODE = "en"
    return settings


@pytest.fixture
def person(db):
    """A county user with a name of its own (counters in a shared cache outlive a test)."""
    return user_with(Role.REGION_STAFF, "360102", username=f"lockout-{uuid.uuid4().hex[:10]}")


def _form_login(client, username, password, **extra):
    client.cookies["django_language"] = "en"
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_ten_wrong_passwords_lock_the_login_form_even_for_the_right_one(client, login_lockout, person):
    for _ in range(9):
        response = _form_login(client, person.username, "wrong-password")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    response = _form_login(client, person.username, "wrong-password")  # the tenth
    assert response.status_code == 429
    response = _form_login(client, person.username, django_settings.DEMO_PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "blocked for 15 minutes" in page and 'role="alert"' in page
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_lockout_message_is_translated(client, login_lockout, person):
    for _ in range(10):
        _form_login(client, person.username, "wrong-password")
    client.cookies["django_language"] = "zh-hans"
    response = client.post(LOGIN, {"username": person.username, "password": "x"})
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()


def test_the_lock_is_per_username_and_address(client, login_lockout, person):
    for _ in range(10):
        _form_login(client, person.username, "wrong-password")
    other = user_with(Role.REGION_STAFF, "360103", username=f"other-{uuid.uuid4().hex[:10]}")
    assert _form_login(client, other.username, django_settings.DEMO_PASSWORD).status_code == 302
    client.logout()
    response = _form_login(client, person.username, django_settings.DEMO_PASSWORD, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302  # the same person from another address


def test_after_the_cool_off_the_right_password_works_again(client, login_lockout, person):
    login_lockout.AXES_COOLOFF_TIME = timedelta(seconds=1)
    for _ in range(10):
        _form_login(client, person.username, "wrong-password")
    assert _form_login(client, person.username, django_settings.DEMO_PASSWORD).status_code == 429
    time.sleep(1.5)
    response = _form_login(client, person.username, django_settings.DEMO_PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(person.pk)


def test_ten_wrong_passwords_lock_the_token_endpoint_with_the_one_error_body(login_lockout, person):
    api = APIClient()
    for _ in range(9):
        response = api.post(TOKEN, {"username": person.username, "password": "wrong-password"})
        assert response.status_code == 400 and "detail" in response.json()
    assert api.post(TOKEN, {"username": person.username, "password": "wrong-password"}).status_code == 429
    response = api.post(TOKEN, {"username": person.username, "password": django_settings.DEMO_PASSWORD})
    assert response.status_code == 429
    assert response.json() == {"detail": response.json()["detail"]} and LOCKED in response.json()["detail"]
    assert response["Retry-After"] == "900"
    assert not Token.objects.filter(user=person).exists()


def test_token_endpoint_works_again_after_the_cool_off(login_lockout, person):
    login_lockout.AXES_COOLOFF_TIME = timedelta(seconds=1)
    api = APIClient()
    for _ in range(10):
        api.post(TOKEN, {"username": person.username, "password": "wrong-password"})
    time.sleep(1.5)
    response = api.post(TOKEN, {"username": person.username, "password": django_settings.DEMO_PASSWORD})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


# --- the client's address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),  # what the one proxy saw
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left is not believed
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),  # did not pass through both proxies
    ],
)
def test_client_address_comes_from_the_trusted_proxies_never_from_the_header_alone(
    proxies, forwarded, expected
):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request, proxies=proxies) == expected


def test_a_forged_forwarded_header_does_not_escape_the_lock(client, login_lockout, person):
    login_lockout.TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        _form_login(client, person.username, "wrong", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.9")
    response = _form_login(
        client, person.username, django_settings.DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.9"
    )
    assert response.status_code == 429


# --- tokens -------------------------------------------------------------------------------


def _token(person) -> str:
    response = APIClient().post(
        TOKEN, {"username": person.username, "password": django_settings.DEMO_PASSWORD}
    )
    assert response.status_code == 200
    return response.json()["token"]


def _me(key: str):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/me/")


def test_a_token_expires_after_its_lifetime_with_a_clear_401(person, settings):
    settings.LANGUAGE_CODE = "en"
    key = _token(person)
    assert _me(key).status_code == 200
    Token.objects.filter(key=key).update(
        created=timezone.now() - settings.API_TOKEN_TTL - timedelta(seconds=1)
    )
    response = _me(key)
    assert response.status_code == 401
    assert (
        response.json()["detail"] == "The API token has expired; obtain a new one from /api/v1/auth/token/."
    )
    assert response["WWW-Authenticate"] == "Token"


def test_the_token_answer_says_when_it_expires(person, settings):
    before = timezone.now()
    response = APIClient().post(
        TOKEN, {"username": person.username, "password": django_settings.DEMO_PASSWORD}
    )
    expires = timezone.datetime.fromisoformat(response.json()["expires_at"])
    assert before + settings.API_TOKEN_TTL <= expires <= timezone.now() + settings.API_TOKEN_TTL


def test_a_new_token_replaces_the_old_one(person):
    old = _token(person)
    new = _token(person)
    assert new != old
    assert _me(old).status_code == 401 and _me(new).status_code == 200
    assert list(Token.objects.filter(user=person).values_list("key", flat=True)) == [new]


# --- sessions and passwords ---------------------------------------------------------------


def test_a_session_ends_after_the_idle_time_and_activity_extends_it(client, person):
    assert django_settings.SESSION_COOKIE_AGE == 60 * 60 and not django_settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(person)
    session = Session.objects.get(session_key=client.session.session_key)
    first_expiry = session.expire_date
    assert client.get("/reports/").status_code == 200
    assert Session.objects.get(pk=session.pk).expire_date == first_expiry  # no write per request
    stale = client.session
    stale[LAST_SEEN] = int(time.time()) - 120  # the last renewal two minutes ago
    stale.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/reports/").status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + timedelta(minutes=59)  # activity moved the end an hour ahead
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/reports/")
    assert response.status_code == 302 and LOGIN in response["Location"]


def test_new_passwords_must_be_strong(person):
    for weak in ("short-pass1", "12345678901234", "password12345", person.username):
        with pytest.raises(ValidationError):
            validate_password(weak, user=person)
    validate_password("a-long-sentence-of-words", user=person)
    validate_password(django_settings.DEMO_PASSWORD, user=person)  # the demo password passes too


def test_an_administrator_lifts_a_lock_early_with_the_documented_command(client, login_lockout, person):
    from io import StringIO

    from django.core.management import call_command

    for _ in range(10):
        _form_login(client, person.username, "wrong-password")
    assert _form_login(client, person.username, django_settings.DEMO_PASSWORD).status_code == 429
    call_command("axes_reset_ip_username", "127.0.0.1", person.username, stdout=StringIO())
    assert _form_login(client, person.username, django_settings.DEMO_PASSWORD).status_code == 302
