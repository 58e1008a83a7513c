"""Another person's claims, links, evidence and reviews, reached by id through every view,
JSON endpoint, filter, typeahead and export.

Reading is shared (anyone signed in sees everyone's work); writing is not: only the owner
(while still an annotator) or an editor changes or deletes a claim, link or evidence item
(``crosscheck.permissions.can_change``), a reviewer writes no claims, and reviews are written only
by ``claims.reviewing.review_submit``, each reviewer their own."""

import csv
import io
import json
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimLink, Evidence, Review
from claims.reviewing import ERROR_OWN_LINK
from tests.factories import make_annotated_corpus, make_claim, make_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    """Everything is by ``corpus.owner``; ``corpus.review`` is by another reviewer."""
    return make_annotated_corpus()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client, method: str, url: str, body: dict | None = None):
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def stored() -> tuple:
    """What a refused write must leave as it was."""
    return (
        sorted(Claim.objects.values_list("pk", "version", "statement")),
        sorted(ClaimLink.objects.values_list("pk", "version", "relation", "rationale")),
        sorted(Evidence.objects.values_list("pk", "version", "bearing")),
        sorted(Review.objects.values_list("pk", "verdict", "note", "is_current")),
    )


# Every write on one object, with the current version: (what, method, body).
WRITES = [
    ("claim", "PATCH", {"statement": "Rewritten by someone else.", "topics": []}),
    ("claim", "DELETE", {"confirm": True}),
    ("link", "PATCH", {"relation": "qualifies", "rationale": "Someone else's view."}),
    ("link", "DELETE", {"confirm": True}),
    ("claim_evidence", "PATCH", {"bearing": "refutes"}),
    ("claim_evidence", "DELETE", {}),
    ("link_evidence", "PATCH", {"bearing": "refutes"}),
    ("link_evidence", "DELETE", {}),
]
URL_NAMES = {
    "claim": "claims:api-claim",
    "link": "claims:api-link",
    "claim_evidence": "claims:api-evidence",
    "link_evidence": "claims:api-evidence",
}
REFUSALS = {
    "claim": services.ERROR_NOT_OWNER,
    "link": services.ERROR_NOT_LINK_OWNER,
    "claim_evidence": services.ERROR_NOT_EVIDENCE_OWNER,
    "link_evidence": services.ERROR_NOT_EVIDENCE_OWNER,
}


def write(client, corpus, what: str, method: str, body: dict):
    target = getattr(corpus, what)
    url = reverse(URL_NAMES[what], args=[target.public_id])
    return send(client, method, url, body | {"version": target.version})


@pytest.mark.parametrize(("what", "method", "body"), WRITES)
def test_nobody_but_the_owner_or_an_editor_changes_or_deletes_work(corpus, what, method, body):
    former = make_user("annotator")  # made the object, then lost the role
    corpus_object = getattr(corpus, what)
    type(corpus_object).objects.filter(pk=corpus_object.pk).update(created_by=former)
    former.groups.clear()
    people = {
        "another annotator": make_user("annotator"),
        "reviewer": make_user("reviewer"),
        "no role": make_user(None),
        "former annotator": former,
        "inactive editor": make_user("editor", is_active=False),
    }
    before = stored()
    for who, user in people.items():
        client = Client()
        client.force_login(user)
        response = write(client, corpus, what, method, body)
        if who == "inactive editor":  # an inactive user's session no longer signs them in
            assert response.status_code == 401, who
        else:
            assert response.status_code == 403, (who, response.content)
            assert response.json() == {"error": REFUSALS[what], "fields": {}}, who
        assert stored() == before, who


@pytest.mark.parametrize(("what", "method", "body"), WRITES)
@pytest.mark.parametrize("who", ["owner", "editor"])
def test_the_owner_and_editors_change_and_delete_it(corpus, who, what, method, body):
    user = corpus.owner if who == "owner" else make_user("editor")
    target = getattr(corpus, what)
    response = write(client_for(user), corpus, what, method, body)
    assert response.status_code == 200, response.content
    model = type(target)
    if method == "DELETE":
        assert not model.objects.filter(pk=target.pk).exists()
    else:
        target.refresh_from_db()
        assert target.version == 2
        assert target.created_by == corpus.owner  # an editor's edit does not take it over


def test_can_change_is_the_rule_the_endpoints_apply(corpus):
    other, editor, reviewer = make_user("annotator"), make_user("editor"), make_user("reviewer")
    for thing in (corpus.claim, corpus.link, corpus.claim_evidence, corpus.link_evidence):
        assert services.can_change(corpus.owner, thing)
        assert services.can_change(editor, thing)
        assert not services.can_change(other, thing)
        assert not services.can_change(reviewer, thing)


# Reading is shared, and says what the reader may change


