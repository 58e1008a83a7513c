"""The JSON endpoints the annotation page calls: every answer is JSON, refusals included."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from claims import services
from claims.anchoring import (
    CONTEXT_LENGTH,
    ERROR_NEGATIVE,
    ERROR_NOT_INTEGER,
    ERROR_OUT_OF_RANGE,
    ERROR_QUOTE_MISMATCH,
    ERROR_REVERSED,
)
from claims.models import Claim, Topic
from crosscheck import jsonapi
from tests.factories import PASSWORD, make_claim, make_document, make_user

pytestmark = pytest.mark.django_db

TEXT = "Budget report\n\nThe mayor said that taxes rose by five percent last year."
QUOTE = "taxes rose"
START = TEXT.index(QUOTE)
END = START + len(QUOTE)


@pytest.fixture
def document():
    return make_document(TEXT)


def list_url(document_id) -> str:
    return reverse("claims:api-document-claims", args=[document_id])


def claim_url(public_id) -> str:
    return reverse("claims:api-claim", args=[public_id])


def body(**fields) -> dict:
    return {"start": START, "end": END, "quote": QUOTE, "statement": "Taxes rose."} | fields


def post(client, document, data, **extra):
    payload = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(list_url(document.pk), payload, content_type="application/json", **extra)


def patch(client, claim, data):
    return client.patch(
        claim_url(claim.public_id), json.dumps(data), content_type="application/json"
    )


def delete(client, claim, data):
    return client.delete(
        claim_url(claim.public_id), json.dumps(data), content_type="application/json"
    )


def refusal(message: str, field: str | None = None) -> dict:
    return {"error": message, "fields": {field: [message]} if field else {}}


# Reading


def test_get_lists_a_documents_claims_in_reading_order(annotator_client, annotator, document):
    other = make_user("annotator")
    later = make_claim(document, user=other, quote="last year", topics=["Time"])
    first = make_claim(document, user=annotator, quote="taxes rose", topics=["Tax", "Economy"])
    make_claim(make_document("Another document entirely."), user=annotator)
    response = annotator_client.get(list_url(document.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    claims = response.json()["claims"]
    assert [claim["id"] for claim in claims] == [str(first.public_id), str(later.public_id)]
    assert claims[0] == {
        "id": str(first.public_id),
        "start": START,
        "end": END,
        "statement": "The passage claims something.",
        "topics": ["Economy", "Tax"],
        "author": annotator.username,
        "created": first.created_at.isoformat(),
        "version": 1,
        "can_edit": True,
        "date": None,
        "anchor_state": "exact",
        "document": document.pk,
    }
    assert (claims[1]["author"], claims[1]["can_edit"]) == (other.username, False)


@pytest.mark.parametrize("microsecond", [0, 7, 999999])
def test_ids_and_times_are_written_as_python_writes_them(
    annotator_client, annotator, document, microsecond
):
    """The database writes them (claims.sqltext): the same text as str() and isoformat()."""
    claim = make_claim(document, user=annotator, quote="taxes rose")
    created = datetime(2026, 1, 2, 3, 4, 5, microsecond, tzinfo=UTC)
    Claim.objects.filter(pk=claim.pk).update(created_at=created)
    (payload,) = annotator_client.get(list_url(document.pk)).json()["claims"]
    assert payload["id"] == str(claim.public_id)
    assert payload["created"] == created.isoformat()


def test_get_of_a_document_without_claims_is_an_empty_list(reviewer_client, document):
    response = reviewer_client.get(list_url(document.pk))
    assert (response.status_code, response.json()) == (200, {"claims": []})


def test_get_one_claim(reviewer_client, document):
    claim = make_claim(document, quote=QUOTE)
    response = reviewer_client.get(claim_url(claim.public_id))
    assert response.status_code == 200
    assert response.json()["claim"]["id"] == str(claim.public_id)
    assert response.json()["claim"]["can_edit"] is False


# Creating


def test_post_creates_a_claim_and_answers_201_with_it(annotator_client, annotator, document):
    response = post(annotator_client, document, body(topics=["Economy", "economy", " "]))
    assert response.status_code == 201
    claim = Claim.objects.get()
    payload = response.json()["claim"]
    assert payload["id"] == str(claim.public_id)
    assert (payload["start"], payload["end"]) == (START, END)
    assert "quote" not in payload, "the page reads quotes from the text it holds"
    assert (payload["statement"], payload["topics"]) == ("Taxes rose.", ["Economy"])
    assert (payload["author"], payload["version"], payload["can_edit"]) == (
        annotator.username,
        1,
        True,
    )
    assert (claim.document, claim.created_by, claim.statement) == (
        document,
        annotator,
        "Taxes rose.",
    )


def test_post_ignores_what_the_client_claims_about_context_author_id_and_version(
    annotator_client, annotator, document
):
    other = make_user("annotator")
    forged = body(
        prefix="forged prefix",
        suffix="forged suffix",
        created_by=other.pk,
        author=other.username,
        version=7,
        id=str(uuid.uuid4()),
        public_id=str(uuid.uuid4()),
        document=999,
    )
    response = post(annotator_client, document, forged)
    assert response.status_code == 201
    claim = Claim.objects.get()
    assert claim.prefix == TEXT[max(0, START - CONTEXT_LENGTH) : START]
    assert claim.suffix == TEXT[END : END + CONTEXT_LENGTH]
    assert (claim.created_by, claim.version, claim.document) == (annotator, 1, document)
    assert str(claim.public_id) not in (forged["id"], forged["public_id"])
    assert response.json()["claim"]["author"] == annotator.username


def test_post_stores_a_sloppy_selection_trimmed(annotator_client, document):
    response = post(
        annotator_client, document, body(start=START - 1, end=END + 1, quote=f" {QUOTE} ")
    )
    assert response.status_code == 201
    assert (response.json()["claim"]["start"], response.json()["claim"]["end"]) == (START, END)
    assert Claim.objects.get().quote == QUOTE


def test_post_offsets_count_code_points(annotator_client):
    text = "Emoji 👋🏽 then 𝕏 and q\u0301uark, said “Anna” here."
    document = make_document(text)
    quote = "q\u0301uark, said “Anna”"
    start = text.index(quote)
    response = post(
        annotator_client, document, body(start=start, end=start + len(quote), quote=quote)
    )
    assert response.status_code == 201, response.json()
    assert Claim.objects.get().quote == quote


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start": str(START)}, "start", ERROR_NOT_INTEGER.format(field="start", value=str(START))),
        ({"end": float(END)}, "end", ERROR_NOT_INTEGER.format(field="end", value=float(END))),
        ({"start": 1.5}, "start", ERROR_NOT_INTEGER.format(field="start", value=1.5)),
        ({"start": True}, "start", ERROR_NOT_INTEGER.format(field="start", value=True)),
        ({"start": None}, "start", ERROR_NOT_INTEGER.format(field="start", value=None)),
        ({"end": [END]}, "end", ERROR_NOT_INTEGER.format(field="end", value=[END])),
        ({"start": -1}, "start", ERROR_NEGATIVE.format(field="start", value=-1)),
        ({"end": -3}, "end", ERROR_NEGATIVE.format(field="end", value=-3)),
        ({"start": END, "end": START}, "end", ERROR_REVERSED.format(start=END, end=START)),
        ({"start": START, "end": START}, "end", ERROR_REVERSED.format(start=START, end=START)),
        (
            {"end": len(TEXT) + 1},
            "end",
            ERROR_OUT_OF_RANGE.format(start=START, end=len(TEXT) + 1, length=len(TEXT)),
        ),
        (
            {"end": 2**63},
            "end",
            ERROR_OUT_OF_RANGE.format(start=START, end=2**63, length=len(TEXT)),
        ),
        (
            {"start": 10**30, "end": 10**30 + 1},
            "end",
            ERROR_OUT_OF_RANGE.format(start=10**30, end=10**30 + 1, length=len(TEXT)),
        ),
        (
            {"quote": "taxes fell"},
            "quote",
            ERROR_QUOTE_MISMATCH.format(start=START, end=END, actual=QUOTE, quote="taxes fell"),
        ),
        ({"quote": None}, "quote", "The quote must be text."),
        ({"statement": None}, "statement", services.ERROR_STATEMENT_MISSING),
        ({"statement": "   "}, "statement", services.ERROR_STATEMENT_MISSING),
        ({"statement": "s" * 1001}, "statement", services.ERROR_STATEMENT_TOO_LONG),
        ({"topics": "Economy"}, "topics", services.ERROR_TOPICS_NOT_LIST),
        ({"topics": [f"t{n}" for n in range(11)]}, "topics", services.ERROR_TOO_MANY_TOPICS),
    ],
)
def test_post_refuses_bad_input_with_a_json_message_for_the_field(
    annotator_client, document, fields, field, message
):
    response = post(annotator_client, document, body(**fields))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == refusal(message, field)
    assert Claim.objects.count() == 0
    assert Topic.objects.count() == 0


def test_post_without_a_statement_is_refused(annotator_client, document):
    data = body()
    del data["statement"]
    response = post(annotator_client, document, data)
    assert response.status_code == 400
    assert response.json() == refusal(services.ERROR_STATEMENT_MISSING, "statement")
    assert Claim.objects.count() == 0


def test_post_of_the_same_span_twice_is_refused(annotator_client, document):
    assert post(annotator_client, document, body()).status_code == 201
    response = post(annotator_client, document, body(statement="Again."))
    assert response.status_code == 400
    existing = {"existing": str(Claim.objects.get().public_id)}  # the page opens it
    assert response.json() == refusal(services.ERROR_DUPLICATE_SPAN, "quote") | existing
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("raw", ["{not json", "{'start': 1}", "\x00", '{"start": 1,}', "{"])
def test_post_of_invalid_json_is_refused(annotator_client, document, raw):
    response = post(annotator_client, document, raw)
    assert response.status_code == 400
    assert response.json() == refusal(jsonapi.ERROR_NOT_JSON)
    assert Claim.objects.count() == 0


def test_post_of_bytes_that_are_not_utf8_is_refused_as_not_json(annotator_client, document):
    response = post(annotator_client, document, b'{"statement": "\xff\xfe"}')
    assert response.status_code == 400
    assert response.json() == refusal(jsonapi.ERROR_NOT_JSON)


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "42", "null", "true", "[]"])
def test_post_of_json_that_is_not_an_object_is_refused(annotator_client, document, raw):
    response = post(annotator_client, document, raw)
    assert response.status_code == 400
    assert response.json() == refusal(jsonapi.ERROR_NOT_OBJECT)
    assert Claim.objects.count() == 0


def test_post_with_an_empty_body_is_refused_for_its_missing_offsets(annotator_client, document):
    response = post(annotator_client, document, "")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "start": [ERROR_NOT_INTEGER.format(field="start", value=None)]
    }


def test_a_body_over_the_upload_limit_is_refused_as_too_large(annotator_client, document, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = post(annotator_client, document, body(statement="s" * 200))
    assert response.status_code == 413
    assert response.json() == refusal(jsonapi.ERROR_TOO_LARGE)
    assert Claim.objects.count() == 0


# Refusals before the view: sign-in, method, CSRF, not found


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete", "put"])
def test_anonymous_requests_get_401_json(document, method):
    claim = make_claim(document, quote=QUOTE)
    client = Client()
    for url in (list_url(document.pk), claim_url(claim.public_id)):
        if method == "get":
            response = client.get(url)
        else:
            response = getattr(client, method)(
                url, json.dumps(body(version=1)), content_type="application/json"
            )
        assert response.status_code == 401, url
        assert response.json() == refusal(jsonapi.ERROR_SIGN_IN)
    assert Claim.objects.count() == 1
    assert Claim.objects.get().version == 1


@pytest.mark.parametrize("client_fixture", ["reviewer_client", "no_role_client"])
def test_users_without_the_annotator_role_get_403_json(request, client_fixture, document):
    client = request.getfixturevalue(client_fixture)
    response = post(client, document, body())
    assert response.status_code == 403
    assert response.json() == refusal(services.ERROR_NOT_ANNOTATOR)
    assert Claim.objects.count() == 0


def test_an_editor_can_create_a_claim(editor_client, document):
    response = post(editor_client, document, body())
    assert response.status_code == 201, response.json()
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "allowed"),
    [("put", "GET, POST"), ("patch", "GET, POST"), ("delete", "GET, POST"), ("head", "GET, POST")],
)
def test_the_document_claims_address_refuses_other_methods_with_405(
    annotator_client, document, method, allowed
):
    response = getattr(annotator_client, method)(list_url(document.pk))
    assert response.status_code == 405
    assert response["Allow"] == allowed
    if method != "head":
        assert response.json() == refusal(jsonapi.ERROR_METHOD.format(method=method.upper()))
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("method", ["post", "put"])
def test_the_claim_address_refuses_other_methods_with_405(annotator_client, document, method):
    claim = make_claim(document, quote=QUOTE)
    response = getattr(annotator_client, method)(
        claim_url(claim.public_id), json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 405
    assert response["Allow"] == "GET, PATCH, DELETE"
    assert response.json() == refusal(jsonapi.ERROR_METHOD.format(method=method.upper()))


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_post_without_a_csrf_token_gets_403_json(annotator, document):
    response = post(csrf_client(annotator), document, body())
    assert response.status_code == 403
    assert response.json() == refusal(jsonapi.ERROR_CSRF)
    assert Claim.objects.count() == 0


def test_patch_and_delete_without_a_csrf_token_get_403_json(annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE, statement="Original.")
    client = csrf_client(annotator)
    assert patch(client, claim, {"statement": "Changed.", "version": 1}).status_code == 403
    response = delete(client, claim, {"version": 1})
    assert response.status_code == 403
    assert response.json() == refusal(jsonapi.ERROR_CSRF)
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Original.", 1)


def test_a_post_with_the_pages_csrf_token_is_accepted(annotator, document):
    client = csrf_client(annotator)
    client.get(reverse("claims:document", args=[document.pk]))
    token = client.cookies["csrftoken"].value
    response = post(client, document, body(), headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert Claim.objects.count() == 1


def test_a_signed_in_user_with_a_password_session_is_treated_the_same(annotator, document):
    client = Client()
    assert client.login(username=annotator.username, password=PASSWORD)
    assert post(client, document, body()).status_code == 201


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_document_gets_404_json(annotator_client, method):
    if method == "get":
        response = annotator_client.get(list_url(987654))
    else:
        response = annotator_client.post(
            list_url(987654), json.dumps(body()), content_type="application/json"
        )
    assert response.status_code == 404
    assert response.json() == refusal(jsonapi.ERROR_NOT_FOUND)
    assert Claim.objects.count() == 0


def test_a_document_number_beyond_the_database_range_gets_404_json(annotator_client):
    response = annotator_client.get(list_url(2**70))
    assert response.status_code == 404
    assert response.json() == refusal(jsonapi.ERROR_NOT_FOUND)


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_an_unknown_claim_gets_404_json(annotator_client, method):
    url = claim_url(uuid.uuid4())
    if method == "get":
        response = annotator_client.get(url)
    else:
        response = getattr(annotator_client, method)(
            url, json.dumps({"statement": "x", "version": 1}), content_type="application/json"
        )
    assert response.status_code == 404
    assert response.json() == refusal(jsonapi.ERROR_NOT_FOUND)


def test_a_claim_address_that_is_not_a_uuid_is_not_found(annotator_client):
    assert annotator_client.get("/api/claims/not-a-uuid/").status_code == 404


# Editing and deleting


def test_the_owner_patches_a_claim(annotator_client, annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE, topics=["Economy"])
    response = patch(
        annotator_client,
        claim,
        {"statement": "Taxes rose sharply.", "topics": ["Tax"], "version": 1},
    )
    assert response.status_code == 200
    payload = response.json()["claim"]
    assert (payload["statement"], payload["topics"], payload["version"]) == (
        "Taxes rose sharply.",
        ["Tax"],
        2,
    )
    claim.refresh_from_db()
    assert (claim.statement, claim.version, claim.quote) == ("Taxes rose sharply.", 2, QUOTE)


def test_a_patch_without_topics_keeps_the_topics(annotator_client, annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE, topics=["Economy", "Tax"])
    response = patch(annotator_client, claim, {"statement": "Changed.", "version": 1})
    assert response.status_code == 200
    assert response.json()["claim"]["topics"] == ["Economy", "Tax"]


def test_a_patch_cannot_move_the_anchor(annotator_client, annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE)
    response = patch(
        annotator_client,
        claim,
        {"statement": "Changed.", "version": 1, "start": 0, "end": 6, "quote": "Budget"},
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.quote) == (START, END, QUOTE)


def test_another_annotator_cannot_patch_or_delete(annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE, statement="Original.")
    client = Client()
    client.force_login(make_user("annotator"))
    response = patch(client, claim, {"statement": "Hijacked.", "version": 1})
    assert response.status_code == 403
    assert response.json() == refusal(services.ERROR_NOT_OWNER)
    response = delete(client, claim, {"version": 1})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Original.", 1)


def test_a_reviewer_cannot_patch(reviewer_client, document):
    claim = make_claim(document, quote=QUOTE, statement="Original.")
    response = patch(reviewer_client, claim, {"statement": "Changed.", "version": 1})
    assert response.status_code == 403
    assert Claim.objects.get().statement == "Original."


def test_an_editor_patches_anyones_claim(editor_client, document):
    claim = make_claim(document, quote=QUOTE, statement="Original.")
    response = patch(editor_client, claim, {"statement": "Edited.", "version": 1})
    assert response.status_code == 200, response.json()
    assert Claim.objects.get().statement == "Edited."


def test_a_stale_patch_gets_409_with_the_conflict_message(annotator_client, annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE)
    assert patch(annotator_client, claim, {"statement": "First.", "version": 1}).status_code == 200
    response = patch(annotator_client, claim, {"statement": "Second.", "version": 1})
    assert response.status_code == 409
    message = services.ERROR_CONFLICT.format(current=2, sent=1)
    assert response.json() == refusal(message, "version")
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("First.", 2)


@pytest.mark.parametrize("version", [None, "1", 1.5, True])
def test_a_patch_without_a_whole_number_version_is_refused(
    annotator_client, annotator, document, version
):
    claim = make_claim(document, user=annotator, quote=QUOTE, statement="Original.")
    response = patch(annotator_client, claim, {"statement": "Changed.", "version": version})
    assert response.status_code == 400
    assert response.json() == refusal(services.ERROR_VERSION, "version")
    assert Claim.objects.get().statement == "Original."


def test_a_patch_with_a_blank_statement_is_refused(annotator_client, annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE, statement="Original.")
    response = patch(annotator_client, claim, {"statement": " ", "version": 1})
    assert response.status_code == 400
    assert response.json() == refusal(services.ERROR_STATEMENT_MISSING, "statement")
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Original.", 1)


def test_delete_with_the_current_version(annotator_client, annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE)
    response = delete(annotator_client, claim, {"version": 1})
    assert response.status_code == 200
    assert response.json() == {"deleted": str(claim.public_id)}
    assert Claim.objects.count() == 0
    again = delete(annotator_client, claim, {"version": 1})
    assert again.status_code == 404
    assert again.json() == refusal(jsonapi.ERROR_NOT_FOUND)


def test_delete_with_a_stale_version_gets_409(annotator_client, annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE)
    patch(annotator_client, claim, {"statement": "Edited.", "version": 1})
    response = delete(annotator_client, claim, {"version": 1})
    assert response.status_code == 409
    assert response.json() == refusal(services.ERROR_CONFLICT.format(current=2, sent=1), "version")
    assert Claim.objects.count() == 1


def test_delete_without_a_version_is_refused(annotator_client, annotator, document):
    claim = make_claim(document, user=annotator, quote=QUOTE)
    response = annotator_client.delete(claim_url(claim.public_id))
    assert response.status_code == 400
    assert response.json() == refusal(services.ERROR_VERSION, "version")
    assert Claim.objects.count() == 1


def test_an_editor_deletes_anyones_claim(editor_client, document):
    claim = make_claim(document, quote=QUOTE)
    response = delete(editor_client, claim, {"version": 1})
    assert response.status_code == 200, response.json()
    assert Claim.objects.count() == 0


# Never a 500


def valid_anchor_and(fields: str) -> str:
    """A JSON object with a valid anchor on "Budget" and the given raw JSON fields."""
    return '{"start": 0, "end": 6, "quote": "Budget", ' + fields + "}"


BAD_BODIES = [
    pytest.param("[" * 100_000, id="deeply-nested-arrays"),
    pytest.param('{"start": ' * 50_000, id="deeply-nested-objects"),
    pytest.param('{"start": ' + "9" * 5000 + "}", id="number-with-5000-digits"),
    pytest.param('{"start": NaN, "end": Infinity}', id="nan-and-infinity"),
    pytest.param('{"start": 1e999, "end": -1e999}', id="overflowing-floats"),
    pytest.param('{"start": 0, "end": 1e400}', id="overflowing-end"),
    pytest.param('{"start": -0, "end": 0}', id="minus-zero"),
    pytest.param('{"statement": {"nested": [1, 2, {"x": null}]}}', id="statement-object"),
    pytest.param('{"quote": 12345, "start": 0, "end": 5}', id="quote-number"),
    pytest.param('{"topics": [[], {}, null]}', id="topics-of-containers"),
    pytest.param('{"topics": {"a": 1}}', id="topics-object"),
    pytest.param("\ufeff{}", id="byte-order-mark"),
    pytest.param(
        valid_anchor_and('"statement": "Lone \\ud800 surrogate"'), id="lone-surrogate-in-statement"
    ),
    pytest.param(
        valid_anchor_and('"statement": "ok", "topics": ["\\udfff"]'), id="lone-surrogate-in-topic"
    ),
    pytest.param(valid_anchor_and('"statement": "NUL \\u0000 inside"'), id="nul-in-statement"),
    pytest.param(valid_anchor_and('"statement": "ok", "topics": ["a\\u0000b"]'), id="nul-in-topic"),
    pytest.param(
        '{"start": 0, "end": 6, "quote": "Budget\\u0000", "statement": "ok"}', id="nul-in-quote"
    ),
    pytest.param(
        valid_anchor_and('"statement": "ok", "topics": ["' + "t" * 10_000 + '"]'), id="huge-topic"
    ),
]


def lenient_client(user) -> Client:
    """A client that returns a 500 as a response instead of raising, to assert on it."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("raw", BAD_BODIES)
