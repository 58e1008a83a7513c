"""JSON endpoints the annotation page calls, described for the OpenAPI schema
(``crosscheck.api``) on a django-ninja router. Writes go through ``claims.services``; what
they answer is built in ``claims.payloads`` and described in ``claims.schemas``; refusals
(``ServiceError``, ``Http404``) are answered by ``json_endpoint``, which every path is
served through (``crosscheck.api.endpoint_urls``).

Each view reads its JSON body itself (``read_json``) and hands the values to the
services, which check them; the answers are the payloads' own JSON, not re-validated
(the annotation page loads thousands of claims). The schemathesis run checks both against
the description."""

import re
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from claims import schemas
from claims.errors import ClaimError
from claims.filters import SEARCH_MAX_WORDS
from claims.models import Claim, ClaimLink, Evidence
from claims.payloads import (
    claim_details,
    claim_payload,
    claims_payload,
    evidence_payload,
    link_payload,
    side_payload,
)
from claims.search import claims_matching
from claims.services import (
    KEEP_DATE,
    claim_create,
    claim_delete,
    claim_update,
    evidence_add,
    evidence_delete,
    evidence_update,
    link_create,
    link_delete,
    link_update,
)
from corpus.models import Document
from crosscheck.jsonapi import answers, json_body, read_json
from crosscheck.permissions import editable_by

router = Router(tags=["claims"])

SEARCH_LIMIT = 10
SEARCH_MIN_LENGTH = 2
# A longer word is cut to its beginning: SQLite refuses LIKE patterns over 50,000 bytes.
SEARCH_MAX_WORD_LENGTH = 200

ERROR_NO_SUCH_CLAIM = "Choose a claim from the list; the one given does not exist."
ERROR_NO_SUCH_DOCUMENT = "The passage's document does not exist."
ERROR_FIELD_TYPE = "“{field}” must be {expected}, or left out."

# The evidence fields each kind reads; the services check those. Another field given with
# the wrong type would be dropped without a word (say a number as a web page's title), so
# it is refused: the body must be what the schema describes, whatever the kind.
_EVIDENCE_READS = {
    "citation": {"citation"},
    "url": {"url"},
    "quote": {"quote"},
    "passage": {"document", "start", "end", "quote"},
}
_EVIDENCE_TYPES = {
    "citation": (str, "text"),
    "url": (str, "text"),
    "quote": (str, "text"),
    "document": (int, "a document's number"),
    "start": (int, "a whole number"),
    "end": (int, "a whole number"),
}


def _get_claim(public_id) -> Claim:
    return get_object_or_404(Claim.objects.select_related("document"), public_id=public_id)


def _get_link(public_id) -> ClaimLink:
    return get_object_or_404(ClaimLink.objects.with_sides(), public_id=public_id)


def _other_claim(value: object) -> Claim:
    """The claim a new link goes to, by the public id the request gives as ``other``."""
    try:
        return Claim.objects.select_related("document").get(public_id=uuid.UUID(str(value)))
    except (ValueError, Claim.DoesNotExist):
        raise ClaimError(ERROR_NO_SUCH_CLAIM, "other") from None


def _check_unread_fields(data: dict) -> None:
    """Refuse evidence fields of the wrong type that the kind does not read (null is the
    same as left out). An unknown kind is the service's to refuse."""
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in _EVIDENCE_READS:
        return
    reads = _EVIDENCE_READS[kind]
    for field, (json_type, expected) in _EVIDENCE_TYPES.items():
        value = data.get(field)
        if field in reads or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, json_type):
            message = ERROR_FIELD_TYPE.format(field=field, expected=expected)
            raise ClaimError(message, field)


def _passage_document(data: dict) -> Document | None:
    """The stored document a passage cites, for passage evidence; None for other kinds."""
    if data.get("kind") != "passage":
        return None
    document_id = data.get("document")
    if isinstance(document_id, bool) or not isinstance(document_id, int):
        raise ClaimError(ERROR_NO_SUCH_DOCUMENT, "document")
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise ClaimError(ERROR_NO_SUCH_DOCUMENT, "document")
    return document


# --- Claims ------------------------------------------------------------------------------

_DOCUMENT_CLAIMS = "/api/documents/{int:document_id}/claims/"
_CLAIM = "/api/claims/{uuid:public_id}/"
_LINK = "/api/links/{uuid:public_id}/"
_EVIDENCE = "/api/evidence/{uuid:public_id}/"


