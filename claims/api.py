"""JSON endpoints the annotation page calls. Writes go through ``claims.services``."""

import re
import uuid
from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404

from claims.anchoring import shorten
from claims.filters import SEARCH_MAX_WORDS
from claims.models import Claim, ClaimLink, Evidence
from claims.search import claims_matching
from claims.services import (
    ClaimError,
    claim_create,
    claim_delete,
    claim_update,
    editable_by,
    evidence_add,
    evidence_delete,
    evidence_update,
    link_create,
    link_delete,
    link_update,
)
from claims.sqltext import iso_utc_text, uuid_text
from corpus.models import Document
from crosscheck.jsonapi import ApiError, json_endpoint, read_json

_PAYLOAD_FIELDS = (
    "pk", "id_text", "start", "end", "statement", "created_by_id", "created_by__username",
    "created_text", "version",
)  # fmt: skip


def claims_payload(claims: QuerySet[Claim], user: AbstractBaseUser) -> list[dict]:
    """What the page knows of each claim, in reading order. Two queries whatever the
    number of claims, and no model instances: a document may have thousands.

    No quote: the page holds the document's text and reads each quote from it at the
    claim's offsets (the service guarantees they agree). Quotes were a third of the
    1.1 MB the page carried for 2,000 claims."""
    # The id and time written as text by the database: converting 2,000 of each in Python
    # took PostgreSQL's driver and Django 20 ms.
    vendor = connections[claims.db].vendor
    rows = (
        claims.order_by("start", "end", "pk")
        .annotate(
            id_text=uuid_text(F("public_id"), vendor),
            created_text=iso_utc_text(F("created_at"), vendor),
        )
        .values_list(*_PAYLOAD_FIELDS)
    )
    topics: dict[int, list[str]] = defaultdict(list)
    # The claims as a subquery: a list of 2,000 ids took SQLite 15 ms to read, this 4 ms.
    tagged = Claim.topics.through.objects.filter(claim__in=claims.values("pk"))
    for claim_id, name in tagged.order_by("topic__name").values_list("claim_id", "topic__name"):
        topics[claim_id].append(name)
    can_edit = editable_by(user)
    return [
        {
            "id": public_id,
            "start": start,
            "end": end,
            "statement": statement,
            "topics": topics[pk],
            "author": author,
            "created": created_at,
            "version": version,
            "can_edit": can_edit(author_id),
        }
        for (
            pk, public_id, start, end, statement, author_id, author, created_at, version,
        ) in rows
    ]  # fmt: skip


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
        return JsonResponse(claim_details(claim, request.user))
    data = read_json(request)
    if request.method == "DELETE":
        _service_call(
            claim_delete,
            claim=claim,
            version=data.get("version"),
            confirm=data.get("confirm", False),
            user=request.user,
        )
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


# --- Links and evidence ------------------------------------------------------------------

SEARCH_LIMIT = 10
SEARCH_MIN_LENGTH = 2
# A longer word is cut to its beginning: SQLite refuses LIKE patterns over 50,000 bytes.
SEARCH_MAX_WORD_LENGTH = 200


def _side(claim: Claim) -> dict:
    document = claim.document
    return {
        "id": str(claim.public_id),
        "quote": shorten(claim.quote, 300),
        "statement": claim.statement,
        "source": document.source.name,
        "document": document.title,
        "document_id": document.pk,
        "url": claim.get_absolute_url(),
    }


def evidence_payload(evidence: Evidence, can_edit) -> dict:
    """Expects ``document`` and ``created_by`` loaded."""
    document = evidence.document
    return {
        "id": str(evidence.public_id),
        "kind": evidence.kind,
        "kind_label": evidence.get_kind_display(),
        "bearing": evidence.bearing,
        "citation": evidence.citation,
        "url": evidence.url,
        "quote": evidence.quote,
        "document": document and {"id": document.pk, "title": document.title,
                                  "url": document.get_absolute_url()},
        "start": evidence.start,
        "end": evidence.end,
        "author": evidence.created_by.get_username(),
        "created": evidence.created_at.isoformat(),
        "version": evidence.version,
        "can_edit": can_edit(evidence.created_by_id),
    }  # fmt: skip


def _evidence_queryset():
    return Evidence.objects.select_related("document", "created_by").defer("document__text")


def link_payload(link: ClaimLink, claim: Claim, can_edit, evidence: list[dict]) -> dict:
    """A link seen from ``claim``: ``other`` is the claim at the far end."""
    return {
        "id": str(link.public_id),
        "relation": link.relation,
        "rationale": link.rationale,
        "review_state": link.get_review_state_display(),
        "author": link.created_by.get_username(),
        "created": link.created_at.isoformat(),
        "version": link.version,
        "can_edit": can_edit(link.created_by_id),
        "url": link.get_absolute_url(),
        "other": _side(link.other_side(claim)),
        "evidence": evidence,
    }


def claim_details(claim: Claim, user: AbstractBaseUser) -> dict:
    """A claim with its links and the evidence on it and on them; four queries."""
    can_edit = editable_by(user)
    links = list(ClaimLink.objects.of_claim(claim).with_sides().order_by("created_at"))
    evidence = _evidence_queryset().filter(Q(claim=claim) | Q(link__in=links))
    on_claim, on_link = [], defaultdict(list)
    for item in evidence:
        payload = evidence_payload(item, can_edit)
        (on_link[item.link_id] if item.link_id else on_claim).append(payload)
    return {
        "claim": claim_payload(claim, user),
        "links": [link_payload(link, claim, can_edit, on_link[link.pk]) for link in links],
        "evidence": on_claim,
    }