def test_a_bad_post_body_never_causes_a_server_error(annotator, document, raw):
    response = post(lenient_client(annotator), document, raw)
    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"
    if response.status_code != 201:
        assert set(response.json()) == {"error", "fields"}
        assert Claim.objects.count() == 0


@pytest.mark.parametrize("raw", BAD_BODIES)
def test_a_bad_patch_body_never_causes_a_server_error(annotator, document, raw):
    claim = make_claim(document, user=annotator, quote=QUOTE, statement="Original.")
    raw = raw.replace('"start": 0', '"version": 1')
    response = lenient_client(annotator).patch(
        claim_url(claim.public_id), raw, content_type="application/json"
    )
    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"
    if response.status_code != 200:
        claim.refresh_from_db()
        assert (claim.statement, claim.version) == ("Original.", 1)


@pytest.mark.parametrize(
    "version", [2**63, 2**64, -(2**63) - 1, 10**30, -1, 0], ids=lambda v: str(v)[:12]
)
def test_a_version_beyond_the_database_range_is_a_conflict_not_a_server_error(
    annotator, document, version
):
    claim = make_claim(document, user=annotator, quote=QUOTE, statement="Original.")
    client = lenient_client(annotator)
    response = patch(client, claim, {"statement": "Changed.", "version": version})
    assert response.status_code == 409
    response = delete(client, claim, {"version": version})
    assert response.status_code == 409
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Original.", 1)
