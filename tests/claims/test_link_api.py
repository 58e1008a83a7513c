"""The JSON endpoints for links, evidence and claim search: payloads, refusals as JSON with
the services' messages, roles, CSRF, and never a server error for a bad body."""

import json
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import api, schemas, services
from claims.anchoring import ERROR_QUOTE_MISMATCH, shorten
from claims.models import RATIONALE_MAX_LENGTH, AnchorState, Claim, ClaimLink, Evidence
from corpus.services import document_revise
from corpus.text import ERROR_BAD_CHARACTERS
from crosscheck import jsonapi
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

TEXT_A = "Budget report\n\nThe mayor said that taxes rose by five percent last year."
TEXT_B = "Audit findings\n\nThe auditors found that taxes rose by eight percent last year."
PASSAGE_TEXT = "Treasury note\n\nRevenue from taxes rose by seven percent, the treasury says."
PASSAGE = "Revenue from taxes rose by seven percent"


@pytest.fixture
def claim_a(annotator):
    """The annotator's claim, made first (the smaller id)."""
    document = make_document(TEXT_A, source=make_source(name="City Hall"))
    return make_claim(document, user=annotator, quote="taxes rose by five percent")


@pytest.fixture
def claim_b(claim_a):
    """Another annotator's claim in another document of another source."""
    document = make_document(TEXT_B, source=make_source(name="The Ledger"))
    return make_claim(
        document,
        user=make_user("annotator"),
        quote="taxes rose by eight percent",
        statement="Taxes rose by eight percent.",
    )


@pytest.fixture
def link(claim_a, claim_b, annotator):
    return make_link(claim_a, claim_b, user=annotator, rationale="Five is not eight.")


@pytest.fixture
def passage_document():
    return make_document(PASSAGE_TEXT)


def claim_url(claim) -> str:
    return reverse("claims:api-claim", args=[claim.public_id])


def links_url(claim) -> str:
    return reverse("claims:api-claim-links", args=[claim.public_id])


def link_url(link) -> str:
    return reverse("claims:api-link", args=[link.public_id])


def claim_evidence_url(claim) -> str:
    return reverse("claims:api-claim-evidence", args=[claim.public_id])


def link_evidence_url(link) -> str:
    return reverse("claims:api-link-evidence", args=[link.public_id])


def evidence_url(evidence) -> str:
    return reverse("claims:api-evidence", args=[evidence.public_id])


SEARCH_URL = reverse("claims:api-claim-search")


def send(client, method: str, url: str, data=None, **extra):
    """A request with a JSON body (raw when ``data`` is already text or bytes); a GET has
    no body."""
    if method == "get":
        return client.get(url, **extra)
    payload = data if isinstance(data, str | bytes) else json.dumps({} if data is None else data)
    return getattr(client, method)(url, payload, content_type="application/json", **extra)


def refusal(message: str, field: str | None = None) -> dict:
    return {"error": message, "fields": {field: [message]} if field else {}}


def client_for(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def side(claim) -> dict:
    """A claim as the endpoints show it at the far end of a link or in search results."""
    document = claim.document
    return {
        "id": str(claim.public_id),
        "quote": claim.quote,
        "statement": claim.statement,
        "source": document.source.name,
        "document": document.title,
        "document_id": document.pk,
        "url": reverse("claims:document", args=[document.pk]) + f"#claim-{claim.public_id}",
    }


def link_body(far_claim, **fields) -> dict:
    defaults = {"other": str(far_claim.public_id), "relation": "contradicts", "rationale": "Why."}
    return defaults | fields


def passage_body(document, **fields) -> dict:
    start = PASSAGE_TEXT.index(PASSAGE)
    defaults = {
        "kind": "passage",
        "bearing": "supports",
        "document": document.pk,
        "start": start,
        "end": start + len(PASSAGE),
        "quote": PASSAGE,
    }
    return defaults | fields


# Reading a claim with its links and evidence


def test_get_a_claim_returns_its_links_seen_from_it_and_the_evidence_on_it_and_them(
    annotator_client, annotator, claim_a, claim_b, link, passage_document
):
    on_claim = make_evidence(claim_a, user=annotator, citation="Smith, Taxes, 2001.")
    on_link = make_evidence(
        link=link,
        kind="passage",
        bearing="refutes",
        document=passage_document,
        start=PASSAGE_TEXT.index(PASSAGE),
        end=PASSAGE_TEXT.index(PASSAGE) + len(PASSAGE),
        quote=PASSAGE,
    )
    make_evidence(claim_b, citation="Evidence on the other claim only.")
    response = annotator_client.get(claim_url(claim_a))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"claim", "links", "evidence", "deletes", "date_suggestions"}
    assert data["claim"]["id"] == str(claim_a.public_id)
    assert data["deletes"] == "1 link and 2 evidence items"
    assert data["evidence"] == [
        {
            "id": str(on_claim.public_id),
            "kind": "citation",
            "kind_label": "citation",
            "bearing": "supports",
            "citation": "Smith, Taxes, 2001.",
            "url": "",
            "quote": "",
            "document": None,
            "start": None,
            "end": None,
            "anchor_state": "exact",
            "current_revision": None,
            "author": annotator.username,
            "created": on_claim.created_at.isoformat(),
            "version": 1,
            "can_edit": True,
        }
    ]
    start = PASSAGE_TEXT.index(PASSAGE)
    assert data["links"] == [
        {
            "id": str(link.public_id),
            "relation": "contradicts",
            "direction": "none",
            "qualifier": None,
            "rationale": "Five is not eight.",
            "review_state": "pending review",
            "author": annotator.username,
            "created": link.created_at.isoformat(),
            "version": 1,
            "can_edit": True,
            "url": reverse("claims:link", args=[link.public_id]),
            "other": side(claim_b),
            "evidence": [
                {
                    "id": str(on_link.public_id),
                    "kind": "passage",
                    "kind_label": "passage of a stored document",
                    "bearing": "refutes",
                    "citation": "",
                    "url": "",
                    "quote": PASSAGE,
                    "document": {
                        "id": passage_document.pk,
                        "title": passage_document.title,
                        "url": reverse("claims:document", args=[passage_document.pk]),
                        "revision": 1,
                    },
                    "start": start,
                    "end": start + len(PASSAGE),
                    "anchor_state": "exact",
                    "current_revision": None,
                    "author": on_link.created_by.username,
                    "created": on_link.created_at.isoformat(),
                    "version": 1,
                    "can_edit": False,
                }
            ],
            "deletes": "1 evidence item",
        }
    ]