def test_others_read_a_claim_with_its_links_and_evidence_marked_not_theirs(corpus):
    other = make_user("annotator")
    for user, editable in [(other, False), (corpus.owner, True), (make_user("editor"), True)]:
        url = reverse("claims:api-claim", args=[corpus.claim.public_id])
        data = client_for(user).get(url).json()
        assert data["claim"]["can_edit"] is editable
        assert [link["can_edit"] for link in data["links"]] == [editable]
        assert [item["can_edit"] for item in data["links"][0]["evidence"]] == [editable]
        assert [item["can_edit"] for item in data["evidence"]] == [editable]


def test_the_documents_claims_are_marked_editable_only_for_their_owner(corpus):
    url = reverse("claims:api-document-claims", args=[corpus.document.pk])
    reviewer_view = client_for(make_user("reviewer")).get(url).json()["claims"]
    owner_view = client_for(corpus.owner).get(url).json()["claims"]
    assert [claim["can_edit"] for claim in reviewer_view] == [False]
    assert [claim["can_edit"] for claim in owner_view] == [True]


def test_the_claims_list_filtered_by_another_annotator_shows_their_claims(corpus):
    other = make_user("annotator")
    response = client_for(other).get(reverse("claims:list"), {"annotator": corpus.owner.pk})
    assert response.status_code == 200
    assert [claim.pk for claim in response.context["page"]] == sorted(
        (claim.pk for claim in corpus.claims), reverse=True
    )


