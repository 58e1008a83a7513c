"""JSON endpoints of counterparts: passages of other documents likely about the same thing
as a selection or a claim, and what to do with one (make a claim there and link it, or
dismiss it). Described for the OpenAPI schema (``crosscheck.api``) on a django-ninja
router, served through ``json_endpoint`` as every endpoint (``crosscheck.api.endpoint_urls``):
401 signed out, 405 with ``Allow``, refusals as ``{"error", "fields"}``.

Suggestions come from ``suggestions.services``; writes go through ``suggestions.actions``,
which writes claims and links only through ``claims.services``."""

import uuid

from django.db.models import prefetch_related_objects
from django.db.models.functions import Length
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from claims.models import Claim, ClaimLink
from claims.payloads import claim_payload, link_payload
from corpus.models import Document
from crosscheck.jsonapi import answers, json_body, read_json
from crosscheck.permissions import editable_by
from suggestions import schemas, services
from suggestions.actions import (
    MAX_SPAN,
    check_span,
    counterpart_create,
    dismissal_create,
    passage_document,
    require_triager,
)
from suggestions.payloads import suggestion_payload
from suggestions.services import Suggestion

router = Router(tags=["suggestions"])

_LIMIT = Query(
    schemas.DEFAULT_LIMIT,
    ge=1,
    le=schemas.MAX_LIMIT,
    description=f"How many suggestions, at most (1 to {schemas.MAX_LIMIT}).",
)


def _get_claim(public_id) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("document").defer("document__text"), public_id=public_id
    )


def _answer(suggestions: list[Suggestion], own_document_id: int) -> JsonResponse:
    """The suggestions, best first, none from the query's own document."""
    kept = [s for s in suggestions if s.document.pk != own_document_id]
    kept.sort(key=lambda s: -s.score)  # stable: the engine's order among equal scores
    prefetch_related_objects([s.document for s in kept], "source")
    return JsonResponse({"suggestions": [suggestion_payload(s) for s in kept]})


@router.get(
    "/api/documents/{int:document_id}/suggestions/",
    url_name="api-document-suggestions",
    operation_id="suggestForSelection",
    summary="Passages of other documents likely about the same thing as a selection",
    response=answers({200: schemas.SuggestionList}, 400, 404),
)
def document_suggestions(
    request: HttpRequest,
    document_id: int,
    start: int = Query(
        ..., ge=0, description="Offset of the selection's first character, in code points."
    ),  # fmt: skip
    end: int = Query(
        ...,
        ge=1,
        description="Offset just past its last character; after "
        f"start, at most {MAX_SPAN} further.",
    ),  # fmt: skip
    limit: int = _LIMIT,
) -> JsonResponse:
    # The text's length from the database: the text itself (megabytes) is not needed.
    documents = Document.objects.defer("text").annotate(length=Length("text"))
    document = get_object_or_404(documents, pk=document_id)
    start, end = check_span(document.length, start, end)
    found = services.suggest_for_span(document, start, end, limit=limit, user=request.user)
    return _answer(found, document.pk)


@router.get(
    "/api/claims/{uuid:public_id}/suggestions/",
    url_name="api-claim-suggestions",
    operation_id="suggestForClaim",
    summary="Passages of other documents likely about the same thing as a claim "
    "(the ones dismissed for it left out)",
    response=answers({200: schemas.SuggestionList}, 400, 404),
)
def claim_suggestions(
    request: HttpRequest, public_id: uuid.UUID, limit: int = _LIMIT
) -> JsonResponse:
    claim = _get_claim(public_id)
    found = services.suggest_for_claim(claim, limit=limit, user=request.user)
    return _answer(found, claim.document_id)


@router.post(
    "/api/claims/{uuid:public_id}/counterparts/",
    url_name="api-claim-counterparts",
    operation_id="createCounterpart",
    summary="Make a claim on a passage of another document and link it to this claim, "
    "both or neither (annotators and editors)",
    response=answers({201: schemas.Counterpart}, 400, 403, 404, 413),
    openapi_extra=json_body(schemas.CounterpartCreate),
)
def claim_counterparts(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    claim = _get_claim(public_id)
    require_triager(request.user)
    data = read_json(request)
    other, link, created = counterpart_create(
        claim=claim,
        document=passage_document(data.get("document"), claim),
        start=data.get("start"),
        end=data.get("end"),
        statement=data.get("statement"),
        relation=data.get("relation"),
        rationale=data.get("rationale"),
        direction=data.get("direction"),
        user=request.user,
    )
    link = ClaimLink.objects.with_sides().get(pk=link.pk)
    answer = {
        "claim": claim_payload(other, request.user),
        "link": link_payload(link, claim, editable_by(request.user), []),
        "created": created,
    }
    return JsonResponse(answer, status=201)


@router.post(
    "/api/claims/{uuid:public_id}/suggestions/dismiss/",
    url_name="api-claim-suggestion-dismiss",
    operation_id="dismissSuggestion",
    summary="Not related: the passage is no longer suggested for this claim "
    "(annotators and editors; dismissing twice is the same as once)",
    response=answers({201: schemas.Dismissed, 200: schemas.Dismissed}, 400, 403, 404, 413),
    openapi_extra=json_body(schemas.DismissBody),
)
def claim_suggestion_dismiss(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    claim = _get_claim(public_id)
    require_triager(request.user)
    data = read_json(request)
    dismissal, created = dismissal_create(
        claim=claim,
        document=passage_document(data.get("document"), claim),
        start=data.get("start"),
        end=data.get("end"),
        user=request.user,
    )
    answer = {
        "claim": str(claim.public_id),
        "document": dismissal.document_id,
        "start": dismissal.start,
        "end": dismissal.end,
        "created": created,
    }
    return JsonResponse(answer, status=201 if created else 200)
