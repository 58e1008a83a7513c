"""JSON endpoints the annotation page calls. Writes go through ``claims.services``."""

from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404

from claims.models import Claim
from claims.services import ClaimError, claim_create, claim_delete, claim_update, editable_by
from corpus.models import Document
from crosscheck.jsonapi import ApiError, json_endpoint, read_json

_PAYLOAD_FIELDS = (
    "pk", "public_id", "start", "end", "quote", "statement", "created_by_id",
    "created_by__username", "created_at", "updated_at", "version",
)  # fmt: skip


def claims_payload(claims: QuerySet[Claim], user: AbstractBaseUser) -> list[dict]:
    """What the page knows of each claim, in reading order. Two queries whatever the
    number of claims, and no model instances: a document may have thousands."""
    rows = list(claims.order_by("start", "end", "pk").values(*_PAYLOAD_FIELDS))
    topics: dict[int, list[str]] = defaultdict(list)
    links = Claim.topics.through.objects.filter(claim_id__in=[row["pk"] for row in rows])
    for claim_id, name in links.order_by("topic__name").values_list("claim_id", "topic__name"):
        topics[claim_id].append(name)
    can_edit = editable_by(user)
    return [
        {
            "id": str(row["public_id"]),
            "start": row["start"],
            "end": row["end"],
            "quote": row["quote"],
            "statement": row["statement"],
            "topics": topics[row["pk"]],
            "author": row["created_by__username"],
            "created": row["created_at"].isoformat(),
            "updated": row["updated_at"].isoformat(),
            "version": row["version"],
            "can_edit": can_edit(row["created_by_id"]),
        }
        for row in rows
    ]


def claim_payload(claim: Claim, user: AbstractBaseUser) -> dict:
    return claims_payload(Claim.objects.filter(pk=claim.pk), user)[0]


def _service_call(function, **kwargs):
    try:
        return function(**kwargs)
    except ClaimError as error:
        raise ApiError(str(error), error.status, error.field) from None


def _get_claim(public_id) -> Claim:
    return get_object_or_404(Claim.objects.select_related("document"), public_id=public_id)


@json_endpoint("GET", "POST")
def document_claims(request: HttpRequest, document_id: int) -> JsonResponse:
    if request.method == "GET":
        document = get_object_or_404(Document.objects.defer("text"), pk=document_id)
        return JsonResponse({"claims": claims_payload(document.claims.all(), request.user)})
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
    return JsonResponse({"claim": claim_payload(claim, request.user)}, status=201)


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
    return JsonResponse({"claim": claim_payload(claim, request.user)})