@pytest.mark.parametrize(
    ("dataset", "filter_name", "id_column"),
    [("claims", "annotator", "claim_id"), ("pairs", "annotator", "pair_id"),
     ("evidence", "added_by", "evidence_id")],
)  # fmt: skip
def test_the_export_filtered_by_another_person_gives_their_work(
    corpus, dataset, filter_name, id_column
):
    other = make_user("reviewer")
    response = client_for(other).get(
        reverse("claims:export-download"), {"dataset": dataset, filter_name: corpus.owner.pk}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected = {
        "claims": corpus.claims,
        "pairs": [corpus.link],
        "evidence": [corpus.claim_evidence, corpus.link_evidence],
    }[dataset]
    assert sorted(row[id_column] for row in rows) == sorted(str(o.public_id) for o in expected)


def test_the_typeahead_finds_others_claims_to_link_to(corpus):
    other = make_user("annotator")
    response = client_for(other).get(reverse("claims:api-claim-search"), {"q": "says"})
    assert {result["id"] for result in response.json()["results"]} == {
        str(claim.public_id) for claim in corpus.claims
    }


# Using another person's claim as the far end of one's own link or evidence


def test_linking_to_anothers_claim_makes_a_link_of_ones_own_and_leaves_theirs(corpus):
    other = make_user("annotator")
    mine = make_claim(make_document("A fourth text that says it too."), user=other, quote="says")
    before = stored()[0]
    response = send(
        client_for(other),
        "POST",
        reverse("claims:api-claim-links", args=[mine.public_id]),
        {"other": str(corpus.claim.public_id), "relation": "corroborates", "rationale": "Same."},
    )
    assert response.status_code == 201
    assert ClaimLink.objects.get(public_id=response.json()["link"]["id"]).created_by == other
    assert stored()[0] == before  # no claim changed


@pytest.mark.parametrize("target", ["claim", "link"])
def test_evidence_on_anothers_claim_or_link_is_ones_own(corpus, target):
    other = make_user("annotator")
    obj = getattr(corpus, target)
    url = reverse(f"claims:api-{target}-evidence", args=[obj.public_id])
    response = send(client_for(other), "POST", url, {"kind": "quote", "bearing": "refutes",
                                                      "quote": "Not so."})  # fmt: skip
    assert response.status_code == 201
    evidence = Evidence.objects.get(public_id=response.json()["evidence"]["id"])
    assert evidence.created_by == other
    version = obj.version
    obj.refresh_from_db()
    assert obj.version == version
    # ... and the owner of the claim or link cannot remove it.
    url = reverse("claims:api-evidence", args=[evidence.public_id])
    response = send(client_for(corpus.owner), "DELETE", url, {"version": 1})
    assert response.status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_deleting_ones_own_claim_takes_others_links_only_when_confirmed(corpus):
    """Another annotator's link to the owner's claim goes with it, so the owner is told and
    must confirm (the deletion stays in the history, restorable by an editor)."""
    other = make_user("annotator")
    theirs = make_claim(make_document("Another text that says the same."), user=other,
                        quote="says")  # fmt: skip
    services.link_create(claim=theirs, other=corpus.claims[2], relation="corroborates",
                         rationale="Same.", user=other)  # fmt: skip
    before = stored()
    url = reverse("claims:api-claim", args=[corpus.claims[2].public_id])
    response = send(client_for(corpus.owner), "DELETE", url, {"version": 1})
    assert response.status_code == 409
    assert response.json()["fields"] == {"confirm": [response.json()["error"]]}
    assert stored() == before


# Ids of one kind of object given where another is expected


@pytest.mark.parametrize(
    ("url_name", "what"),
    [("claims:api-claim", "link"), ("claims:api-claim", "review"),
     ("claims:api-link", "claim"), ("claims:api-link", "review"),
     ("claims:api-evidence", "claim"), ("claims:api-evidence", "review"),
     ("claims:link", "claim"), ("claims:link-review", "review")],
)  # fmt: skip
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE", "POST"])
def test_an_id_of_another_kind_of_object_is_not_found(corpus, url_name, what, method):
    editor = make_user("editor")
    before = stored()
    url = reverse(url_name, args=[getattr(corpus, what).public_id])
    if url_name.startswith("claims:api"):
        response = send(client_for(editor), method, url, {"version": 1, "confirm": True})
        assert response.status_code in (404, 405)
    else:
        response = client_for(editor).generic(method, url, "verdict=rejected",
                                              "application/x-www-form-urlencoded")  # fmt: skip
        assert response.status_code in (404, 405)
    assert stored() == before


# Reviews: written only by review_submit, each reviewer their own


def review_url(corpus) -> str:
    return reverse("claims:link-review", args=[corpus.link.public_id])


def test_a_verdict_is_always_the_senders_own_and_leaves_others_reviews_alone(corpus):
    second = make_user("reviewer")
    response = client_for(second).post(
        review_url(corpus),
        {"verdict": "rejected", "note": "No.", "reviewer": corpus.review.reviewer.pk,
         "review": str(corpus.review.public_id), "id": corpus.review.pk},
    )  # fmt: skip
    assert response.status_code == 302
    first = Review.objects.get(pk=corpus.review.pk)
    assert (first.reviewer, first.verdict, first.is_current) == (
        corpus.review.reviewer, "confirmed", True,
    )  # fmt: skip
    mine = Review.objects.exclude(pk=first.pk).get()
    assert (mine.reviewer, mine.verdict, mine.note) == (second, "rejected", "No.")


@pytest.mark.parametrize("who", ["owner", "annotator", "no role"])
def test_the_proposer_and_people_without_the_reviewer_role_cannot_review(corpus, who):
    user = corpus.owner if who == "owner" else make_user(None if who == "no role" else who)
    before = stored()
    response = client_for(user).post(review_url(corpus), {"verdict": "rejected"})
    assert response.status_code == 403
    assert stored() == before


def test_an_annotator_who_is_also_a_reviewer_still_cannot_review_their_own_link(corpus):
    owner = corpus.owner
    owner.groups.add(Group.objects.get(name="reviewer"))
    response = client_for(owner).post(review_url(corpus), {"verdict": "confirmed"})
    assert response.status_code == 403
    assert ERROR_OWN_LINK in response.content.decode()
    assert Review.objects.count() == 1


def test_no_endpoint_edits_or_deletes_a_review_and_the_admin_refuses_editors(corpus):
    editor = make_user("editor")
    client = client_for(editor)
    before = stored()
    review = corpus.review
    change = reverse("admin:claims_review_change", args=[review.pk])
    delete = reverse("admin:claims_review_delete", args=[review.pk])
    post = client.post(change, {"verdict": "rejected", "note": "Edited.", "is_current": "on"})
    assert post.status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:claims_review_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [review.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert stored() == before


# Admin: an editor changes others' work, through the same services


def test_an_editor_changes_anothers_claim_in_the_admin(corpus):
    editor = make_user("editor")
    client = client_for(editor)
    url = reverse("admin:claims_claim_change", args=[corpus.claim.pk])
    response = client.post(
        url,
        {"statement": "Edited by an editor.", "topics": [corpus.topic.pk], "loaded_version": 1,
         "evidence-TOTAL_FORMS": 1, "evidence-INITIAL_FORMS": 1,
         "evidence-MIN_NUM_FORMS": 0, "evidence-MAX_NUM_FORMS": 1000},
    )  # fmt: skip
    assert response.status_code == 302, response.context and response.context["errors"]
    corpus.claim.refresh_from_db()
    assert (corpus.claim.statement, corpus.claim.version) == ("Edited by an editor.", 2)
    assert corpus.claim.created_by == corpus.owner


def test_an_unknown_id_is_not_found_for_everyone(corpus):
    for url_name in ("claims:api-claim", "claims:api-link", "claims:api-evidence"):
        url = reverse(url_name, args=[uuid.uuid4()])
        assert send(client_for(corpus.owner), "PATCH", url, {"version": 1}).status_code == 404
