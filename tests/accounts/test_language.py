"""The interface language (issue 15, item 5): Chinese unless the user chose English with the
language switcher; the choice is remembered per user, never taken from the browser's
Accept-Language. Anonymous visitors: the switcher's cookie, else Chinese."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import User

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME
CHINESE = '<html lang="zh-hans">'
ENGLISH = '<html lang="en">'


def page(client, path="/", **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def switch(client, language: str, next_url: str = "/"):
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def sign_in(client, user) -> None:
    credentials = {"username": user.username, "password": settings.DEMO_PASSWORD}
    response = client.post("/accounts/login/", credentials)
    assert response.status_code == 302


def test_anonymous_visitors_read_chinese_whatever_their_browser_asks_for():
    client = Client()
    html = page(client, **{"Accept-Language": "en-US,en;q=0.9"})
    assert CHINESE in html and "碳达峰碳中和监测平台" in html
    assert page(client, **{"Accept-Language": "en"}).count(ENGLISH) == 0


def test_the_switchers_cookie_chooses_for_anonymous_visitors():
    client = Client()
    response = switch(client, "en")
    assert response.status_code == 302 and response.cookies[COOKIE].value == "en"
    assert ENGLISH in page(client)
    switch(client, "zh-hans")
    assert CHINESE in page(client, **{"Accept-Language": "en"})


def test_a_language_the_portal_does_not_speak_is_chinese():
    client = Client()
    client.cookies[COOKIE] = "fr"
    assert CHINESE in page(client)


def test_a_users_choice_is_stored_and_follows_them_to_another_browser(user_of):
    user = user_of("county")
    assert user.language == ""  # not chosen yet: Chinese
    desk = Client()
    sign_in(desk, user)
    assert CHINESE in page(desk, **{"Accept-Language": "en"})

    switch(desk, "en")
    user.refresh_from_db()
    assert user.language == "en"
    assert ENGLISH in page(desk)

    # Another browser, with no cookie and a Chinese Accept-Language: English from the first page
    # after signing in, and the cookie is set so the choice holds after signing out there too.
    phone = Client()
    sign_in(phone, user)
    response = phone.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert ENGLISH in response.content.decode()
    assert phone.cookies[COOKIE].value == "en"  # set when they signed in
    phone.post("/accounts/logout/")
    assert ENGLISH in page(phone)


def test_the_stored_choice_wins_over_a_stale_cookie(user_of):
    user = user_of("city")
    User.objects.filter(pk=user.pk).update(language="zh-hans")
    client = Client()
    client.cookies[COOKIE] = "en"  # left by someone else on this browser
    sign_in(client, user)
    assert CHINESE in page(client)
    assert client.cookies[COOKIE].value == "zh-hans"


def test_switching_back_to_chinese_is_remembered_too(user_of):
    user = user_of("provincial", language="en")
    client = Client()
    sign_in(client, user)
    assert ENGLISH in page(client)
    switch(client, "zh-hans")
    user.refresh_from_db()
    assert user.language == "zh-hans"
    assert CHINESE in page(client)


def test_a_user_who_has_not_chosen_keeps_the_switchers_cookie(user_of):
    user = user_of("county")
    client = Client()
    switch(client, "en")  # on the login page, before signing in
    sign_in(client, user)
    assert ENGLISH in page(client)
    user.refresh_from_db()
    assert user.language == ""  # chosen for this browser, not stored until they use the switcher


def test_an_unknown_language_is_not_stored(user_of):
    user = user_of("county")
    client = Client()
    sign_in(client, user)
    switch(client, "xx")
    user.refresh_from_db()
    assert user.language == ""


def test_the_api_still_answers_in_the_language_a_program_asks_for(user_of):
    api = APIClient()
    api.force_authenticate(user_of("provincial"))
    assert api.get("/api/v1/metrics/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
    assert api.get("/api/v1/metrics/")["Content-Language"] == "zh-hans"
