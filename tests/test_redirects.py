"""Signing in and out follows ``next`` only to a path on this site, never to another host."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_user

DEFAULT_AFTER_SIGN_IN = "/corpus/"
DEFAULT_AFTER_SIGN_OUT = "/accounts/login/"

OFFSITE = [
    "//evil.example",
    "//evil.example/corpus/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https://evil.example",
    "http://evil.example/accounts/login/",
    "https:evil.example",
    "/%2F%2Fevil.example",
    "/%2f%5cevil.example",
    "%2F%2Fevil.example",
    "///evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "",
]


def test_the_default_pages_are_what_the_tests_expect():
    assert reverse("corpus:documents") == DEFAULT_AFTER_SIGN_IN
    assert reverse("login") == DEFAULT_AFTER_SIGN_OUT


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", OFFSITE)
def test_sign_in_lands_on_the_default_page_for_an_offsite_next(client, next_url):
    user = make_user("annotator")
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == DEFAULT_AFTER_SIGN_IN


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", OFFSITE)
def test_sign_in_ignores_an_offsite_next_in_the_query_string(client, next_url):
    user = make_user("annotator")
    url = reverse("login")
    page = client.get(url, {"next": next_url})
    assert "evil.example" not in page.content.decode()
    response = client.post(
        url + "?" + urlencode({"next": next_url}),
        {"username": user.username, "password": PASSWORD},
    )
    assert response["Location"] == DEFAULT_AFTER_SIGN_IN


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["/claims/?source=3&q=Kirov%20trial", "/review/", "/corpus/"])
def test_sign_in_follows_a_next_on_this_site(client, next_url):
    user = make_user("annotator")
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": next_url}
    )
    assert response["Location"] == next_url


@pytest.mark.django_db
def test_the_sign_in_redirect_from_a_protected_page_comes_back_to_it(client):
    user = make_user("annotator")
    protected = client.get("/claims/?q=exile")
    assert protected.status_code == 302
    form_page = client.get(protected["Location"])
    assert 'name="next" value="/claims/?q=exile"' in form_page.content.decode()
    response = client.post(protected["Location"], {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/claims/?q=exile"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", OFFSITE)
def test_sign_out_lands_on_the_default_page_for_an_offsite_next(client, next_url):
    client.force_login(make_user("annotator"))
    response = client.post(reverse("logout"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == DEFAULT_AFTER_SIGN_OUT
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", OFFSITE)
def test_sign_out_ignores_an_offsite_next_in_the_query_string(client, next_url):
    client.force_login(make_user("annotator"))
    response = client.post(reverse("logout") + "?" + urlencode({"next": next_url}))
    assert response["Location"] == DEFAULT_AFTER_SIGN_OUT


@pytest.mark.django_db
def test_sign_out_follows_a_next_on_this_site(client):
    client.force_login(make_user("annotator"))
    response = client.post(reverse("logout"), {"next": "/accounts/login/?next=/review/"})
    assert response["Location"] == "/accounts/login/?next=/review/"