def test_from_the_other_claim_the_far_end_of_the_link_is_the_first_claim(
    reviewer_client, claim_a, claim_b, link
):
    response = reviewer_client.get(claim_url(claim_b))
    assert response.status_code == 200
    links = response.json()["links"]
    assert [entry["id"] for entry in links] == [str(link.public_id)]
    assert links[0]["other"] == side(claim_a)
    assert links[0]["other"]["source"] == "City Hall"
    assert links[0]["other"]["url"].endswith(f"#claim-{claim_a.public_id}")
    assert links[0]["can_edit"] is False
    assert response.json()["evidence"] == []


def test_a_claim_without_links_or_evidence_has_empty_lists(reviewer_client, claim_a):
    response = reviewer_client.get(claim_url(claim_a))
    assert (response.json()["links"], response.json()["evidence"]) == ([], [])
    assert response.json()["deletes"] == ""


def test_a_long_quote_at_the_far_end_is_shortened_to_300_characters(
    annotator_client, claim_a, annotator
):
    long_quote = " ".join(f"word{n}" for n in range(100))
    far = make_claim(make_document(long_quote), quote=long_quote)
    make_link(claim_a, far, user=annotator)
    other = annotator_client.get(claim_url(claim_a)).json()["links"][0]["other"]
    assert other["quote"] == shorten(long_quote, 300)
    assert len(other["quote"]) == 300 and other["quote"].endswith("…")


def test_the_links_are_listed_oldest_first_from_either_side(annotator_client, claim_a, annotator):
    later = make_claim(make_document("A later claim."))
    earlier = make_claim(make_document("An earlier document."))
    first = make_link(later, claim_a, user=annotator)
    second = make_link(claim_a, earlier, user=annotator)
    links = annotator_client.get(claim_url(claim_a)).json()["links"]
    assert [entry["id"] for entry in links] == [str(first.public_id), str(second.public_id)]
    assert [entry["other"]["id"] for entry in links] == [
        str(later.public_id),
        str(earlier.public_id),
    ]


def count_detail_queries(client, claim) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(claim_url(claim))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_claim_details_query_count_does_not_depend_on_links_or_evidence(
    annotator_client, annotator
):
    few = make_claim(make_document("Few links here."), user=annotator)
    many = make_claim(make_document("Many links here."), user=annotator)
    make_evidence(link=make_link(few))
    make_evidence(few)
    for _ in range(6):
        link = make_link(many)
        make_evidence(link=link, kind="url")
        make_evidence(many, kind="quote")
    annotator_client.get(claim_url(few))
    assert count_detail_queries(annotator_client, few) == count_detail_queries(
        annotator_client, many
    )


# Creating links


def test_post_creates_a_link_and_answers_201_with_it_seen_from_the_claim(
    annotator_client, annotator, claim_a, claim_b
):
    response = send(
        annotator_client, "post", links_url(claim_a), link_body(claim_b, rationale=" Why. ")
    )
    assert response.status_code == 201, response.json()
    link = ClaimLink.objects.get()
    payload = response.json()["link"]
    assert payload["id"] == str(link.public_id)
    assert (payload["relation"], payload["rationale"], payload["version"]) == (
        "contradicts",
        "Why.",
        1,
    )
    assert (payload["author"], payload["can_edit"], payload["evidence"]) == (
        annotator.username,
        True,
        [],
    )
    assert payload["other"] == side(claim_b)
    assert payload["url"] == reverse("claims:link", args=[link.public_id])
    assert (link.left, link.right, link.created_by) == (claim_a, claim_b, annotator)


def test_post_from_the_later_claim_stores_the_pair_in_canonical_order(
    annotator_client, claim_a, claim_b
):
    response = send(annotator_client, "post", links_url(claim_b), link_body(claim_a))
    assert response.status_code == 201
    assert response.json()["link"]["other"] == side(claim_a)
    link = ClaimLink.objects.get()
    assert (link.left, link.right) == (claim_a, claim_b)


def test_post_ignores_what_the_client_says_about_author_version_and_review(
    annotator_client, annotator, claim_a, claim_b
):
    other_user = make_user("annotator")
    forged = link_body(
        claim_b, created_by=other_user.pk, version=9, review_state="confirmed", left=1, right=2
    )
    assert send(annotator_client, "post", links_url(claim_a), forged).status_code == 201
    link = ClaimLink.objects.get()
    assert (link.created_by, link.version, link.review_state) == (annotator, 1, "pending")


@pytest.mark.parametrize(
    "other",
    [
        "not-a-uuid",
        "",
        12345,
        None,
        True,
        1.5,
        [],
        {},
        "\x00",
        "\ud800",
        str(uuid.uuid4())[:-1],
        "9" * 5000,
    ],
    ids=lambda value: repr(value)[:20],
)
def test_post_with_a_malformed_other_claim_is_refused(annotator_client, claim_a, other):
    response = send(annotator_client, "post", links_url(claim_a), link_body(claim_a, other=other))
    assert response.status_code == 400
    assert response.json() == refusal(api.ERROR_NO_SUCH_CLAIM, "other")
    assert ClaimLink.objects.count() == 0


def test_post_with_an_unknown_or_missing_other_claim_is_refused(annotator_client, claim_a):
    unknown = link_body(claim_a, other=str(uuid.uuid4()))
    response = send(annotator_client, "post", links_url(claim_a), unknown)
    assert response.status_code == 400
    assert response.json() == refusal(api.ERROR_NO_SUCH_CLAIM, "other")
    missing = link_body(claim_a)
    del missing["other"]
    response = send(annotator_client, "post", links_url(claim_a), missing)
    assert response.json() == refusal(api.ERROR_NO_SUCH_CLAIM, "other")
    assert ClaimLink.objects.count() == 0


def test_post_linking_a_claim_to_itself_is_refused(annotator_client, claim_a):
    response = send(annotator_client, "post", links_url(claim_a), link_body(claim_a))
    assert response.status_code == 400
    assert response.json() == refusal(services.ERROR_LINK_SELF, "other")
    assert ClaimLink.objects.count() == 0


def test_post_linking_claims_of_the_same_document_is_refused(annotator_client, claim_a):
    same_document = make_claim(claim_a.document, quote="last year")
    response = send(annotator_client, "post", links_url(claim_a), link_body(same_document))
    assert response.status_code == 400
    assert response.json() == refusal(services.ERROR_LINK_SAME_DOCUMENT, "other")
    assert ClaimLink.objects.count() == 0


