"""JSON endpoints the annotation page calls. Writes go through ``claims.services``."""

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404

from claims.models import Claim
from claims.services import ClaimError, can_change_claim, claim_create, claim_delete, claim_update
from corpus.models import Document
from crosscheck.jsonapi import ApiError, json_endpoint, read_json


def claim_payload(claim: Claim, user: AbstractBaseUser) -> dict:
    """What the page knows of a claim. Expects ``created_by`` and ``topics`` loaded."""
    return {
        "id": str(claim.public_id),
        "start": claim.start,
        "end": claim.end,
        "quote": claim.quote,
        "statement": claim.statement,
        "topics": [topic.name for topic in claim.topics.all()],
        "author": claim.created_by.get_username(),
        "created": claim.created_at.isoformat(),
        "updated": claim.updated_at.isoformat(),
        "version": claim.version,
        "can_edit": can_change_claim(user, claim),
    }


def claims_payload(document: Document, user: AbstractBaseUser) -> list[dict]:
    return [claim_payload(claim, user) for claim in Claim.objects.for_document(document)]


def _service_call(function, **kwargs):
    try:
        return function(**kwargs)
    except ClaimError as error:
        raise ApiError(str(error), error.status, error.field) from None


def _get_claim(public_id) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("document", "created_by").prefetch_related("topics"),
        public_id=public_id,
    )


@json_endpoint("GET", "POST")
def document_claims(request: HttpRequest, document_id: int) -> JsonResponse:
    if request.method == "GET":
        document = get_object_or_404(Document.objects.defer("text"), pk=document_id)
        return JsonResponse({"claims": claims_payload(document, request.user)})
    data = read_json(request)
    document = get_object_or_404(Document, pk=document_id)
    claim = _service_call(
        claim_create,
        document=document,
        start=data.get("start"),
        end=data.get("end"),
        quote=data.get("quote"),
        statement=data.get("statement"),
        topics=data.get("topics"),
        user=request.user,
    )
    return JsonResponse(
        {"claim": claim_payload(_get_claim(claim.public_id), request.user)}, status=201
    )


@json_endpoint("GET", "PATCH", "DELETE")
def claim_detail(request: HttpRequest, public_id) -> JsonResponse:
    claim = _get_claim(public_id)
    if request.method == "GET":
        return JsonResponse({"claim": claim_payload(claim, request.user)})
    data = read_json(request)
    if request.method == "DELETE":
        _service_call(claim_delete, claim=claim, version=data.get("version"), user=request.user)
        return JsonResponse({"deleted": str(claim.public_id)})
    _service_call(
        claim_update,
        claim=claim,
        statement=data.get("statement"),
        topics=data.get("topics", [topic.name for topic in claim.topics.all()]),
        version=data.get("version"),
        user=request.user,
    )
    return JsonResponse({"claim": claim_payload(_get_claim(public_id), request.user)})