@json_endpoint("GET")
def claim_search(request: HttpRequest) -> JsonResponse:
    """Claims whose quote or statement contains every word typed, newest first; the
    claims of ``exclude_document`` (the one being annotated) left out."""
    # NUL cannot be stored, so no claim contains it; PostgreSQL refuses it even in a query.
    words = request.GET.get("q", "").replace("\x00", "").split()[:SEARCH_MAX_WORDS]
    words = [word[:SEARCH_MAX_WORD_LENGTH] for word in words]
    if len("".join(words)) < SEARCH_MIN_LENGTH:
        return JsonResponse({"results": []})
    claims = Claim.objects.select_related("document__source").defer("document__text")
    claims = claims_matching(claims, words, newest_first=True)
    exclude = request.GET.get("exclude_document", "")
    if re.fullmatch(r"[0-9]{1,18}", exclude):  # anything else is not a document's number
        claims = claims.exclude(document_id=int(exclude))
    results = [_side(claim) for claim in claims[:SEARCH_LIMIT]]
    return JsonResponse({"results": results})


def _get_link(public_id) -> ClaimLink:
    return get_object_or_404(ClaimLink.objects.with_sides(), public_id=public_id)


def _get_claim_by_id(value: object, field: str) -> Claim:
    try:
        return Claim.objects.select_related("document").get(public_id=uuid.UUID(str(value)))
    except (ValueError, Claim.DoesNotExist):
        raise ApiError(ERROR_NO_SUCH_CLAIM, 400, field) from None


ERROR_NO_SUCH_CLAIM = "Choose a claim from the list; the one given does not exist."
ERROR_NO_SUCH_DOCUMENT = "The passage's document does not exist."


@json_endpoint("POST")
def claim_links(request: HttpRequest, public_id) -> JsonResponse:
    claim = _get_claim(public_id)
    data = read_json(request)
    link = _service_call(
        link_create,
        claim=claim,
        other=_get_claim_by_id(data.get("other"), "other"),
        relation=data.get("relation"),
        rationale=data.get("rationale"),
        user=request.user,
    )
    link = _get_link(link.public_id)
    return JsonResponse({"link": link_payload(link, claim, editable_by(request.user), [])},
                        status=201)  # fmt: skip


@json_endpoint("PATCH", "DELETE")
def link_detail(request: HttpRequest, public_id) -> JsonResponse:
    link = _get_link(public_id)
    data = read_json(request)
    if request.method == "DELETE":
        _service_call(link_delete, link=link, version=data.get("version"),
                      confirm=data.get("confirm", False), user=request.user)  # fmt: skip
        return JsonResponse({"deleted": str(link.public_id)})
    _service_call(
        link_update,
        link=link,
        relation=data.get("relation", link.relation),
        rationale=data.get("rationale", link.rationale),
        version=data.get("version"),
        user=request.user,
    )
    return JsonResponse({"link": link_payload(link, link.left, editable_by(request.user), [])})


def _add_evidence(request: HttpRequest, **target) -> JsonResponse:
    data = read_json(request)
    document = None
    if data.get("kind") == "passage":
        document_id = data.get("document")
        if isinstance(document_id, bool) or not isinstance(document_id, int):
            raise ApiError(ERROR_NO_SUCH_DOCUMENT, 400, "document")
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            raise ApiError(ERROR_NO_SUCH_DOCUMENT, 400, "document")
    evidence = _service_call(
        evidence_add,
        kind=data.get("kind"),
        bearing=data.get("bearing"),
        citation=data.get("citation", ""),
        url=data.get("url", ""),
        quote=data.get("quote", ""),
        document=document,
        start=data.get("start"),
        end=data.get("end"),
        user=request.user,
        **target,
    )
    evidence = _evidence_queryset().get(pk=evidence.pk)
    return JsonResponse({"evidence": evidence_payload(evidence, editable_by(request.user))},
                        status=201)  # fmt: skip


@json_endpoint("POST")
def claim_evidence(request: HttpRequest, public_id) -> JsonResponse:
    return _add_evidence(request, claim=_get_claim(public_id))


@json_endpoint("POST")
def link_evidence(request: HttpRequest, public_id) -> JsonResponse:
    return _add_evidence(request, link=_get_link(public_id))


@json_endpoint("PATCH", "DELETE")
def evidence_detail(request: HttpRequest, public_id) -> JsonResponse:
    evidence = get_object_or_404(_evidence_queryset(), public_id=public_id)
    data = read_json(request)
    if request.method == "DELETE":
        _service_call(evidence_delete, evidence=evidence, version=data.get("version"),
                      user=request.user)  # fmt: skip
        return JsonResponse({"deleted": str(evidence.public_id)})
    _service_call(evidence_update, evidence=evidence, bearing=data.get("bearing"),
                  version=data.get("version"), user=request.user)  # fmt: skip
    return JsonResponse({"evidence": evidence_payload(evidence, editable_by(request.user))})