@pytest.mark.parametrize("reverse_order", [False, True])
def test_post_of_an_existing_pair_is_refused_naming_its_relation(
    annotator_client, claim_a, claim_b, reverse_order
):
    make_link(claim_a, claim_b, relation="corroborates")
    claim, other = (claim_b, claim_a) if reverse_order else (claim_a, claim_b)
    response = send(annotator_client, "post", links_url(claim), link_body(other))
    assert response.status_code == 400
    message = services.ERROR_LINK_EXISTS.format(relation="corroborates")
    assert response.json() == refusal(message, "other")
    assert ClaimLink.objects.get().relation == "corroborates"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"relation": "refutes"}, "relation", services.ERROR_RELATION),
        ({"relation": None}, "relation", services.ERROR_RELATION),
        ({"relation": ["contradicts"]}, "relation", services.ERROR_RELATION),
        ({"rationale": ""}, "rationale", services.ERROR_RATIONALE_MISSING),
        ({"rationale": "  "}, "rationale", services.ERROR_RATIONALE_MISSING),
        ({"rationale": None}, "rationale", services.ERROR_RATIONALE_MISSING),
        ({"rationale": 42}, "rationale", services.ERROR_RATIONALE_MISSING),
        (
            {"rationale": "r" * (RATIONALE_MAX_LENGTH + 1)},
            "rationale",
            services.ERROR_RATIONALE_TOO_LONG,
        ),
        ({"rationale": "a\x00b"}, "rationale", ERROR_BAD_CHARACTERS),
        ({"rationale": "a\ud800b"}, "rationale", ERROR_BAD_CHARACTERS),
    ],
)
def test_post_refuses_a_bad_relation_or_rationale_with_the_services_message(
    annotator_client, claim_a, claim_b, fields, field, message
):
    response = send(annotator_client, "post", links_url(claim_a), link_body(claim_b, **fields))
    assert response.status_code == 400
    assert response.json() == refusal(message, field)
    assert ClaimLink.objects.count() == 0


@pytest.mark.parametrize("client_fixture", ["reviewer_client", "no_role_client"])
def test_users_without_the_annotator_role_cannot_link(request, client_fixture, claim_a, claim_b):
    client = request.getfixturevalue(client_fixture)
    response = send(client, "post", links_url(claim_a), link_body(claim_b))
    assert response.status_code == 403
    assert response.json() == refusal(services.ERROR_NOT_ANNOTATOR)
    assert ClaimLink.objects.count() == 0


def test_an_editor_can_link(editor_client, claim_a, claim_b):
    assert send(editor_client, "post", links_url(claim_a), link_body(claim_b)).status_code == 201
    assert ClaimLink.objects.count() == 1


def test_post_to_an_unknown_claim_gets_404(annotator_client, claim_b):
    url = reverse("claims:api-claim-links", args=[uuid.uuid4()])
    response = send(annotator_client, "post", url, link_body(claim_b))
    assert response.status_code == 404
    assert response.json() == refusal(jsonapi.ERROR_NOT_FOUND)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_the_links_address_accepts_only_post(annotator_client, claim_a, claim_b, method):
    response = send(annotator_client, method, links_url(claim_a), link_body(claim_b))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == refusal(jsonapi.ERROR_METHOD.format(method=method.upper()))
    assert ClaimLink.objects.count() == 0


# Anonymous requests


def test_anonymous_requests_to_every_new_endpoint_get_401(claim_a, link):
    evidence = make_evidence(claim_a)
    client = Client()
    requests = [
        ("get", SEARCH_URL + "?q=taxes"),
        ("post", links_url(claim_a)),
        ("post", claim_evidence_url(claim_a)),
        ("post", link_evidence_url(link)),
        ("patch", link_url(link)),
        ("delete", link_url(link)),
        ("patch", evidence_url(evidence)),
        ("delete", evidence_url(evidence)),
    ]
    for method, url in requests:
        response = send(client, method, url, {"version": 1, "confirm": True, "bearing": "refutes"})
        assert response.status_code == 401, (method, url)
        assert response.json() == refusal(jsonapi.ERROR_SIGN_IN)
    assert (ClaimLink.objects.count(), Evidence.objects.count()) == (1, 1)
    assert Evidence.objects.get().bearing == "supports"


# Editing and deleting links


def test_the_owner_patches_a_link(annotator_client, link):
    response = send(
        annotator_client,
        "patch",
        link_url(link),
        {"relation": "qualifies", "rationale": "Only partly.", "version": 1},
    )
    assert response.status_code == 200, response.json()
    payload = response.json()["link"]
    assert (payload["relation"], payload["rationale"], payload["version"]) == (
        "qualifies",
        "Only partly.",
        2,
    )
    link.refresh_from_db()
    assert (link.relation, link.rationale, link.version) == ("qualifies", "Only partly.", 2)


def test_a_patch_of_the_relation_alone_keeps_the_rationale(annotator_client, link):
    response = send(
        annotator_client, "patch", link_url(link), {"relation": "corroborates", "version": 1}
    )
    assert response.status_code == 200
    link.refresh_from_db()
    assert (link.relation, link.rationale) == ("corroborates", "Five is not eight.")


@pytest.mark.parametrize("role", ["annotator", "reviewer", None])
def test_others_cannot_patch_or_delete_a_link(link, role):
    client = client_for(make_user(role))
    response = send(client, "patch", link_url(link), {"rationale": "Hijacked.", "version": 1})
    assert response.status_code == 403
    assert response.json() == refusal(services.ERROR_NOT_LINK_OWNER)
    response = send(client, "delete", link_url(link), {"version": 1, "confirm": True})
    assert response.status_code == 403
    link.refresh_from_db()
    assert (link.rationale, link.version) == ("Five is not eight.", 1)


def test_an_editor_patches_anyones_link(editor_client, link):
    response = send(editor_client, "patch", link_url(link), {"rationale": "Edited.", "version": 1})
    assert response.status_code == 200
    assert ClaimLink.objects.get().rationale == "Edited."


def test_a_stale_link_patch_gets_409_and_the_first_edit_is_kept(annotator_client, link):
    first = {"rationale": "First.", "version": 1}
    assert send(annotator_client, "patch", link_url(link), first).status_code == 200
    second = {"rationale": "Second.", "version": 1}
    response = send(annotator_client, "patch", link_url(link), second)
    assert response.status_code == 409
    message = services.ERROR_CONFLICT.format(current=2, sent=1)
    assert response.json() == refusal(message, "version")
    link.refresh_from_db()
    assert (link.rationale, link.version) == ("First.", 2)


def test_a_link_patch_with_a_bad_relation_is_refused(annotator_client, link):
    response = send(annotator_client, "patch", link_url(link), {"relation": "x", "version": 1})
    assert response.status_code == 400
    assert response.json() == refusal(services.ERROR_RELATION, "relation")
    assert ClaimLink.objects.get().version == 1


