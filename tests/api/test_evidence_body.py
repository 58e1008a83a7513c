"""New evidence's body holds what the schema describes, whatever the kind: a field the kind
does not read is still refused when it is of the wrong type (found by the schemathesis
run: `{"kind": "url", "citation": 5}` was stored without its title and answered 201)."""

import json

import pytest
from django.urls import reverse

from claims.api import ERROR_FIELD_TYPE
from claims.models import Evidence
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

BODIES = {
    "citation": {"kind": "citation", "citation": "A. Author, A Book, 1999."},
    "url": {"kind": "url", "url": "https://example.org/report", "citation": "A report"},
    "quote": {"kind": "quote", "quote": "Taxes rose.", "citation": "The minutes"},
}


def post(client, claim, body):
    url = reverse("claims:api-claim-evidence", args=[claim.public_id])
    return client.post(url, json.dumps(body | {"bearing": "supports"}),
                       content_type="application/json")  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "field", "value", "expected"),
    [
        ("url", "citation", 5, "text"),
        ("quote", "citation", ["The minutes"], "text"),
        ("citation", "url", {"href": "https://example.org/"}, "text"),
        ("citation", "quote", False, "text"),
        ("url", "document", "1", "a document's number"),
        ("quote", "start", 1.5, "a whole number"),
        ("citation", "end", True, "a whole number"),
    ],
)
def test_a_field_the_kind_does_not_read_is_refused_when_of_the_wrong_type(
    annotator_client, annotator, kind, field, value, expected
):
    claim = make_claim(user=annotator)
    response = post(annotator_client, claim, BODIES[kind] | {field: value})
    assert response.status_code == 400
    message = ERROR_FIELD_TYPE.format(field=field, expected=expected)
    assert response.json() == {"error": message, "fields": {field: [message]}}
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("kind", list(BODIES))
def test_fields_the_kind_does_not_read_may_be_null_or_of_their_type(
    annotator_client, annotator, kind
):
    claim = make_claim(user=annotator)
    unread = {"document": None, "start": 0, "end": None, "url": "", "quote": None}
    body = {key: value for key, value in unread.items() if key not in BODIES[kind]}
    response = post(annotator_client, claim, body | BODIES[kind])
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.document_id, evidence.start) == (kind, None, None)


def test_the_services_own_messages_stay_for_the_fields_the_kind_reads(annotator_client, annotator):
    """A wrong type in a field the kind reads is the service's to word."""
    claim = make_claim(user=annotator)
    response = post(annotator_client, claim, {"kind": "quote", "quote": 5})
    assert response.status_code == 400
    assert response.json()["fields"].keys() == {"quote"}
    assert "must be text, or left out" not in response.json()["error"]
