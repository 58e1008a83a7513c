"""The counterparts endpoints, with the real passage index: suggestions for a selection and
for a claim (the contract's shape, best first, none from the query's own document, the
dismissed ones left out), making the counterpart claim and its link in one transaction,
dismissing; who may do each, and bad input refused with nothing changed."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from claims.anchoring import ERROR_OUT_OF_RANGE, ERROR_REVERSED
from claims.errors import ClaimError
from claims.models import Claim, ClaimLink, Direction
from claims.services import (
    ERROR_DUPLICATE_SPAN,
    ERROR_LINK_EXISTS,
    ERROR_NOT_ANNOTATOR,
    ERROR_QUALIFIER_SYMMETRIC,
    ERROR_RATIONALE_MISSING,
    ERROR_RELATION,
    ERROR_STATEMENT_MISSING,
)
from crosscheck.api import ERROR_BAD_PARAMETER
from crosscheck.jsonapi import ERROR_SIGN_IN
from suggestions import actions
from suggestions.actions import (
    ERROR_COUNTERPART_DIRECTION,
    ERROR_NO_SUCH_DOCUMENT,
    ERROR_OWN_DOCUMENT,
    ERROR_SPAN_TOO_LONG,
    MAX_SPAN,
)
from suggestions.models import Dismissal
from suggestions.services import index_document
from tests.factories import make_claim, make_document, make_link, make_source, make_user

pytestmark = pytest.mark.django_db

KIROV = (
    "Kirov in Leningrad\n\n"
    "Sergei Kirov was shot in the Smolny Institute in Leningrad on 1 December 1934. "
    "His assassin was Leonid Nikolayev, a disaffected party member. "
    "A group of 13 conspirators were shot for the murder of Kirov in December 1934. "
    "The weather that winter was unusually cold in the north."
)
TRIAL = (
    "Reports\n\n"
    "The harvest of 1933 was poor in the Ukraine and the Volga region. "
    "In December 1934, after the murder of Kirov in Leningrad, 15 people were found guilty "
    "and executed, Nicolaiev among them. "
    "The newspapers of the time printed long articles about industry."
)
EXILE = (
    "Exile\n\n"
    "Trotsky was expelled abroad in 1929 and lived on the island of Prinkipo in Turkey. "
    "He wrote his autobiography there."
)
GROUP_OF_13 = "A group of 13 conspirators were shot for the murder of Kirov in December 1934."


@pytest.fixture
def corpus():
    documents = [
        make_document(KIROV, source=make_source(name="Pravda")),
        make_document(TRIAL, source=make_source(name="Bulletin")),
        make_document(EXILE, source=make_source(name="Encyclopedia")),
    ]
    for document in documents:
        index_document(document)
    return documents


@pytest.fixture
def claim(corpus, annotator):
    return make_claim(corpus[0], user=annotator, quote=GROUP_OF_13,
                      statement="Thirteen were shot for Kirov's murder.")  # fmt: skip


def _passage_of(suggestions, document):
    return next(s for s in suggestions if s["document"] == document.pk)


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _counterparts(claim):
    return reverse("suggestions:api-claim-counterparts", args=[claim.public_id])


def _dismiss(claim):
    return reverse("suggestions:api-claim-suggestion-dismiss", args=[claim.public_id])


def _claim_suggestions(client, claim, **query):
    url = reverse("suggestions:api-claim-suggestions", args=[claim.public_id])
    return client.get(url, query)


# --- Suggestions ---------------------------------------------------------------------------


def test_a_selection_gets_passages_of_other_documents_best_first(reviewer_client, corpus):
    kirov = corpus[0]
    start = kirov.text.index(GROUP_OF_13)
    url = reverse("suggestions:api-document-suggestions", args=[kirov.pk])
    response = reviewer_client.get(url, {"start": start, "end": start + len(GROUP_OF_13)})
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert suggestions, "the trial document speaks of the same event"
    assert {s["document"] for s in suggestions} <= {corpus[1].pk, corpus[2].pk}
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    first = suggestions[0]
    assert first["document"] == corpus[1].pk
    assert set(first) >= {"document", "start", "end", "quote", "score", "shared", "differs",
                          "claim", "title", "source", "before", "after", "url"}  # fmt: skip
    assert first["quote"] == corpus[1].text[first["start"] : first["end"]]
    assert "15 people" in first["quote"]
    assert first["source"] == "Bulletin" and first["title"] == corpus[1].title
    assert first["url"] == f"/corpus/documents/{corpus[1].pk}/#span={first['start']}-{first['end']}"
    assert first["claim"] is None and first["claim_url"] is None


def test_a_claim_gets_its_counterparts_with_a_claim_already_there(reviewer_client, claim, corpus):
    there = make_claim(corpus[1], quote="15 people were found guilty", statement="Fifteen.")
    response = _claim_suggestions(reviewer_client, claim, limit=1)
    assert response.status_code == 200
    (suggestion,) = response.json()["suggestions"]
    assert suggestion["document"] == corpus[1].pk
    assert suggestion["claim"] == str(there.public_id)
    assert suggestion["claim_statement"] == "Fifteen."
    assert suggestion["claim_url"] == there.get_absolute_url()


def test_a_dismissed_passage_is_no_longer_suggested_for_the_claim(annotator_client, claim, corpus):
    suggestions = _claim_suggestions(annotator_client, claim).json()["suggestions"]
    trial = _passage_of(suggestions, corpus[1])
    body = {key: trial[key] for key in ("document", "start", "end")}

    first = _post(annotator_client, _dismiss(claim), body)
    again = _post(annotator_client, _dismiss(claim), body)

    assert first.status_code == 201 and first.json()["created"] is True
    assert again.status_code == 200 and again.json()["created"] is False
    assert first.json() | {"created": False} == again.json()
    assert Dismissal.objects.filter(claim=claim).count() == 1
    after = _claim_suggestions(annotator_client, claim).json()["suggestions"]
    assert all(s["document"] != corpus[1].pk for s in after)
    # Only for that claim: a selection of the same words still finds it.
    url = reverse("suggestions:api-document-suggestions", args=[corpus[0].pk])
    selection = annotator_client.get(url, {"start": claim.start, "end": claim.end})
    assert _passage_of(selection.json()["suggestions"], corpus[1])["start"] == trial["start"]


def test_limit_caps_the_suggestions(reviewer_client, claim):
    index_document(make_document("Memoirs\n\nThe murder of Kirov in 1934 was used to shoot many."))
    everything = _claim_suggestions(reviewer_client, claim).json()["suggestions"]
    assert len(everything) >= 2
    assert len(_claim_suggestions(reviewer_client, claim, limit=1).json()["suggestions"]) == 1


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": 10, "end": 10}, "end", ERROR_REVERSED.format(start=10, end=10)),
        ({"start": 20, "end": 5}, "end", ERROR_REVERSED.format(start=20, end=5)),
        ({"start": 0, "end": 10**6}, "end", None),
        ({"start": 0, "end": "x"}, "end", ERROR_BAD_PARAMETER.format(name="end")),
        ({"start": -1, "end": 5}, "start", ERROR_BAD_PARAMETER.format(name="start")),
        ({"end": 5}, "start", ERROR_BAD_PARAMETER.format(name="start")),
        ({"start": 0, "end": 5, "limit": 0}, "limit", ERROR_BAD_PARAMETER.format(name="limit")),
        ({"start": 0, "end": 5, "limit": 51}, "limit", ERROR_BAD_PARAMETER.format(name="limit")),
    ],
)
def test_a_bad_selection_is_refused_by_name(reviewer_client, corpus, query, field, message):
    url = reverse("suggestions:api-document-suggestions", args=[corpus[0].pk])
    response = reviewer_client.get(url, query)
    assert response.status_code == 400
    assert response.json()["fields"] == {field: [response.json()["error"]]}
    if message:
        assert response.json()["error"] == message
    else:
        length = len(corpus[0].text)
        assert response.json()["error"] == ERROR_OUT_OF_RANGE.format(start=0, end=10**6,
                                                                     length=length)  # fmt: skip


def test_a_selection_longer_than_the_limit_is_refused(reviewer_client):
    document = make_document("word " * (MAX_SPAN // 2))
    url = reverse("suggestions:api-document-suggestions", args=[document.pk])
    response = reviewer_client.get(url, {"start": 0, "end": MAX_SPAN + 1})
    assert response.status_code == 400
    assert response.json() == {
        "error": ERROR_SPAN_TOO_LONG,
        "fields": {"end": [ERROR_SPAN_TOO_LONG]},
    }
    assert reviewer_client.get(url, {"start": 0, "end": MAX_SPAN}).status_code == 200


def test_unknown_documents_and_claims_are_not_found_and_anonymous_is_refused(
    reviewer_client, corpus
):
    url = reverse("suggestions:api-document-suggestions", args=[10**9])
    assert reviewer_client.get(url, {"start": 0, "end": 1}).status_code == 404
    missing = reverse("suggestions:api-claim-suggestions", args=[uuid.uuid4()])
    assert reviewer_client.get(missing).status_code == 404
    anonymous = Client().get(reverse("suggestions:api-claim-suggestions", args=[uuid.uuid4()]))
    assert anonymous.status_code == 401 and anonymous.json()["error"] == ERROR_SIGN_IN


# --- Counterparts -------------------------------------------------------------------------


def _trial_body(corpus, **changes):
    trial = corpus[1].text
    start = trial.index("In December 1934")
    end = trial.index("among them.") + len("among them.")
    body = {
        "document": corpus[1].pk,
        "start": start,
        "end": end,
        "statement": "Fifteen were executed for Kirov's murder.",
        "relation": "contradicts",
        "rationale": "13 here, 15 there.",
    }
    return body | changes


def test_a_counterpart_claim_is_made_on_the_passage_and_linked(annotator_client, annotator,
                                                               claim, corpus):  # fmt: skip
    body = _trial_body(corpus)
    response = _post(annotator_client, _counterparts(claim), body)

    assert response.status_code == 201, response.json()
    answer = response.json()
    made = Claim.objects.get(public_id=answer["claim"]["id"])
    assert (made.document, made.start, made.end) == (corpus[1], body["start"], body["end"])
    assert made.statement == body["statement"] and made.created_by == annotator
    link = ClaimLink.objects.get(public_id=answer["link"]["id"])
    assert {link.left, link.right} == {claim, made}
    assert (link.relation, link.rationale, link.direction) == ("contradicts", "13 here, 15 there.",
                                                                Direction.NONE)  # fmt: skip
    assert answer["link"]["other"]["id"] == str(made.public_id)
    assert answer["created"] is True
    assert answer["claim"]["statement"] == body["statement"]


@pytest.mark.parametrize(
    ("direction", "qualifier"),
    [("qualified_by_other", "counterpart"), ("qualifies_other", "claim"), (None, "claim")],
)
def test_a_qualifies_counterpart_records_which_claim_narrows_the_other(
    annotator_client, claim, corpus, direction, qualifier
):
    body = _trial_body(corpus, relation="qualifies")
    if direction:
        body["direction"] = direction
    response = _post(annotator_client, _counterparts(claim), body)
    assert response.status_code == 201, response.json()
    link = ClaimLink.objects.get(public_id=response.json()["link"]["id"])
    made = Claim.objects.get(public_id=response.json()["claim"]["id"])
    assert link.qualifier == (made if qualifier == "counterpart" else claim)
    expected = "qualified_by_other" if qualifier == "counterpart" else "qualifies_other"
    assert response.json()["link"]["direction"] == expected


def test_a_claim_already_exactly_there_is_linked_instead_of_a_second(annotator_client, claim,
                                                                     corpus):  # fmt: skip
    body = _trial_body(corpus)
    someone = make_claim(corpus[1], start=body["start"], end=body["end"], statement="Theirs.")
    response = _post(annotator_client, _counterparts(claim), body | {"statement": ""})
    assert response.status_code == 201
    assert response.json()["created"] is False
    assert response.json()["claim"]["id"] == str(someone.public_id)
    assert Claim.objects.filter(document=corpus[1]).count() == 1
    assert ClaimLink.objects.filter(left__in=[claim, someone], right__in=[claim, someone]).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"relation": "agrees"}, "relation", ERROR_RELATION),
        ({"rationale": "  "}, "rationale", ERROR_RATIONALE_MISSING),
        ({"statement": " "}, "statement", ERROR_STATEMENT_MISSING),
        ({"statement": 5}, "statement", ERROR_STATEMENT_MISSING),
        ({"start": 50, "end": 40}, "end", ERROR_REVERSED.format(start=50, end=40)),
        ({"start": "1"}, "start", None),
        ({"document": "2"}, "document", ERROR_NO_SUCH_DOCUMENT),
        ({"document": 10**9}, "document", ERROR_NO_SUCH_DOCUMENT),
        ({"direction": "qualifies_other"}, "direction",
         ERROR_QUALIFIER_SYMMETRIC.format(relation="contradicts")),
        ({"relation": "qualifies", "direction": "sideways"}, "direction",
         ERROR_COUNTERPART_DIRECTION),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_the_claims_messages_and_changes_nothing(
    annotator_client, claim, corpus, changes, field, message
):
    response = _post(annotator_client, _counterparts(claim), _trial_body(corpus, **changes))
    assert response.status_code == 400, response.json()
    answer = response.json()
    assert answer["fields"] == {field: [answer["error"]]}
    if message:
        assert answer["error"] == message
    assert Claim.objects.count() == 1 and ClaimLink.objects.count() == 0


def test_a_passage_in_the_claims_own_document_is_refused(annotator_client, claim, corpus):
    body = _trial_body(corpus, document=corpus[0].pk, start=0, end=10)
    response = _post(annotator_client, _counterparts(claim), body)
    assert response.status_code == 400
    assert response.json()["error"] == ERROR_OWN_DOCUMENT
    dismissed = _post(annotator_client, _dismiss(claim), {"document": corpus[0].pk,
                                                          "start": 0, "end": 10})  # fmt: skip
    assert dismissed.status_code == 400 and dismissed.json()["error"] == ERROR_OWN_DOCUMENT
    assert Claim.objects.count() == 1 and not Dismissal.objects.exists()


def test_a_refused_link_leaves_no_claim(annotator_client, annotator, claim, corpus, monkeypatch):
    """The claim and the link are written in one transaction: when the link is refused
    after the claim was made, the claim goes too."""

    def refuse(**kwargs):
        raise ClaimError("Refused at the last moment.", "other")

    monkeypatch.setattr(actions, "link_create", refuse)
    response = _post(annotator_client, _counterparts(claim), _trial_body(corpus))
    assert response.status_code == 400
    assert response.json()["error"] == "Refused at the last moment."
    assert list(Claim.objects.all()) == [claim] and not ClaimLink.objects.exists()


def test_linking_a_claim_twice_is_refused_and_makes_nothing(annotator_client, annotator, claim,
                                                            corpus):  # fmt: skip
    body = _trial_body(corpus)
    there = make_claim(corpus[1], user=annotator, start=body["start"], end=body["end"])
    make_link(claim, there, user=annotator)
    response = _post(annotator_client, _counterparts(claim), body)
    assert response.status_code == 400
    assert response.json()["error"] == ERROR_LINK_EXISTS.format(relation="contradicts")
    assert Claim.objects.count() == 2 and ClaimLink.objects.count() == 1


def test_a_second_claim_of_ones_own_on_the_passage_is_never_made(annotator_client, annotator,
                                                                 claim, corpus):  # fmt: skip
    """The duplicate refusal of claim_create never reaches the caller: the claim already
    there is taken."""
    body = _trial_body(corpus)
    mine = make_claim(corpus[1], user=annotator, start=body["start"], end=body["end"])
    response = _post(annotator_client, _counterparts(claim), body)
    assert response.status_code == 201 and response.json()["claim"]["id"] == str(mine.public_id)
    assert ERROR_DUPLICATE_SPAN not in response.content.decode()


@pytest.mark.parametrize("role", ["reviewer", None])
def test_only_annotators_and_editors_make_counterparts_and_dismiss(claim, corpus, role):
    client = Client()
    client.force_login(make_user(role))
    response = _post(client, _counterparts(claim), _trial_body(corpus))
    assert response.status_code == 403 and response.json()["error"] == ERROR_NOT_ANNOTATOR
    body = {"document": corpus[1].pk, "start": 0, "end": 10}
    assert _post(client, _dismiss(claim), body).status_code == 403
    # Refused before the input is read: a bad body gets the same answer.
    assert _post(client, _dismiss(claim), {"document": "x"}).status_code == 403
    assert Claim.objects.count() == 1 and not ClaimLink.objects.exists()
    assert not Dismissal.objects.exists()


def test_editors_make_counterparts_of_anyones_claim(editor_client, editor, claim, corpus):
    response = _post(editor_client, _counterparts(claim), _trial_body(corpus))
    assert response.status_code == 201
    assert Claim.objects.get(public_id=response.json()["claim"]["id"]).created_by == editor


def test_writes_need_the_csrf_token(annotator, claim, corpus):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    response = _post(client, _counterparts(claim), _trial_body(corpus))
    assert response.status_code == 403
    assert Claim.objects.count() == 1


def test_signed_out_writes_are_refused(claim, corpus):
    response = _post(Client(), _counterparts(claim), _trial_body(corpus))
    assert response.status_code == 401 and Claim.objects.count() == 1
    assert _post(Client(), _dismiss(claim), {}).status_code == 401


def test_other_methods_are_refused_with_allow(annotator_client, claim):
    response = annotator_client.get(_counterparts(claim))
    assert response.status_code == 405 and response["Allow"] == "POST"
    response = annotator_client.delete(_dismiss(claim))
    assert response.status_code == 405 and response["Allow"] == "POST"