def test_delete_a_link_without_evidence(annotator_client, link, claim_a, claim_b):
    response = send(annotator_client, "delete", link_url(link), {"version": 1})
    assert response.status_code == 200
    assert response.json() == {"deleted": str(link.public_id)}
    assert ClaimLink.objects.count() == 0
    assert set(Claim.objects.all()) == {claim_a, claim_b}


@pytest.mark.parametrize("body", [{"version": 1}, {"version": 1, "confirm": "true"}])
def test_delete_a_link_with_evidence_needs_confirm_true(annotator_client, link, body):
    make_evidence(link=link)
    response = send(annotator_client, "delete", link_url(link), body)
    assert response.status_code == 409
    message = services.ERROR_HAS_DEPENDENTS.format(thing="link", dependents="1 evidence item")
    assert response.json() == refusal(message, "confirm")
    assert (ClaimLink.objects.count(), Evidence.objects.count()) == (1, 1)
    response = send(annotator_client, "delete", link_url(link), {"version": 1, "confirm": True})
    assert response.status_code == 200
    assert (ClaimLink.objects.count(), Evidence.objects.count()) == (0, 0)


def test_a_stale_link_delete_gets_409(annotator_client, link):
    send(annotator_client, "patch", link_url(link), {"rationale": "Edited.", "version": 1})
    response = send(annotator_client, "delete", link_url(link), {"version": 1})
    assert response.status_code == 409
    assert response.json() == refusal(services.ERROR_CONFLICT.format(current=2, sent=1), "version")
    assert ClaimLink.objects.count() == 1


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_an_unknown_link_gets_404(annotator_client, method):
    url = reverse("claims:api-link", args=[uuid.uuid4()])
    response = send(annotator_client, method, url, {"version": 1})
    assert response.status_code == 404
    assert response.json() == refusal(jsonapi.ERROR_NOT_FOUND)


@pytest.mark.parametrize("method", ["get", "post", "put"])
def test_the_link_address_accepts_only_patch_and_delete(annotator_client, link, method):
    response = send(annotator_client, method, link_url(link), {"version": 1})
    assert response.status_code == 405
    assert response["Allow"] == "PATCH, DELETE"
    assert ClaimLink.objects.get().version == 1


# Deleting a claim with links


def test_deleting_a_claim_with_links_needs_confirm(annotator_client, claim_a, claim_b, link):
    make_evidence(link=link)
    response = send(annotator_client, "delete", claim_url(claim_a), {"version": 1})
    assert response.status_code == 409
    message = services.ERROR_HAS_DEPENDENTS.format(
        thing="claim", dependents="1 link and 1 evidence item"
    )
    assert response.json() == refusal(message, "confirm")
    assert (Claim.objects.count(), ClaimLink.objects.count(), Evidence.objects.count()) == (2, 1, 1)
    response = send(annotator_client, "delete", claim_url(claim_a), {"version": 1, "confirm": True})
    assert response.status_code == 200
    assert response.json() == {"deleted": str(claim_a.public_id)}
    assert list(Claim.objects.all()) == [claim_b]
    assert (ClaimLink.objects.count(), Evidence.objects.count()) == (0, 0)


# Adding evidence


EVIDENCE_BODIES = {
    "citation": {"kind": "citation", "bearing": "supports", "citation": "Smith, 2001, p. 4."},
    "url": {
        "kind": "url",
        "bearing": "refutes",
        "url": "HTTPS://Example.com/report",
        "citation": "The report",
    },
    "quote": {"kind": "quote", "bearing": "supports", "quote": "“Taxes rose.”", "citation": "TV"},
}


@pytest.mark.parametrize("target", ["claim", "link"])
@pytest.mark.parametrize("kind", ["citation", "url", "quote", "passage"])
def test_post_evidence_of_each_kind_to_a_claim_or_a_link(
    annotator_client, annotator, claim_a, link, passage_document, target, kind
):
    url = claim_evidence_url(claim_a) if target == "claim" else link_evidence_url(link)
    body = passage_body(passage_document) if kind == "passage" else EVIDENCE_BODIES[kind]
    response = send(annotator_client, "post", url, body)
    assert response.status_code == 201, response.json()
    evidence = Evidence.objects.get()
    assert (evidence.claim, evidence.link) == (
        (claim_a, None) if target == "claim" else (None, link)
    )
    assert (evidence.kind, evidence.created_by, evidence.version) == (kind, annotator, 1)
    payload = response.json()["evidence"]
    assert payload["id"] == str(evidence.public_id)
    assert (payload["kind"], payload["bearing"]) == (kind, body["bearing"])
    assert (payload["author"], payload["can_edit"], payload["version"]) == (
        annotator.username,
        True,
        1,
    )
    if kind == "citation":
        assert evidence.citation == payload["citation"] == "Smith, 2001, p. 4."
    elif kind == "url":
        assert evidence.url == payload["url"] == "https://Example.com/report"
        assert evidence.citation == "The report"
    elif kind == "quote":
        assert (evidence.quote, evidence.citation) == ("“Taxes rose.”", "TV")
    else:
        start = PASSAGE_TEXT.index(PASSAGE)
        assert (evidence.document, evidence.start, evidence.end, evidence.quote) == (
            passage_document,
            start,
            start + len(PASSAGE),
            PASSAGE,
        )
        assert evidence.prefix == PASSAGE_TEXT[max(0, start - 32) : start]
        assert payload["document"] == {
            "id": passage_document.pk,
            "title": passage_document.title,
            "url": reverse("claims:document", args=[passage_document.pk]),
            "revision": 1,
        }
        assert (payload["anchor_state"], payload["current_revision"]) == ("exact", None)
        assert (payload["start"], payload["end"]) == (start, start + len(PASSAGE))


def test_post_passage_ignores_the_context_the_client_sends(
    annotator_client, claim_a, passage_document
):
    body = passage_body(passage_document, prefix="forged", suffix="forged")
    assert send(annotator_client, "post", claim_evidence_url(claim_a), body).status_code == 201
    evidence = Evidence.objects.get()
    assert "forged" not in (evidence.prefix, evidence.suffix)


def test_post_passage_from_a_document_of_another_source_is_accepted(annotator_client, claim_a):
    document = make_document(PASSAGE_TEXT, source=make_source(name="Treasury"))
    response = send(annotator_client, "post", claim_evidence_url(claim_a), passage_body(document))
    assert response.status_code == 201
    assert Evidence.objects.get().document.source.name == "Treasury"


