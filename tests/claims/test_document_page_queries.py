"""The document page and the claims it loads from ``claims:api-document-claims``: what
each user may edit, and query counts (the page's and the claims') that do not depend on
the number of claims."""

import itertools
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_claim, make_document, make_user

pytestmark = pytest.mark.django_db

_numbers = itertools.count()
CONFIG_DATA = re.compile(
    r'<script id="annotate-config" type="application/json">(.*?)</script>', re.S
)


def page_url(document) -> str:
    return reverse("claims:document", args=[document.pk])


def claims_url(document) -> str:
    return reverse("claims:api-document-claims", args=[document.pk])


def loaded_claims(client, document) -> list[dict]:
    """The claims the page loads, from the address its settings give it."""
    config = embedded_config(client.get(page_url(document)))
    assert config["claimsUrl"] == claims_url(document)
    response = client.get(config["claimsUrl"])
    assert response.status_code == 200
    return response.json()["claims"]


def embedded_config(response) -> dict:
    return json.loads(CONFIG_DATA.search(response.content.decode()).group(1))


def document_with_claims(count: int, annotators: list):
    """A new document with ``count`` claims, one per word, by turns of ``annotators``."""
    number = next(_numbers)
    document = make_document(" ".join(f"d{number}w{index}." for index in range(count + 5)))
    for index in range(count):
        make_claim(
            document,
            user=annotators[index % len(annotators)],
            quote=f"d{number}w{index}.",
            statement=f"Claim {index}",
            topics=[f"Topic {index % 7}", f"Own {index}"],
        )
    return document


def count_page_queries(client, document) -> tuple[int, int]:
    """The queries of the page, and of the claims it loads."""
    with CaptureQueriesContext(connection) as page:
        response = client.get(page_url(document))
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as claims:
        response = client.get(claims_url(document))
    assert len(response.json()["claims"]) == document.claims.count()
    return len(page.captured_queries), len(claims.captured_queries)


@pytest.mark.parametrize("client_fixture", ["annotator_client", "reviewer_client", "editor_client"])
def test_the_query_count_does_not_depend_on_the_number_of_claims(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    annotators = [make_user("annotator") for _ in range(4)]
    few = document_with_claims(3, annotators)
    many = document_with_claims(60, annotators)
    count_page_queries(client, few)  # warm up what a first request loads once
    assert count_page_queries(client, few) == count_page_queries(client, many)


def test_the_query_count_stays_the_same_when_the_viewer_owns_the_claims(annotator):
    client = Client()
    client.force_login(annotator)
    few = document_with_claims(3, [annotator])
    many = document_with_claims(60, [annotator, make_user("annotator")])
    count_page_queries(client, few)
    assert count_page_queries(client, few) == count_page_queries(client, many)


def test_the_page_preloads_its_claims_and_embeds_none(annotator_client, annotator):
    document = make_document("Alpha beta gamma delta.")
    make_claim(document, user=annotator, quote="gamma", statement="<b>a statement</b>")
    html = annotator_client.get(page_url(document)).content.decode()
    url = claims_url(document)
    assert f'<link rel="preload" href="{url}" as="fetch" crossorigin="anonymous">' in html
    assert "a statement" not in html


def test_the_page_loads_each_claim_in_reading_order(annotator_client, annotator):
    document = make_document("Alpha beta gamma delta.")
    later = make_claim(document, user=annotator, quote="gamma", topics=["Greek"])
    first = make_claim(document, user=annotator, quote="Alpha beta", statement="<b>first</b>")
    claims = loaded_claims(annotator_client, document)
    assert [claim["id"] for claim in claims] == [str(first.public_id), str(later.public_id)]
    assert claims[0]["statement"] == "<b>first</b>"
    assert (claims[0]["start"], claims[0]["end"]) == (0, 10)
    assert claims[1]["topics"] == ["Greek"]
    assert claims[1]["author"] == annotator.username
    assert claims[1]["version"] == 1


def test_a_page_without_claims_loads_an_empty_list(reviewer_client):
    assert loaded_claims(reviewer_client, make_document("Nothing claimed here.")) == []


@pytest.fixture
def two_authors_document(annotator):
    """A document with one claim by ``annotator`` and one by another annotator."""
    document = make_document("Alpha beta gamma delta.")
    own = make_claim(document, user=annotator, quote="Alpha")
    other = make_claim(document, user=make_user("annotator"), quote="gamma")
    return document, own, other


def can_edit_by_id(client, document) -> dict[str, bool]:
    return {claim["id"]: claim["can_edit"] for claim in loaded_claims(client, document)}


def test_an_annotator_can_edit_only_their_own_claims(annotator_client, two_authors_document):
    document, own, other = two_authors_document
    assert can_edit_by_id(annotator_client, document) == {
        str(own.public_id): True,
        str(other.public_id): False,
    }
    assert embedded_config(annotator_client.get(page_url(document)))["canAnnotate"] is True


def test_a_reviewer_can_edit_no_ones_claims(reviewer_client, two_authors_document):
    document, own, other = two_authors_document
    assert can_edit_by_id(reviewer_client, document) == {
        str(own.public_id): False,
        str(other.public_id): False,
    }
    assert embedded_config(reviewer_client.get(page_url(document)))["canAnnotate"] is False


def test_an_editor_can_edit_everyones_claims(editor_client, two_authors_document):
    document, own, other = two_authors_document
    assert can_edit_by_id(editor_client, document) == {
        str(own.public_id): True,
        str(other.public_id): True,
    }
    assert embedded_config(editor_client.get(page_url(document)))["canAnnotate"] is True


def test_a_user_without_a_role_can_edit_nothing(no_role_client, two_authors_document):
    document, _, _ = two_authors_document
    assert set(can_edit_by_id(no_role_client, document).values()) == {False}
