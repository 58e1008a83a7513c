"""What the JSON endpoints answer: claims, links and evidence as the annotation page's
scripts read them. Built from loaded rows; each builder that queries says how often."""

from collections import defaultdict
from collections.abc import Sequence

from django.db import connections
from django.db.models import F, QuerySet

from claims.errors import ClaimGone
from claims.extensions import count_link_dependents
from claims.models import UNSETTLED_STATES, Claim, ClaimLink, Evidence, EvidenceKind
from claims.services import ERROR_GONE, claim_date_suggestions, describe_dependents
from claims.sqltext import iso_utc_text, uuid_text
from corpus.models import Document
from corpus.services import current_revisions
from crosscheck.dates import FoundDate, partial_date_key, partial_date_label
from crosscheck.permissions import Visitor, editable_by
from crosscheck.text import shorten

_CLAIM_FIELDS = (
    "pk", "id_text", "start", "end", "statement", "created_by_id", "created_by__username",
    "created_text", "version", "event_year", "event_month", "event_day", "event_approximate",
    "anchor_state", "document_id",
)  # fmt: skip


def date_payload(
    year: int | None, month: int | None, day: int | None, approximate: bool
) -> dict | None:
    """A claim's event date as the page reads it ("key" as ``crosscheck.dates`` sorts it,
    "label" as people read it), or None when it has none."""
    if year is None:
        return None
    return {
        "year": year,
        "month": month,
        "day": day,
        "approximate": approximate,
        "key": partial_date_key(year, month, day, approximate),
        "label": partial_date_label(year, month, day, approximate),
    }


def suggestion_payload(found: FoundDate) -> dict:
    """A date found in a claim's text, offered as its event date."""
    payload = date_payload(found.year, found.month, found.day, found.approximate)
    assert payload is not None  # a found date always has its year
    return {**payload, "text": found.text}


def claims_payload(claims: QuerySet[Claim], user: Visitor) -> list[dict]:
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
        .values_list(*_CLAIM_FIELDS)
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
            "date": date_payload(year, month, day, approximate),
            "anchor_state": anchor_state,
            "document": document_id,
        }
        for (
            pk, public_id, start, end, statement, author_id, author, created_at, version,
            year, month, day, approximate, anchor_state, document_id,
        ) in rows
    ]  # fmt: skip


def claim_payload(claim: Claim, user: Visitor) -> dict:
    """One claim as ``claims_payload`` gives it; two queries. ``ClaimGone`` when it has
    been deleted since (an edit's answer, built after the edit committed)."""
    rows = claims_payload(Claim.objects.filter(pk=claim.pk), user)
    if not rows:
        raise ClaimGone(ERROR_GONE)
    return rows[0]


def side_payload(claim: Claim) -> dict:
    """A claim at the far end of a link, or found by the search. Expects ``document`` and
    its ``source`` loaded."""
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


def evidence_payloads(items: Sequence[Evidence], can_edit) -> list[dict]:
    """Each item as the page reads it, in order. Expects ``document`` and ``created_by``
    loaded (``Evidence.objects.listing()``). No query, or one when a passage was left on an
    older revision of its text (``left_behind``): the current revisions of all of them."""
    currents = current_revisions(item.document for item in items if left_behind(item))
    return [_evidence_payload(item, can_edit, currents) for item in items]


def evidence_payload(evidence: Evidence, can_edit) -> dict:
    """One item as ``evidence_payloads`` gives it: one query when it was left behind."""
    return evidence_payloads([evidence], can_edit)[0]


def left_behind(evidence: Evidence) -> bool:
    """Whether ``evidence`` is a passage the correction of its text could not carry over
    safely (needs a check, or orphaned): it still cites its old revision."""
    return evidence.kind == EvidenceKind.PASSAGE and evidence.anchor_state in UNSETTLED_STATES