@pytest.mark.parametrize(
    "document",
    ["missing", None, "1", 1.0, True, [1], {"id": 1}, 987654, 2**63, 10**30, -1],
    ids=repr,
)
def test_post_passage_with_a_missing_malformed_or_unknown_document_is_refused(
    annotator_client, claim_a, passage_document, document
):
    body = passage_body(passage_document)
    if document == "missing":
        del body["document"]
    else:
        body["document"] = str(passage_document.pk) if document == "1" else document
    response = send(annotator_client, "post", claim_evidence_url(claim_a), body)
    assert response.status_code == 400
    assert response.json() == refusal(api.ERROR_NO_SUCH_DOCUMENT, "document")
    assert Evidence.objects.count() == 0


def test_post_passage_whose_quote_does_not_match_is_refused_naming_both(
    annotator_client, claim_a, passage_document
):
    body = passage_body(passage_document, quote="Revenue from taxes fell by seven percent")
    response = send(annotator_client, "post", claim_evidence_url(claim_a), body)
    assert response.status_code == 400
    message = ERROR_QUOTE_MISMATCH.format(
        start=body["start"], end=body["end"], actual=PASSAGE, quote=body["quote"]
    )
    assert response.json() == refusal(message, "quote")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "citation", "bearing": "supports"}, "citation", services.ERROR_CITATION_MISSING),
        (
            {"kind": "quote", "bearing": "supports", "quote": " "},
            "quote",
            services.ERROR_QUOTE_MISSING,
        ),
        ({"kind": "url", "bearing": "supports"}, "url", services.ERROR_URL_MISSING),
        ({"kind": "video", "bearing": "supports"}, "kind", services.ERROR_EVIDENCE_KIND),
        ({"bearing": "supports"}, "kind", services.ERROR_EVIDENCE_KIND),
        ({"kind": "citation", "citation": "C."}, "bearing", services.ERROR_BEARING),
        (
            {"kind": "citation", "bearing": "maybe", "citation": "C."},
            "bearing",
            services.ERROR_BEARING,
        ),
    ],
)
def test_post_evidence_refuses_missing_content_with_the_services_message(
    annotator_client, claim_a, body, field, message
):
    response = send(annotator_client, "post", claim_evidence_url(claim_a), body)
    assert response.status_code == 400
    assert response.json() == refusal(message, field)
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://x",
        "//evil.example",
        "http://",
        "https:// spaced.example",
        "file:///etc/passwd",
    ],
)
def test_post_evidence_with_a_web_address_that_is_not_http_is_refused(annotator_client, link, url):
    body = {"kind": "url", "bearing": "supports", "url": url}
    response = send(annotator_client, "post", link_evidence_url(link), body)
    assert response.status_code == 400
    message = services.ERROR_URL_SCHEME.format(url=shorten(url.strip()))
    assert response.json() == refusal(message, "url")
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("url", ["http://a\u3000b.com", "https://a\u2003b.example/"])
def test_post_evidence_with_unicode_white_space_in_the_host_is_refused_not_a_server_error(
    annotator, claim_a, url
):
    client = client_for(annotator, raise_request_exception=False)
    body = {"kind": "url", "bearing": "supports", "url": url}
    response = send(client, "post", claim_evidence_url(claim_a), body)
    assert response.status_code == 400
    message = services.ERROR_URL_SCHEME.format(url=shorten(url))
    assert response.json() == refusal(message, "url")
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("client_fixture", ["reviewer_client", "no_role_client"])
def test_users_without_the_annotator_role_cannot_add_evidence(
    request, client_fixture, claim_a, link
):
    client = request.getfixturevalue(client_fixture)
    for url in (claim_evidence_url(claim_a), link_evidence_url(link)):
        response = send(client, "post", url, EVIDENCE_BODIES["citation"])
        assert response.status_code == 403
        assert response.json() == refusal(services.ERROR_NOT_ANNOTATOR)
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("name", ["claims:api-claim-evidence", "claims:api-link-evidence"])
def test_post_evidence_to_an_unknown_claim_or_link_gets_404(annotator_client, name):
    url = reverse(name, args=[uuid.uuid4()])
    response = send(annotator_client, "post", url, EVIDENCE_BODIES["citation"])
    assert response.status_code == 404
    assert response.json() == refusal(jsonapi.ERROR_NOT_FOUND)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_the_evidence_collections_accept_only_post(annotator_client, claim_a, link, method):
    for url in (claim_evidence_url(claim_a), link_evidence_url(link)):
        response = send(annotator_client, method, url, EVIDENCE_BODIES["citation"])
        assert response.status_code == 405
        assert response["Allow"] == "POST"
    assert Evidence.objects.count() == 0


# Changing and removing evidence


def test_the_owner_patches_the_bearing(annotator_client, annotator, claim_a):
    evidence = make_evidence(claim_a, user=annotator, kind="quote")
    response = send(
        annotator_client, "patch", evidence_url(evidence), {"bearing": "refutes", "version": 1}
    )
    assert response.status_code == 200, response.json()
    payload = response.json()["evidence"]
    assert (payload["id"], payload["bearing"], payload["version"]) == (
        str(evidence.public_id),
        "refutes",
        2,
    )
    assert payload["quote"] == "A quoted passage."
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("refutes", 2)


def test_a_patch_cannot_change_what_was_cited(annotator_client, annotator, claim_a):
    evidence = make_evidence(claim_a, user=annotator, kind="url")
    body = {"bearing": "refutes", "version": 1, "url": "javascript:x", "kind": "citation"}
    assert send(annotator_client, "patch", evidence_url(evidence), body).status_code == 200
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.url) == ("url", "https://example.com/report")


@pytest.mark.parametrize("role", ["annotator", "reviewer", None])
def test_others_cannot_patch_or_delete_evidence(annotator, claim_a, role):
    evidence = make_evidence(claim_a, user=annotator)
    client = client_for(make_user(role))
    response = send(client, "patch", evidence_url(evidence), {"bearing": "refutes", "version": 1})
    assert response.status_code == 403
    assert response.json() == refusal(services.ERROR_NOT_EVIDENCE_OWNER)
    assert send(client, "delete", evidence_url(evidence), {"version": 1}).status_code == 403
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("supports", 1)


def test_an_editor_patches_and_deletes_anyones_evidence(editor_client, claim_a):
    evidence = make_evidence(claim_a)
    body = {"bearing": "refutes", "version": 1}
    assert send(editor_client, "patch", evidence_url(evidence), body).status_code == 200
    assert send(editor_client, "delete", evidence_url(evidence), {"version": 2}).status_code == 200
    assert Evidence.objects.count() == 0


