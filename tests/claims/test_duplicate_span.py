"""Refusing a second claim on the same passage names the claim already on it, so the page
can open it instead (the refusal's ``existing``)."""

import pytest

from claims import services
from claims.errors import ClaimError
from claims.models import Claim
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db


def test_the_refusal_names_the_claim_already_on_the_passage(annotator):
    document = make_document("Taxes rose by five percent last year.")
    first = make_claim(document, user=annotator, quote="Taxes rose")
    with pytest.raises(ClaimError) as error:
        make_claim(document, user=annotator, quote="Taxes rose", statement="Again.")
    assert str(error.value) == services.ERROR_DUPLICATE_SPAN
    assert error.value.details == {"existing": str(first.public_id)}


def test_a_duplicate_that_raced_past_the_check_names_the_claim_too(annotator, monkeypatch):
    document = make_document("Taxes rose by five percent last year.")
    first = make_claim(document, user=annotator, quote="Taxes rose")
    monkeypatch.setattr(services, "claim_prepare", _without_the_check(services.claim_prepare))
    with pytest.raises(ClaimError) as error:
        make_claim(document, user=annotator, quote="Taxes rose", statement="Raced.")
    assert error.value.details == {"existing": str(first.public_id)}
    assert Claim.objects.count() == 1


def _without_the_check(prepare):
    """``claim_prepare`` as if the other request's claim was saved just after its check."""

    def prepare_then_race(**given):
        claim = Claim.objects.get()
        claim.start += 1  # not the same passage while the check looks
        Claim.objects.filter(pk=claim.pk).update(start=claim.start)
        try:
            return prepare(**given)
        finally:
            Claim.objects.filter(pk=claim.pk).update(start=claim.start - 1)

    return prepare_then_race


def test_the_endpoint_answers_the_existing_claim_s_id(annotator_client, annotator):
    document = make_document("Taxes rose by five percent last year.")
    first = make_claim(document, user=annotator, quote="Taxes rose")
    response = annotator_client.post(
        f"/api/documents/{document.pk}/claims/",
        {"start": 0, "end": 10, "quote": "Taxes rose", "statement": "Again."},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["existing"] == str(first.public_id)
