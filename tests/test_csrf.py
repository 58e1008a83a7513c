"""Every write needs the CSRF token: without it, a signed-in editor's request is refused
with 403 and nothing is stored. The JSON endpoints refuse in JSON, the pages with a page."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claims.models import Claim, ClaimLink, Evidence, Review, Topic
from corpus.models import Document, Source
from crosscheck import jsonapi
from tests.factories import PASSWORD, make_claim, make_document, make_evidence, make_link

pytestmark = pytest.mark.django_db

TEXT = "Budget report\n\nThe mayor said that taxes rose by five percent last year."


@pytest.fixture
def world(editor):
    """Objects for every write to aim at, none of them the editor's own."""
    document = make_document(TEXT)
    claim = make_claim(document, quote="taxes rose")
    other = make_claim(make_document("Another report says taxes fell."), quote="taxes fell")
    third = make_claim(make_document("A third report: taxes stayed flat."), quote="stayed flat")
    link = make_link(claim, other)
    return {
        "document": document,
        "claim": claim,
        "third": third,
        "link": link,
        "evidence": make_evidence(claim),
        "link_evidence": make_evidence(link=link, kind="quote"),
        "source": document.source,
    }


def _api(method: str, url, body: dict):
    return method, url, json.dumps(body), "application/json"


# name: build(world) -> (method, url, data, content_type). The JSON endpoints' writes, from
# claims/urls.py and claims/api.py (every POST, PATCH and DELETE they accept).
API_WRITES = {
    "claim create": lambda w: _api(
        "post",
        reverse("claims:api-document-claims", args=[w["document"].pk]),
        {"start": 36, "end": 51, "quote": TEXT[36:51], "statement": "A claim.", "topics": []},
    ),
    "claim edit": lambda w: _api(
        "patch",
        reverse("claims:api-claim", args=[w["claim"].public_id]),
        {"statement": "Changed.", "topics": ["New"], "version": w["claim"].version},
    ),
    "claim delete": lambda w: _api(
        "delete",
        reverse("claims:api-claim", args=[w["third"].public_id]),
        {"version": w["third"].version, "confirm": True},
    ),
    "link create": lambda w: _api(
        "post",
        reverse("claims:api-claim-links", args=[w["claim"].public_id]),
        {"other": str(w["third"].public_id), "relation": "contradicts", "rationale": "No."},
    ),
    "link edit": lambda w: _api(
        "patch",
        reverse("claims:api-link", args=[w["link"].public_id]),
        {"relation": "qualifies", "rationale": "Changed.", "version": w["link"].version},
    ),
    "link delete": lambda w: _api(
        "delete",
        reverse("claims:api-link", args=[w["link"].public_id]),
        {"version": w["link"].version, "confirm": True},
    ),
    "claim evidence add": lambda w: _api(
        "post",
        reverse("claims:api-claim-evidence", args=[w["claim"].public_id]),
        {"kind": "citation", "bearing": "refutes", "citation": "A book, p. 2."},
    ),
    "link evidence add": lambda w: _api(
        "post",
        reverse("claims:api-link-evidence", args=[w["link"].public_id]),
        {"kind": "url", "bearing": "supports", "url": "https://example.org/report"},
    ),
    "evidence edit": lambda w: _api(
        "patch",
        reverse("claims:api-evidence", args=[w["evidence"].public_id]),
        {"bearing": "refutes", "version": w["evidence"].version},
    ),
    "evidence delete": lambda w: _api(
        "delete",
        reverse("claims:api-evidence", args=[w["link_evidence"].public_id]),
        {"version": w["link_evidence"].version},
    ),
}
# The pages' writes, from claims/views.py and corpus/views.py, and two of the admin's.
PAGE_WRITES = {
    "review": lambda w: (
        "post",
        reverse("claims:link-review", args=[w["link"].public_id]),
        {"verdict": "confirmed", "note": "Checked."},
        None,
    ),
    "upload": lambda w: (
        "post",
        reverse("corpus:upload"),
        {
            "file": SimpleUploadedFile("new.txt", b"A new document about the trials."),
            "language": "en",
            "source": w["source"].pk,
            "new_source_kind": "other",
        },
        None,
    ),
    "admin source change": lambda w: (
        "post",
        reverse("admin:corpus_source_change", args=[w["source"].pk]),
        {"name": "Renamed", "slug": w["source"].slug, "kind": "news"},
        None,
    ),
    "admin claim delete": lambda w: (
        "post",
        reverse("admin:claims_claim_delete", args=[w["third"].pk]),
        {"post": "yes"},
        None,
    ),
}

WRITES = API_WRITES | PAGE_WRITES


def send(client: Client, request, **headers):
    method, url, data, content_type = request
    if content_type:
        return getattr(client, method)(url, data, content_type=content_type, headers=headers)
    return getattr(client, method)(url, data, headers=headers)


def stored_state() -> dict:
    """Everything a write could change, history included."""
    models = [Source, Document, Claim, ClaimLink, Evidence, Review, Topic]
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    for model in models:
        if hasattr(model, "history"):
            state[f"{model.__name__} history"] = model.history.count()
    return state


@pytest.fixture
def csrf_client(editor) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    return client


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_without_a_token_is_refused_and_changes_nothing(csrf_client, world, name):
    before = stored_state()
    response = send(csrf_client, WRITES[name](world))
    assert response.status_code == 403
    assert stored_state() == before


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_with_a_wrong_token_is_refused(csrf_client, world, name):
    csrf_client.get(reverse("corpus:documents"))  # sets the CSRF cookie
    before = stored_state()
    response = send(csrf_client, WRITES[name](world), X_CSRFToken="x" * 32)
    assert response.status_code == 403
    assert stored_state() == before


@pytest.mark.parametrize("name", list(API_WRITES))
def test_the_json_endpoints_refuse_in_json(csrf_client, world, name):
    response = send(csrf_client, WRITES[name](world))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": jsonapi.ERROR_CSRF, "fields": {}}


@pytest.mark.parametrize("name", ["review", "upload"])
def test_the_pages_refuse_with_a_page_that_says_what_to_do(csrf_client, world, name):
    response = send(csrf_client, WRITES[name](world))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "The page has expired" in body
    assert "reload the page" in body
    assert "CSRF" not in body  # no internals


def _token_from(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_a_json_write_with_the_pages_token_succeeds(csrf_client, world):
    token = _token_from(csrf_client, world["document"].get_absolute_url())
    count = Claim.objects.count()
    response = send(csrf_client, WRITES["claim create"](world), X_CSRFToken=token)
    assert response.status_code == 201, response.content
    assert Claim.objects.count() == count + 1


def test_a_form_write_with_the_forms_token_succeeds(csrf_client, world):
    page = csrf_client.get(world["link"].get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    method, url, data, _ = WRITES["review"](world)
    response = csrf_client.post(url, data | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Review.objects.filter(link=world["link"], verdict="confirmed").count() == 1


def test_signing_out_without_a_token_keeps_the_user_signed_in(csrf_client):
    response = csrf_client.post(reverse("logout"))
    assert response.status_code == 403
    assert csrf_client.get(reverse("corpus:documents")).status_code == 200


def test_signing_in_without_a_token_is_refused(editor):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("name", list(WRITES))
def test_the_same_write_with_a_token_goes_through(csrf_client, world, name):
    """So the refusals above are the token's doing, not a bad request's."""
    token = _token_from(csrf_client, world["document"].get_absolute_url())
    before = stored_state()
    response = send(csrf_client, WRITES[name](world), X_CSRFToken=token)
    assert response.status_code in {200, 201, 302}, response.content
    assert stored_state() != before