def test_a_stale_evidence_patch_gets_409(annotator_client, annotator, claim_a):
    evidence = make_evidence(claim_a, user=annotator)
    body = {"bearing": "refutes", "version": 1}
    assert send(annotator_client, "patch", evidence_url(evidence), body).status_code == 200
    response = send(
        annotator_client, "patch", evidence_url(evidence), {"bearing": "supports", "version": 1}
    )
    assert response.status_code == 409
    assert response.json() == refusal(services.ERROR_CONFLICT.format(current=2, sent=1), "version")
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("refutes", 2)


def test_a_stale_evidence_delete_gets_409(annotator_client, annotator, claim_a):
    evidence = make_evidence(claim_a, user=annotator)
    send(annotator_client, "patch", evidence_url(evidence), {"bearing": "refutes", "version": 1})
    response = send(annotator_client, "delete", evidence_url(evidence), {"version": 1})
    assert response.status_code == 409
    assert Evidence.objects.count() == 1


def test_the_owner_deletes_evidence(annotator_client, annotator, link):
    evidence = make_evidence(link=link, user=annotator)
    response = send(annotator_client, "delete", evidence_url(evidence), {"version": 1})
    assert response.status_code == 200
    assert response.json() == {"deleted": str(evidence.public_id)}
    assert Evidence.objects.count() == 0
    assert ClaimLink.objects.count() == 1
    again = send(annotator_client, "delete", evidence_url(evidence), {"version": 1})
    assert again.status_code == 404
    assert again.json() == refusal(jsonapi.ERROR_NOT_FOUND)


@pytest.mark.parametrize("method", ["get", "post", "put"])
def test_the_evidence_address_accepts_only_patch_and_delete(annotator_client, claim_a, method):
    evidence = make_evidence(claim_a)
    response = send(annotator_client, method, evidence_url(evidence), {"version": 1})
    assert response.status_code == 405
    assert response["Allow"] == "PATCH, DELETE"


# Passages left on an older revision of their text


def revise(document, text: str):
    """``document``'s corrected text, stored as its next revision (no re-anchoring run)."""
    return document_revise(document=document, data=text.encode(), filename="v.txt", user=None)


def cited(document) -> dict:
    """The passage ``PASSAGE`` of ``document`` as evidence."""
    return passage_body(document) | {"document": document}


def leave_behind(evidence, state=AnchorState.ORPHANED):
    """``evidence`` as a re-anchoring leaves a passage it cannot carry over: on its old
    revision, marked."""
    Evidence.objects.filter(pk=evidence.pk).update(anchor_state=state)


def test_a_passage_left_behind_names_its_revision_and_the_current_one(
    annotator_client, annotator, claim_a, link, passage_document
):
    orphan = make_evidence(claim_a, user=annotator, **cited(passage_document))
    check = make_evidence(link=link, user=annotator, **cited(passage_document))
    second = revise(passage_document, PASSAGE_TEXT.replace("seven", "six"))
    third = revise(second, PASSAGE_TEXT.replace("seven", "six").replace("says", "said"))
    leave_behind(orphan)
    leave_behind(check, AnchorState.NEEDS_CHECK)
    data = annotator_client.get(claim_url(claim_a)).json()
    current = {"id": third.pk, "revision": 3, "url": reverse("claims:document", args=[third.pk])}
    [on_claim], [on_link] = data["evidence"], data["links"][0]["evidence"]
    assert (on_claim["anchor_state"], on_claim["document"]["revision"]) == ("orphaned", 1)
    assert on_claim["document"]["id"] == passage_document.pk  # where it stays
    assert on_claim["current_revision"] == current
    assert (on_link["anchor_state"], on_link["current_revision"]) == ("needs_check", current)
    schemas.ClaimDetails.model_validate(data)  # as the OpenAPI description says


def test_a_carried_passage_and_other_kinds_point_to_no_other_revision(
    annotator_client, annotator, claim_a, passage_document
):
    second = revise(passage_document, PASSAGE_TEXT.replace("treasury", "Treasury"))
    moved = make_evidence(claim_a, user=annotator, **cited(second))
    Evidence.objects.filter(pk=moved.pk).update(anchor_state=AnchorState.MOVED)
    make_evidence(claim_a, user=annotator, kind="quote")
    evidence = annotator_client.get(claim_url(claim_a)).json()["evidence"]
    assert [(item["anchor_state"], item["current_revision"]) for item in evidence] == [
        ("moved", None), ("exact", None)]  # fmt: skip
    assert evidence[0]["document"]["revision"] == 2


def test_a_patch_of_a_passage_left_behind_answers_with_the_current_revision(
    annotator_client, annotator, claim_a, passage_document
):
    orphan = make_evidence(claim_a, user=annotator, **cited(passage_document))
    second = revise(passage_document, "Treasury note\n\nNothing about taxes.")
    leave_behind(orphan)
    body = {"bearing": "refutes", "version": 1}
    answer = send(annotator_client, "patch", evidence_url(orphan), body).json()
    schemas.OneEvidence.model_validate(answer)
    payload = answer["evidence"]
    assert (payload["anchor_state"], payload["current_revision"]["id"]) == ("orphaned", second.pk)


def test_passages_left_behind_cost_one_query_however_many(annotator_client, annotator):
    claims = [make_claim(make_document(f"Claim {n} here."), user=annotator) for n in range(2)]
    few, many = claims
    make_evidence(few, kind="quote")
    make_evidence(many, kind="quote")
    for claim, count in ((few, 1), (many, 5)):
        for _ in range(count):
            cited = make_document()
            start = cited.text.index("It says")
            item = make_evidence(claim, kind="passage", document=cited, start=start,
                                 end=start + 7, quote="It says")  # fmt: skip
            revise(cited, cited.text + " Corrected.")
            leave_behind(item)
    left_few = count_detail_queries(annotator_client, few)
    assert count_detail_queries(annotator_client, many) == left_few
    none_left = make_claim(make_document("No claim left."), user=annotator)
    make_evidence(none_left, kind="quote")
    assert count_detail_queries(annotator_client, none_left) == left_few - 1


# Searching claims to link


