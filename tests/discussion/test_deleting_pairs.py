"""Deleting a claim pair deletes its comments: the delete's confirmation counts them (the
discussion registers them in ``claims.extensions``), refuses without ``confirm`` and deletes
nothing, and the claim details say the same to the annotation page's question."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import services
from claims.errors import ClaimConflict
from claims.models import Claim, ClaimLink, Evidence
from claims.services import claim_delete, dependents_of_claim, dependents_of_link, link_delete
from discussion.deletion import comments_by_link
from discussion.models import Comment
from tests.factories import make_claim, make_comment, make_evidence, make_link, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotator(db):
    return make_user("annotator")


@pytest.fixture
def link(annotator):
    return make_link(user=annotator)


def comment_on(link, count: int) -> list[Comment]:
    return [make_comment(link, f"Comment {index}.") for index in range(count)]


def confirmation(thing: str, dependents: str) -> str:
    return services.ERROR_HAS_DEPENDENTS.format(thing=thing, dependents=dependents)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored() -> tuple[int, int, int]:
    """The links, evidence and comments in the database."""
    return ClaimLink.objects.count(), Evidence.objects.count(), Comment.objects.count()


def delete(client, url: str, body: dict):
    return client.delete(url, json.dumps(body), content_type="application/json")


# --- Deleting a link ------------------------------------------------------------------------------


@pytest.mark.parametrize("confirm", [False, None, "true", 1])
def test_a_link_with_comments_is_not_deleted_without_confirm_and_says_so(link, annotator, confirm):
    comment_on(link, 2)
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=link, version=1, user=annotator, confirm=confirm)
    assert str(error.value) == (
        "Deleting this link also deletes 2 comments. Confirm to delete them together."
    )
    assert (error.value.status, error.value.field) == (409, "confirm")
    assert ClaimLink.objects.filter(pk=link.pk).exists()
    assert Comment.objects.filter(link=link).count() == 2


def test_the_confirmation_counts_a_links_evidence_and_comments(link, annotator):
    make_evidence(link=link)
    comment_on(link, 1)
    comment_on(make_link(), 4)  # another pair's discussion is not counted
    assert dependents_of_link(link) == {"evidence": 1, "reviews": 0, "comments": 1}
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=link, version=1, user=annotator)
    assert str(error.value) == confirmation("link", "1 evidence item and 1 comment")


def test_a_confirmed_link_delete_takes_its_comments_and_leaves_the_others(link, annotator):
    comment_on(link, 3)
    other = comment_on(make_link(), 1)
    link_delete(link=link, version=1, user=annotator, confirm=True)
    assert not ClaimLink.objects.filter(pk=link.pk).exists()
    assert list(Comment.objects.all()) == other


def test_a_link_without_comments_names_no_comments(link, annotator):
    make_evidence(link=link)
    assert dependents_of_link(link) == {"evidence": 1, "reviews": 0, "comments": 0}
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=link, version=1, user=annotator)
    assert str(error.value) == confirmation("link", "1 evidence item")
    assert "comment" not in str(error.value)


def test_a_link_with_neither_evidence_nor_comments_needs_no_confirm(link, annotator):
    link_delete(link=link, version=1, user=annotator)
    assert not ClaimLink.objects.exists()


# --- Deleting a claim -----------------------------------------------------------------------------


def test_a_claim_whose_link_has_comments_is_not_deleted_without_confirm(annotator):
    claim = make_claim(user=annotator)
    link = make_link(claim, user=annotator)
    comment_on(link, 2)
    with pytest.raises(ClaimConflict) as error:
        claim_delete(claim=claim, version=1, user=annotator)
    assert str(error.value) == confirmation("claim", "1 link and 2 comments")
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert (ClaimLink.objects.count(), Comment.objects.count()) == (1, 2)


def test_the_claims_confirmation_counts_the_comments_of_all_its_links(annotator):
    claim = make_claim(user=annotator)
    first, second = make_link(claim), make_link(make_claim(), claim)
    comment_on(first, 2)
    comment_on(second, 1)
    comment_on(make_link(), 5)  # a pair without the claim
    make_evidence(claim)
    make_evidence(link=second)
    assert dependents_of_claim(claim) == {"links": 2, "evidence": 2, "reviews": 0, "comments": 3}
    with pytest.raises(ClaimConflict) as error:
        claim_delete(claim=claim, version=1, user=annotator, confirm="yes")
    assert str(error.value) == confirmation("claim", "2 links, 2 evidence items and 3 comments")
    assert Comment.objects.count() == 8


def test_a_confirmed_claim_delete_takes_its_links_comments(annotator):
    claim = make_claim(user=annotator)
    comment_on(make_link(claim), 2)
    kept = comment_on(make_link(), 1)
    claim_delete(claim=claim, version=1, user=annotator, confirm=True)
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert list(Comment.objects.all()) == kept


# --- The endpoints and what the annotation page asks ---------------------------------------------


def test_the_api_refuses_with_the_comments_counted_then_deletes_when_confirmed(link, annotator):
    comment_on(link, 2)
    make_evidence(link=link)
    client = client_for(annotator)
    url = reverse("claims:api-link", args=[link.public_id])
    response = delete(client, url, {"version": 1})
    assert response.status_code == 409
    message = confirmation("link", "1 evidence item and 2 comments")
    assert response.json() == {"error": message, "fields": {"confirm": [message]}}
    assert stored() == (1, 1, 2)
    response = delete(client, url, {"version": 1, "confirm": True})
    assert response.status_code == 200
    assert stored() == (0, 0, 0)


def test_the_claim_details_say_what_each_delete_takes_in_the_confirmations_words(annotator):
    claim = make_claim(user=annotator)
    discussed, quiet = make_link(claim, user=annotator), make_link(claim, user=annotator)
    comment_on(discussed, 2)
    make_evidence(link=discussed)
    make_evidence(link=quiet)
    comment_on(make_link(), 1)
    response = client_for(annotator).get(reverse("claims:api-claim", args=[claim.public_id]))
    assert response.status_code == 200
    data = response.json()
    deletes = {entry["id"]: entry["deletes"] for entry in data["links"]}
    assert deletes == {
        str(discussed.public_id): "1 evidence item and 2 comments",
        str(quiet.public_id): "1 evidence item",
    }
    assert data["deletes"] == "2 links, 2 evidence items and 2 comments"
    # The same words as the refusal the delete answers without confirm.
    with pytest.raises(ClaimConflict) as error:
        claim_delete(claim=claim, version=1, user=annotator)
    assert str(error.value) == confirmation("claim", data["deletes"])
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=discussed, version=1, user=annotator)
    assert str(error.value) == confirmation("link", deletes[str(discussed.public_id)])


def test_the_claim_details_query_count_does_not_depend_on_comments(annotator):
    client = client_for(annotator)
    few, many = make_claim(user=annotator), make_claim(user=annotator)
    comment_on(make_link(few), 1)
    for _ in range(3):
        comment_on(make_link(many), 3)

    def queries(claim) -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("claims:api-claim", args=[claim.public_id]))
        assert response.status_code == 200
        return len(context.captured_queries)

    queries(few)  # warm up what a first request loads once
    assert queries(few) == queries(many)


def test_the_schema_describes_what_a_delete_takes(annotator):
    schema = client_for(annotator).get(reverse("api-schema")).json()["components"]["schemas"]
    assert "comments" in schema["ClaimDetails"]["properties"]["deletes"]["description"]
    assert "comments" in schema["LinkDetails"]["properties"]["deletes"]["description"]
    assert "comments" in schema["LinkDelete"]["properties"]["confirm"]["description"]


# --- The count the discussion registers -----------------------------------------------------------


def test_comments_by_link_counts_each_link_in_one_query():
    first, second, silent = make_link(), make_link(), make_link()
    comment_on(first, 2)
    comment_on(second, 1)
    links = ClaimLink.objects.filter(pk__in=[first.pk, second.pk, silent.pk])
    with CaptureQueriesContext(connection) as context:
        counted = comments_by_link(links)
    assert counted == {first.pk: 2, second.pk: 1}
    assert len(context.captured_queries) == 1