@router.get(
    _DOCUMENT_CLAIMS,
    url_name="api-document-claims",
    operation_id="listDocumentClaims",
    summary="A document's claims",
    response=answers({200: schemas.ClaimList}, 404),
)
def document_claims(request: HttpRequest, document_id: int) -> JsonResponse:
    document = get_object_or_404(Document.objects.defer("text"), pk=document_id)
    return JsonResponse({"claims": claims_payload(document.claims.all(), request.user)})


@router.post(
    _DOCUMENT_CLAIMS,
    url_name="api-document-claims",
    operation_id="createClaim",
    summary="Create a claim on a passage of the document (annotators and editors)",
    response=answers({201: schemas.OneClaim}, 400, 403, 404, 413),
    openapi_extra=json_body(schemas.ClaimCreate),
)
def document_claim_create(request: HttpRequest, document_id: int) -> JsonResponse:
    data = read_json(request)
    claim = claim_create(
        document=get_object_or_404(Document, pk=document_id),
        start=data.get("start"),
        end=data.get("end"),
        quote=data.get("quote"),
        statement=data.get("statement"),
        topics=data.get("topics"),
        user=request.user,
    )
    return JsonResponse({"claim": claim_payload(claim, request.user)}, status=201)


@router.get(
    _CLAIM,
    url_name="api-claim",
    operation_id="getClaim",
    summary="A claim with its links and the evidence on it and on them",
    response=answers({200: schemas.ClaimDetails}, 404),
)
def claim_detail(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    return JsonResponse(claim_details(_get_claim(public_id), request.user))


@router.patch(
    _CLAIM,
    url_name="api-claim",
    operation_id="editClaim",
    summary="Edit a claim's statement, topics and event date (its author or an editor)",
    response=answers({200: schemas.OneClaim}, 400, 403, 404, 409, 413),
    openapi_extra=json_body(schemas.ClaimEdit),
)
def claim_edit(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    claim = _get_claim(public_id)
    data = read_json(request)
    claim_update(
        claim=claim,
        statement=data.get("statement", claim.statement),
        topics=data.get("topics", [topic.name for topic in claim.topics.all()]),
        version=data.get("version"),
        user=request.user,
        date=data.get("date", KEEP_DATE),
    )
    return JsonResponse({"claim": claim_payload(claim, request.user)})


@router.delete(
    _CLAIM,
    url_name="api-claim",
    operation_id="deleteClaim",
    summary="Delete a claim, with its links and evidence when confirmed",
    response=answers({200: schemas.Deleted}, 400, 403, 404, 409, 413),
    openapi_extra=json_body(schemas.ClaimDelete),
)
def claim_remove(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    claim = _get_claim(public_id)
    data = read_json(request)
    claim_delete(claim=claim, version=data.get("version"),
                 confirm=data.get("confirm", False), user=request.user)  # fmt: skip
    return JsonResponse({"deleted": str(claim.public_id)})


@router.get(
    "/api/claims/search/",
    url_name="api-claim-search",
    operation_id="searchClaims",
    summary="Claims whose quote or statement contains every word typed",
    response=answers({200: schemas.SearchResults}),
)
def claim_search(
    request: HttpRequest,
    q: str = Query("", description="Words to find (fewer than 2 letters in all: none)."),
    exclude_document: str = Query(
        "", description="A document's id: its claims are left out; anything else is ignored."
    ),
) -> JsonResponse:
    """Claims whose quote or statement contains every word typed, newest first; the
    claims of ``exclude_document`` (the one being annotated) left out."""
    # NUL cannot be stored, so no claim contains it; PostgreSQL refuses it even in a query.
    words = q.replace("\x00", "").split()[:SEARCH_MAX_WORDS]
    words = [word[:SEARCH_MAX_WORD_LENGTH] for word in words]
    if len("".join(words)) < SEARCH_MIN_LENGTH:
        return JsonResponse({"results": []})
    claims: QuerySet[Claim] = Claim.objects.select_related("document__source")
    claims = claims_matching(claims.defer("document__text"), words, newest_first=True)
    if re.fullmatch(r"[0-9]{1,18}", exclude_document):  # anything else is no document's id
        claims = claims.exclude(document_id=int(exclude_document))
    return JsonResponse({"results": [side_payload(claim) for claim in claims[:SEARCH_LIMIT]]})


# --- Links -------------------------------------------------------------------------------


@router.post(
    "/api/claims/{uuid:public_id}/links/",
    url_name="api-claim-links",
    operation_id="createLink",
    summary="Link the claim to a claim of another document (annotators and editors)",
    response=answers({201: schemas.OneLink}, 400, 403, 404, 413),
    openapi_extra=json_body(schemas.LinkCreate),
)
def claim_links(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    claim = _get_claim(public_id)
    data = read_json(request)
    link = link_create(
        claim=claim,
        other=_other_claim(data.get("other")),
        relation=data.get("relation"),
        rationale=data.get("rationale"),
        qualifier=data.get("qualifier"),
        user=request.user,
    )
    link = _get_link(link.public_id)
    return JsonResponse({"link": link_payload(link, claim, editable_by(request.user), [])},
                        status=201)  # fmt: skip


@router.patch(
    _LINK,
    url_name="api-link",
    operation_id="editLink",
    summary="Edit a link's relation and rationale (its author or an editor)",
    response=answers({200: schemas.OneLink}, 400, 403, 404, 409, 413),
    openapi_extra=json_body(schemas.LinkEdit),
)
def link_edit(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    link = _get_link(public_id)
    data = read_json(request)
    link_update(
        link=link,
        relation=data.get("relation", link.relation),
        rationale=data.get("rationale", link.rationale),
        version=data.get("version"),
        qualifier=data.get("qualifier"),
        user=request.user,
    )
    return JsonResponse({"link": link_payload(link, link.left, editable_by(request.user), [])})


@router.delete(
    _LINK,
    url_name="api-link",
    operation_id="deleteLink",
    summary="Delete a link, with its evidence when confirmed",
    response=answers({200: schemas.Deleted}, 400, 403, 404, 409, 413),
    openapi_extra=json_body(schemas.LinkDelete),
)
def link_remove(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    link = _get_link(public_id)
    data = read_json(request)
    link_delete(link=link, version=data.get("version"),
                confirm=data.get("confirm", False), user=request.user)  # fmt: skip
    return JsonResponse({"deleted": str(link.public_id)})


# --- Evidence ----------------------------------------------------------------------------


def _add_evidence(request: HttpRequest, **target) -> JsonResponse:
    data = read_json(request)
    _check_unread_fields(data)
    evidence = evidence_add(
        kind=data.get("kind"),
        bearing=data.get("bearing"),
        citation=data.get("citation", ""),
        url=data.get("url", ""),
        quote=data.get("quote", ""),
        document=_passage_document(data),
        start=data.get("start"),
        end=data.get("end"),
        user=request.user,
        **target,
    )
    evidence = Evidence.objects.listing().get(pk=evidence.pk)
    return JsonResponse({"evidence": evidence_payload(evidence, editable_by(request.user))},
                        status=201)  # fmt: skip


_ADD_EVIDENCE: dict[str, Any] = {
    "response": answers({201: schemas.OneEvidence}, 400, 403, 404, 413),
    "openapi_extra": json_body(schemas.EvidenceCreate),
}


@router.post(
    "/api/claims/{uuid:public_id}/evidence/",
    url_name="api-claim-evidence",
    operation_id="addClaimEvidence",
    summary="Add evidence to the claim (annotators and editors)",
    **_ADD_EVIDENCE,
)
def claim_evidence(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    return _add_evidence(request, claim=_get_claim(public_id))


@router.post(
    "/api/links/{uuid:public_id}/evidence/",
    url_name="api-link-evidence",
    operation_id="addLinkEvidence",
    summary="Add evidence to the link (annotators and editors)",
    **_ADD_EVIDENCE,
)
def link_evidence(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    return _add_evidence(request, link=_get_link(public_id))


def _get_evidence(public_id) -> Evidence:
    return get_object_or_404(Evidence.objects.listing(), public_id=public_id)


@router.patch(
    _EVIDENCE,
    url_name="api-evidence",
    operation_id="editEvidence",
    summary="Change whether evidence supports or refutes (its author or an editor)",
    response=answers({200: schemas.OneEvidence}, 400, 403, 404, 409, 413),
    openapi_extra=json_body(schemas.EvidenceEdit),
)
def evidence_edit(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    evidence = _get_evidence(public_id)
    data = read_json(request)
    evidence_update(evidence=evidence, bearing=data.get("bearing"),
                    version=data.get("version"), user=request.user)  # fmt: skip
    return JsonResponse({"evidence": evidence_payload(evidence, editable_by(request.user))})


@router.delete(
    _EVIDENCE,
    url_name="api-evidence",
    operation_id="deleteEvidence",
    summary="Remove evidence (its author or an editor)",
    response=answers({200: schemas.Deleted}, 400, 403, 404, 409, 413),
    openapi_extra=json_body(schemas.EvidenceDelete),
)
def evidence_remove(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    evidence = _get_evidence(public_id)
    data = read_json(request)
    evidence_delete(evidence=evidence, version=data.get("version"), user=request.user)
    return JsonResponse({"deleted": str(evidence.public_id)})