def search(client, q: str, exclude=None):
    params = {"q": q} if exclude is None else {"q": q, "exclude_document": exclude}
    response = client.get(SEARCH_URL, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def ids(results) -> list[str]:
    return [result["id"] for result in results]


def test_search_matches_every_word_in_the_quote_or_the_statement_ignoring_case(reviewer_client):
    both_in_quote = make_claim(make_document("Taxes ROSE again."), quote="Taxes ROSE again.")
    both_in_statement = make_claim(
        make_document("Spending fell."), quote="Spending fell.", statement="Yet taxes rose."
    )
    split = make_claim(
        make_document("The taxes were high."), quote="The taxes", statement="They Rose."
    )
    make_claim(make_document("Taxes fell."), quote="Taxes fell.", statement="Taxes fell.")
    make_claim(make_document("Prices rose."), quote="Prices rose.", statement="Prices rose.")
    results = search(reviewer_client, "taxes ROSE")
    assert ids(results) == [
        str(split.public_id),
        str(both_in_statement.public_id),
        str(both_in_quote.public_id),
    ]
    assert results[-1] == side(both_in_quote)


def test_search_matches_parts_of_words(reviewer_client):
    claim = make_claim(make_document("Unemployment doubled."), quote="Unemployment doubled.")
    assert ids(search(reviewer_client, "employ")) == [str(claim.public_id)]


def test_search_ignores_case_beyond_ascii_letters(reviewer_client):
    claim = make_claim(
        make_document("Москва: élection du maire."), quote="Москва: élection du maire."
    )
    assert ids(search(reviewer_client, "МОСКВА")) == [str(claim.public_id)]
    assert ids(search(reviewer_client, "ÉLECTION")) == [str(claim.public_id)]


def test_search_leaves_out_the_claims_of_the_excluded_document(reviewer_client):
    here = make_document("Taxes rose here.")
    make_claim(here, quote="Taxes rose here.")
    elsewhere = make_claim(make_document("Taxes rose elsewhere."), quote="Taxes rose elsewhere.")
    assert ids(search(reviewer_client, "taxes", exclude=here.pk)) == [str(elsewhere.public_id)]
    assert len(search(reviewer_client, "taxes")) == 2


@pytest.mark.parametrize("exclude", ["", "abc", "-1", "1.5", "0x1", "²", "¹²", "9" * 30])
def test_search_ignores_an_exclude_document_that_is_not_a_document_number(reviewer, exclude):
    claim = make_claim(make_document("Taxes rose."), quote="Taxes rose.")
    client = client_for(reviewer, raise_request_exception=False)
    assert ids(search(client, "taxes", exclude=exclude)) == [str(claim.public_id)]


def test_search_returns_at_most_ten_claims_newest_first(reviewer_client):
    claims = [
        make_claim(make_document(f"Taxes rose, report {n}."), quote=f"Taxes rose, report {n}.")
        for n in range(12)
    ]
    results = search(reviewer_client, "taxes")
    assert len(results) == api.SEARCH_LIMIT == 10
    assert ids(results) == [str(claim.public_id) for claim in reversed(claims[2:])]


@pytest.mark.parametrize("q", ["", " ", "t", "  t  ", "\t"])
def test_search_of_fewer_than_two_characters_gives_no_results(reviewer_client, q):
    make_claim(make_document("t t t"), quote="t t t")
    assert search(reviewer_client, q) == []


def test_search_without_q_gives_no_results(reviewer_client):
    make_claim(make_document("Taxes."), quote="Taxes.")
    response = reviewer_client.get(SEARCH_URL)
    assert response.json() == {"results": []}


@pytest.mark.parametrize(
    "q", ["ta\x00xes", "taxes\x00", "%", "_", "\\", "'; DROP TABLE claims_claim; --", "🇫🇷🇫🇷"]
)
def test_search_for_odd_text_answers_json_not_a_server_error(annotator, q):
    make_claim(make_document("Taxes rose by 5% in Q_1."), quote="Taxes rose by 5% in Q_1.")
    response = client_for(annotator, raise_request_exception=False).get(SEARCH_URL, {"q": q})
    assert response.status_code == 200
    assert set(response.json()) == {"results"}


def test_search_treats_like_wildcards_literally(reviewer_client):
    percent = make_claim(make_document("Taxes rose 5% here."), quote="Taxes rose 5% here.")
    make_claim(make_document("Taxes rose 55 here."), quote="Taxes rose 55 here.")
    assert ids(search(reviewer_client, "5%")) == [str(percent.public_id)]


def count_search_queries(client, word: str) -> int:
    with CaptureQueriesContext(connection) as context:
        results = search(client, word)
    assert results
    return len(context.captured_queries)


def test_the_search_query_count_does_not_depend_on_the_number_of_matches(reviewer_client):
    for n in range(2):
        make_claim(make_document(f"Alpha claim {n}."), quote=f"Alpha claim {n}.")
    for n in range(15):
        make_claim(make_document(f"Omega claim {n}."), quote=f"Omega claim {n}.")
    search(reviewer_client, "alpha")
    assert count_search_queries(reviewer_client, "alpha") == count_search_queries(
        reviewer_client, "omega"
    )


def test_search_accepts_only_get(annotator_client):
    response = send(annotator_client, "post", SEARCH_URL, {"q": "taxes"})
    assert response.status_code == 405
    assert response["Allow"] == "GET"


# Never a 500


BAD_BODIES = [
    pytest.param("[1, 2]", id="array"),
    pytest.param('"text"', id="string"),
    pytest.param("42", id="number"),
    pytest.param("null", id="null"),
    pytest.param("true", id="true"),
    pytest.param("{not json", id="not-json"),
    pytest.param("\x00", id="nul-body"),
    pytest.param("[" * 100_000, id="deeply-nested"),
    pytest.param('{"version": ' + "9" * 5000 + "}", id="number-with-5000-digits"),
    pytest.param('{"version": 1e999, "confirm": NaN}', id="overflowing-float-version"),
    pytest.param('{"version": 99999999999999999999999, "confirm": true}', id="huge-version"),
    pytest.param('{"version": -1, "confirm": true}', id="negative-version"),
    pytest.param('{"version": [1], "confirm": {"a": 1}}', id="version-list"),
    pytest.param('{"other": 12345, "relation": "contradicts", "rationale": "x"}', id="other-int"),
    pytest.param(
        '{"other": ["OTHER"], "relation": "qualifies", "rationale": "x"}', id="other-list"
    ),
    pytest.param('{"other": {"id": "OTHER"}, "relation": "x", "rationale": "x"}', id="other-obj"),
    pytest.param('{"other": "\\u0000", "relation": "qualifies", "rationale": "x"}', id="other-nul"),
    pytest.param(
        '{"other": "\\ud800", "relation": "qualifies", "rationale": "x"}', id="other-lone"
    ),
    pytest.param('{"other": 1e999, "relation": "qualifies", "rationale": "x"}', id="other-inf"),
    pytest.param(
        '{"other": "OTHER", "relation": 1e999, "rationale": -1e999, "version": 1}',
        id="relation-inf",
    ),
    pytest.param(
        '{"other": "OTHER", "relation": "qualifies", "rationale": "a\\u0000b", "version": 1}',
        id="rationale-nul",
    ),
    pytest.param(
        '{"other": "OTHER", "relation": "qualifies", "rationale": "\\ud800", "version": 1}',
        id="rationale-lone-surrogate",
    ),
    pytest.param(
        '{"other": "OTHER", "relation": {"a": []}, "rationale": ["x"], "version": 1}',
        id="relation-object",
    ),
    pytest.param(
        '{"other": "OTHER", "relation": "qualifies", "rationale": "'
        + "r" * 100_000
        + '", "version": 1}',
        id="huge-rationale",
    ),
    pytest.param(
        '{"kind": "citation", "bearing": "supports", "citation": "\\u0000"}', id="cit-nul"
    ),
    pytest.param(
        '{"kind": "citation", "bearing": "supports", "citation": "\\udfff"}', id="cit-lone"
    ),
    pytest.param('{"kind": "quote", "bearing": "refutes", "quote": "\\ud800x"}', id="quote-lone"),
    pytest.param(
        '{"kind": "url", "bearing": "supports", "url": "https://x\\u0000.com"}', id="url-nul"
    ),
    pytest.param(
        '{"kind": "url", "bearing": "supports", "url": "https://\\ud800.com"}', id="url-lone"
    ),
    pytest.param('{"kind": "url", "bearing": "supports", "url": 1e999}', id="url-inf"),
    pytest.param(
        '{"kind": "url", "bearing": "supports", "url": "https://' + "a" * 5000 + '.com"}',
        id="url-huge",
    ),
    pytest.param('{"kind": "passage", "bearing": "supports", "document": 1e999}', id="doc-inf"),
    pytest.param(
        '{"kind": "passage", "bearing": "supports", "document": 99999999999999999999999}',
        id="doc-huge",
    ),
    pytest.param('{"kind": "passage", "bearing": "supports", "document": "DOC"}', id="doc-string"),
    pytest.param(
        '{"kind": "passage", "bearing": "supports", "document": DOC, "start": 0, '
        '"end": 99999999999999999999999, "quote": "x"}',
        id="passage-huge-end",
    ),
    pytest.param(
        '{"kind": "passage", "bearing": "supports", "document": DOC, "start": -5, '
        '"end": 1e999, "quote": "x"}',
        id="passage-negative-start",
    ),
    pytest.param(
        '{"kind": "passage", "bearing": "supports", "document": DOC, "start": 0, '
        '"end": 8, "quote": "\\ud800\\u0000"}',
        id="passage-bad-quote",
    ),
    pytest.param('{"kind": ["passage"], "bearing": [], "document": {}}', id="kind-list"),
    pytest.param('{"bearing": "\\u0000", "version": 1}', id="bearing-nul"),
    pytest.param('{"bearing": "\\ud800", "version": 1}', id="bearing-lone"),
    pytest.param('{"bearing": 1e999, "version": 1e999}', id="bearing-inf"),
]


@pytest.fixture
def targets(annotator, claim_a, claim_b, passage_document):
    """What the bad bodies are sent to: every new endpoint that reads a body."""
    link = make_link(claim_a, claim_b, user=annotator)
    evidence = make_evidence(claim_a, user=annotator)
    make_evidence(link=link, user=annotator)
    return [
        ("post", links_url(claim_b)),
        ("post", claim_evidence_url(claim_a)),
        ("post", link_evidence_url(link)),
        ("patch", link_url(link)),
        ("delete", link_url(link)),
        ("patch", evidence_url(evidence)),
        ("delete", evidence_url(evidence)),
        ("delete", claim_url(claim_a)),
    ]


def stored_state() -> tuple:
    return (
        sorted(Claim.objects.values_list("pk", "version")),
        sorted(ClaimLink.objects.values_list("pk", "version", "relation", "rationale")),
        sorted(Evidence.objects.values_list("pk", "version", "bearing")),
    )


@pytest.mark.parametrize("raw", BAD_BODIES)
def test_a_bad_body_never_causes_a_server_error(annotator, claim_a, passage_document, targets, raw):
    raw = raw.replace("OTHER", str(claim_a.public_id)).replace("DOC", str(passage_document.pk))
    client = client_for(annotator, raise_request_exception=False)
    for method, url in targets:
        before = stored_state()
        response = send(client, method, url, raw)
        assert response.status_code < 500, (method, url, response.content[:300])
        assert response["Content-Type"] == "application/json"
        if response.status_code >= 400:
            assert set(response.json()) == {"error", "fields"}
            assert stored_state() == before, (method, url)


# CSRF


def test_posts_without_a_csrf_token_get_403_json(annotator, claim_a, claim_b, link):
    client = client_for(annotator, enforce_csrf_checks=True)
    requests = [
        ("post", links_url(claim_b), link_body(make_claim(), relation="qualifies")),
        ("post", claim_evidence_url(claim_a), EVIDENCE_BODIES["citation"]),
        ("post", link_evidence_url(link), EVIDENCE_BODIES["url"]),
        ("patch", link_url(link), {"rationale": "Changed.", "version": 1}),
        ("delete", link_url(link), {"version": 1, "confirm": True}),
    ]
    for method, url, body in requests:
        response = send(client, method, url, body)
        assert response.status_code == 403, (method, url)
        assert response.json() == refusal(jsonapi.ERROR_CSRF)
    link.refresh_from_db()
    assert (link.rationale, link.version) == ("Five is not eight.", 1)
    assert (ClaimLink.objects.count(), Evidence.objects.count()) == (1, 0)


def test_evidence_patch_and_delete_without_a_csrf_token_get_403_json(annotator, claim_a):
    evidence = make_evidence(claim_a, user=annotator)
    client = client_for(annotator, enforce_csrf_checks=True)
    body = {"bearing": "refutes", "version": 1}
    assert send(client, "patch", evidence_url(evidence), body).status_code == 403
    response = send(client, "delete", evidence_url(evidence), {"version": 1})
    assert response.status_code == 403
    assert response.json() == refusal(jsonapi.ERROR_CSRF)
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("supports", 1)


def test_a_link_post_with_the_pages_csrf_token_is_accepted(annotator, claim_a, claim_b):
    client = client_for(annotator, enforce_csrf_checks=True)
    client.get(reverse("claims:document", args=[claim_a.document_id]))
    token = client.cookies["csrftoken"].value
    response = send(
        client, "post", links_url(claim_a), link_body(claim_b), headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201
    assert ClaimLink.objects.count() == 1