def _evidence_payload(evidence: Evidence, can_edit, currents: dict[int, Document]) -> dict:
    document = evidence.document
    current = None
    if document is not None and left_behind(evidence):
        current = currents.get(document.pk)
        if current is not None and current.pk == document.pk:
            current = None  # no later revision: nowhere better to cite it from
    return {
        "id": str(evidence.public_id),
        "kind": evidence.kind,
        "kind_label": evidence.get_kind_display(),
        "bearing": evidence.bearing,
        "citation": evidence.citation,
        "url": evidence.url,
        "quote": evidence.quote,
        "document": document and {"id": document.pk, "title": document.title,
                                  "url": document.get_absolute_url(),
                                  "revision": document.revision},
        "start": evidence.start,
        "end": evidence.end,
        "anchor_state": evidence.anchor_state,
        "current_revision": current and {"id": current.pk, "revision": current.revision,
                                         "url": current.get_absolute_url()},
        "author": evidence.created_by.get_username(),
        "created": evidence.created_at.isoformat(),
        "version": evidence.version,
        "can_edit": can_edit(evidence.created_by_id),
    }  # fmt: skip


def link_direction(link: ClaimLink, claim: Claim) -> str:
    """A link's direction seen from ``claim``: "qualifies_other" or "qualified_by_other"
    for a qualifies link whose direction is recorded, else the stored "unknown" or "none"."""
    qualifier = link.qualifier
    if qualifier is None:
        return link.direction
    return "qualifies_other" if qualifier.pk == claim.pk else "qualified_by_other"


def link_payload(link: ClaimLink, claim: Claim, can_edit, evidence: list[dict]) -> dict:
    """A link seen from ``claim``: ``other`` is the claim at the far end. Expects the link
    loaded ``with_sides()``."""
    qualifier = link.qualifier
    return {
        "id": str(link.public_id),
        "relation": link.relation,
        "direction": link_direction(link, claim),
        "qualifier": qualifier and str(qualifier.public_id),
        "rationale": link.rationale,
        "review_state": link.get_review_state_display(),
        "author": link.created_by.get_username(),
        "created": link.created_at.isoformat(),
        "version": link.version,
        "can_edit": can_edit(link.created_by_id),
        "url": link.get_absolute_url(),
        "other": side_payload(link.other_side(claim)),
        "evidence": evidence,
    }


def claim_details(claim: Claim, user: Visitor) -> dict:
    """A claim with its links and the evidence on it and on them, and what deleting the
    claim or each link takes along, in the words of the delete's confirmation: four
    queries, one for each kind of row that apps above keep on links (its comments,
    ``claims.extensions``) when the claim has links, and one when a passage of evidence
    was left on an older revision (``evidence_payloads``)."""
    can_edit = editable_by(user)
    links = list(ClaimLink.objects.of_claim(claim).with_sides().order_by("created_at"))
    evidence = Evidence.objects.listing().attached_to(claims=[claim], links=links)
    on_claim: list[dict] = []
    on_link: defaultdict[int, list[dict]] = defaultdict(list)
    items = list(evidence)
    for item, payload in zip(items, evidence_payloads(items, can_edit), strict=True):
        (on_link[item.link_id] if item.link_id else on_claim).append(payload)
    # What the apps above keep on each link, by kind: the same counts as the confirmation.
    link_ids = [link.pk for link in links]
    above = count_link_dependents(ClaimLink.objects.filter(pk__in=link_ids)) if links else {}
    claim_deletes = {
        "links": len(links),
        "evidence": len(on_claim) + sum(len(items) for items in on_link.values()),
        **{name: sum(by_link.values()) for name, by_link in above.items()},
    }

    def link_details(link: ClaimLink) -> dict:
        deletes = {"evidence": len(on_link[link.pk])}
        deletes |= {name: by_link.get(link.pk, 0) for name, by_link in above.items()}
        payload = link_payload(link, claim, can_edit, on_link[link.pk])
        return payload | {"deletes": describe_dependents(deletes)}

    return {
        "claim": claim_payload(claim, user),
        "links": [link_details(link) for link in links],
        "evidence": on_claim,
        "deletes": describe_dependents(claim_deletes),
        "date_suggestions": [suggestion_payload(d) for d in claim_date_suggestions(claim)],
    }
