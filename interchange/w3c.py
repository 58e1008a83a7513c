"""Claims, claim links and evidence as W3C Web Annotations (JSON-LD), following the Web
Annotation Data Model and Vocabulary (W3C Recommendations, 23 February 2017), and the
collections and pages the Web Annotation Protocol serves them in.

- A **claim** is an Annotation (motivation ``describing``) whose target is a
  SpecificResource on its document with a TextQuoteSelector (exact, prefix, suffix) and a
  TextPositionSelector (start and end in Unicode code points, as stored); its bodies are
  the statement (a TextualBody, purpose ``describing``) and one TextualBody per topic
  (purpose ``tagging``).
- A **claim link** is an Annotation (motivation ``linking``) whose targets are its two
  claims' annotations; its bodies give the relation (purpose ``classifying``, with the
  direction of *qualifies*) and the rationale (purpose ``describing``).
- **Evidence** is an Annotation on its claim's or link's annotation, motivated
  ``assessing`` and the Crosscheck ``supporting`` or ``refuting`` (narrower than
  ``assessing``); its body is the citation, the web address, the quote, or the passage of a
  stored document (a SpecificResource with the same two selectors as a claim).

A document is identified by its address in this Crosscheck, with ``urn:sha256:<checksum>``
as its ``canonical`` IRI (the same in every Crosscheck) and its source's web address as
``via`` when the source has one.

The serializers take a ``base`` (scheme and host, e.g. "https://crosscheck.example.org")
and the objects as the ``*_rows`` querysets load them: one query per chunk of claims (and
one for their topics), links or evidence, without any document's text."""

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from claims.models import Claim, ClaimLink, Direction, Evidence, Topic
from corpus.models import Document
from interchange.context import ANNO_CONTEXT, CONTEXT_PATH

PAGE_SIZE = 100
CHUNK_SIZE = 500
CONSTRAINED_BY = "http://www.w3.org/TR/annotation-protocol/"

Json = dict[str, Any]


def _template(name: str, **kwargs: object) -> tuple[str, str]:
    """The path of URL ``name`` split around its one argument (filled in by ``kwargs``
    with a placeholder), so that 100,000 IRIs cost no ``reverse()`` each."""
    placeholder = next(iter(kwargs.values()))
    path = reverse(name, kwargs=kwargs)
    head, _, tail = path.partition(str(placeholder))
    return head, tail


class Iris:
    """The IRIs of one export, all on ``base`` and all resolvable in the app."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        zero = uuid.UUID(int=0)
        self._claim = _template("interchange:claim", public_id=zero)
        self._link = _template("interchange:link", public_id=zero)
        self._evidence = _template("interchange:evidence", public_id=zero)
        self._document = _template("claims:document", pk=987654321)
        self._document_container = _template("interchange:document-container", pk=987654321)
        self.context = [ANNO_CONTEXT, f"{self.base}/{CONTEXT_PATH}"]
        self.container = f"{self.base}{reverse('interchange:container')}"
        self.download = f"{self.base}{reverse('interchange:download')}"

    def _fill(self, template: tuple[str, str], value: object) -> str:
        return f"{self.base}{template[0]}{value}{template[1]}"

    def claim(self, public_id: uuid.UUID) -> str:
        return self._fill(self._claim, public_id)

    def link(self, public_id: uuid.UUID) -> str:
        return self._fill(self._link, public_id)

    def evidence(self, public_id: uuid.UUID) -> str:
        return self._fill(self._evidence, public_id)

    def document(self, pk: int) -> str:
        return self._fill(self._document, pk)

    def document_container(self, pk: int) -> str:
        return self._fill(self._document_container, pk)


# --- the annotations ---------------------------------------------------------------------


def _moment(value: datetime) -> str:
    """An xsd:dateTime in UTC with its time zone (Data Model §3.3.1: SHOULD have one)."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _lifecycle(thing: Claim | ClaimLink | Evidence) -> Json:
    """creator, created and, once it has been changed, modified (Data Model §3.3.1)."""
    user = thing.created_by
    creator = {"type": "Person", "name": user.get_full_name() or user.username}
    creator["nickname"] = user.username
    out: Json = {"creator": creator, "created": _moment(thing.created_at)}
    if thing.version > 1 or thing.updated_at - thing.created_at > timedelta(seconds=1):
        out["modified"] = _moment(thing.updated_at)
    return out


def _text_body(value: str, purpose: str | None = None, **more: object) -> Json:
    body: Json = {"type": "TextualBody", "value": value, "format": "text/plain"}
    if purpose:
        body["purpose"] = purpose
    return body | more


def _document_resource(iris: Iris, document: Document) -> Json:
    """The document as the source of a SpecificResource: its address here, its checksum
    as the canonical IRI, and where its source publishes (``via``)."""
    resource: Json = {
        "id": iris.document(document.pk),
        "type": "Text",
        "format": "text/plain",
        "language": document.language,
        "canonical": f"urn:sha256:{document.checksum}",
    }
    if document.source.url:
        resource["via"] = document.source.url
    return resource


def _anchored(iris: Iris, document: Document, thing: Claim | Evidence) -> Json:
    """A SpecificResource on ``document`` with both selectors (Data Model §4.2.4, §4.2.5)."""
    quote = {"type": "TextQuoteSelector", "exact": thing.quote}
    if thing.prefix:
        quote["prefix"] = thing.prefix
    if thing.suffix:
        quote["suffix"] = thing.suffix
    position = {"type": "TextPositionSelector", "start": thing.start, "end": thing.end}
    return {
        "type": "SpecificResource",
        "source": _document_resource(iris, document),
        "selector": [quote, position],
    }


def _event_date(claim: Claim) -> Json:
    if claim.event_year is None:
        return {}
    parts = [f"{claim.event_year:04d}"]
    parts += [f"{part:02d}" for part in (claim.event_month, claim.event_day) if part]
    return {"eventDate": "-".join(parts), "eventDateApproximate": claim.event_approximate}


def claim_annotation(claim: Claim, iris: Iris) -> Json:
    """A claim as an Annotation (without ``@context``: add ``iris.context`` when it stands
    alone). Reads the claim's document, source, author and topics, loaded by
    ``claim_rows``."""
    bodies = [_text_body(claim.statement, "describing")]
    bodies += [_text_body(topic.name, "tagging") for topic in claim.topics.all()]
    return {
        "id": iris.claim(claim.public_id),
        "type": "Annotation",
        "motivation": "describing",
        "body": bodies,
        "target": _anchored(iris, claim.document, claim),
        **_lifecycle(claim),
        **_event_date(claim),
    }


def link_annotation(link: ClaimLink, iris: Iris) -> Json:
    """A claim link as an Annotation: its targets are its two claims' annotations."""
    left, right = iris.claim(link.left.public_id), iris.claim(link.right.public_id)
    relation: Json = {"relation": link.relation, "direction": link.direction}
    if link.direction == Direction.LEFT_QUALIFIES_RIGHT:
        relation |= {"qualifier": left, "qualified": right}
    elif link.direction == Direction.RIGHT_QUALIFIES_LEFT:
        relation |= {"qualifier": right, "qualified": left}
    bodies = [_text_body(link.relation, "classifying", **relation)]
    bodies.append(_text_body(link.rationale, "describing"))
    return {
        "id": iris.link(link.public_id),
        "type": "Annotation",
        "motivation": "linking",
        "body": bodies,
        "target": [left, right],
        "reviewState": link.review_state,
        **_lifecycle(link),
    }


def _evidence_body(evidence: Evidence, iris: Iris) -> Json:
    if evidence.kind == "passage":  # a passage has its document (evidence_passage_is_anchored)
        assert evidence.document is not None
        return _anchored(iris, evidence.document, evidence)
    cited = {"citation": evidence.citation} if evidence.citation else {}
    if evidence.kind == "url":
        return {"id": evidence.url} | cited
    if evidence.kind == "quote":
        return _text_body(evidence.quote, **cited)
    return _text_body(evidence.citation)


def evidence_annotation(evidence: Evidence, iris: Iris) -> Json:
    """Evidence as an Annotation on its claim's or its link's annotation."""
    # On a claim or on a link, never both (evidence_on_claim_or_link).
    if evidence.claim is not None:
        target = iris.claim(evidence.claim.public_id)
    else:
        assert evidence.link is not None
        target = iris.link(evidence.link.public_id)
    return {
        "id": iris.evidence(evidence.public_id),
        "type": "Annotation",
        "motivation": ["assessing", "supporting" if evidence.bearing == "supports" else "refuting"],
        "body": _evidence_body(evidence, iris),
        "target": target,
        "bearing": evidence.bearing,
        "evidenceKind": evidence.kind,
        **_lifecycle(evidence),
    }


# --- what the serializers read -----------------------------------------------------------

_AUTHOR = ("created_by__username", "created_by__first_name", "created_by__last_name")
_LIFECYCLE = ("public_id", "created_at", "updated_at", "version", "created_by", *_AUTHOR)
_DOCUMENT = ("id", "checksum", "language", "source__url")


def _document_fields(path: str) -> tuple[str, ...]:
    return (path, *(f"{path}__{field}" for field in _DOCUMENT))


def claim_rows(claims: QuerySet) -> QuerySet:
    """What ``claim_annotation`` reads: one query, and one for the topics of each chunk."""
    fields = ("start", "end", "quote", "prefix", "suffix", "statement", "event_year",
              "event_month", "event_day", "event_approximate")  # fmt: skip
    return (
        claims.select_related("document__source", "created_by")
        .only(*_LIFECYCLE, *fields, *_document_fields("document"))
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("name")))
    )


def link_rows(links: QuerySet) -> QuerySet:
    """What ``link_annotation`` reads: one query."""
    fields = ("relation", "direction", "rationale", "review_state", "left", "right",
              "left__public_id", "right__public_id")  # fmt: skip
    return links.select_related("left", "right", "created_by").only(*_LIFECYCLE, *fields)


def evidence_rows(evidence: QuerySet) -> QuerySet:
    """What ``evidence_annotation`` reads: one query."""
    fields = ("kind", "bearing", "citation", "url", "quote", "start", "end", "prefix", "suffix",
              "claim", "claim__public_id", "link", "link__public_id")  # fmt: skip
    return evidence.select_related(
        "claim", "link", "document__source", "created_by"
    ).only(*_LIFECYCLE, *fields, *_document_fields("document"))  # fmt: skip


# --- containers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One kind of annotation in a container: its rows, how they are loaded and written,
    and the IRI of each."""

    queryset: QuerySet
    rows: Any  # (QuerySet) -> QuerySet
    write: Any  # (object, Iris) -> Json
    iri: Any  # (Iris, uuid) -> str


@dataclass(frozen=True)
class Scope:
    """What a container holds, in its order: claims, then links, then evidence, each by
    id. The corpus container holds everything; a document's holds its claims, the links
    with a claim on it, and the evidence on those claims and links."""

    label: str
    document: Document | None = None

    def container(self, iris: Iris) -> str:
        if self.document is None:
            return iris.container
        return iris.document_container(self.document.pk)

    def parts(self) -> list[Part]:
        claims, links = Claim.objects.all(), ClaimLink.objects.all()
        evidence = Evidence.objects.all()
        if self.document is not None:
            on = self.document
            claims = claims.filter(document=on)
            links = links.filter(Q(left__document=on) | Q(right__document=on))
            evidence = evidence.filter(
                Q(claim__document=on) | Q(link__left__document=on) | Q(link__right__document=on)
            )
        return [
            Part(claims, claim_rows, claim_annotation, Iris.claim),
            Part(links, link_rows, link_annotation, Iris.link),
            Part(evidence, evidence_rows, evidence_annotation, Iris.evidence),
        ]


def corpus_scope() -> Scope:
    return Scope(label="The annotated corpus of this Crosscheck")


def document_scope(document: Document) -> Scope:
    return Scope(label=f"Annotations of “{document.title}”", document=document)


def _slices(counts: list[int], start: int, stop: int) -> Iterator[tuple[int, int, int]]:
    """For the container positions ``start`` to ``stop`` (exclusive): which part, and
    which of its rows (from, to)."""
    for index, count in enumerate(counts):
        if start < count and stop > 0:
            yield index, max(start, 0), min(stop, count)
        start, stop = start - count, stop - count


def page_items(
    scope: Scope, iris: Iris, counts: list[int], start: int, stop: int, *, iris_only: bool
) -> Iterator[Json | str]:
    """The annotations (or with ``iris_only`` their IRIs) at positions ``start`` to
    ``stop``: per part, the ids of the slice from the id index, then those rows."""
    parts = scope.parts()
    for index, first, last in _slices(counts, start, stop):
        part = parts[index]
        ordered = part.queryset.order_by("pk")
        if iris_only:
            for public_id in ordered.values_list("public_id", flat=True)[first:last]:
                yield part.iri(iris, public_id)
            continue
        ids = list(ordered.values_list("pk", flat=True)[first:last])
        for row in part.rows(part.queryset.model.objects.filter(pk__in=ids).order_by("pk")):
            yield part.write(row, iris)


def all_items(scope: Scope, iris: Iris) -> Iterator[Json]:
    """Every annotation of the container in its order, read in chunks of ``CHUNK_SIZE``
    (from one cursor per part, server-side on PostgreSQL): memory stays flat."""
    for part in scope.parts():
        for row in part.rows(part.queryset.order_by("pk")).iterator(chunk_size=CHUNK_SIZE):
            yield part.write(row, iris)


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def collection_file(scope: Scope, iris: Iris, collection_id: str) -> Iterator[str]:
    """The whole container as one JSON-LD file: an AnnotationCollection whose first (and
    last) page, embedded, holds every annotation (Data Model §5: Collections). Streamed;
    ``total`` is written after the items, counted as they go, so it is exact."""
    page_id = f"{collection_id}#page-0"
    head = {
        "@context": iris.context,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": scope.label,
    }
    yield dumps(head)[:-1]
    items = all_items(scope, iris)
    first = next(items, None)
    if first is None:  # no annotation: no page (§5.1: first only when there are any)
        yield ',"total":0}'
        return
    page = {"id": page_id, "type": "AnnotationPage", "partOf": collection_id, "startIndex": 0}
    yield f',"first":{dumps(page)[:-1]},"items":[{dumps(first)}'
    total = 1
    batch: list[str] = []
    for item in items:
        batch.append(dumps(item))
        total += 1
        if len(batch) == CHUNK_SIZE:
            yield "," + ",".join(batch)
            batch = []
    if batch:
        yield "," + ",".join(batch)
    yield f']}},"last":{dumps(page_id)},"total":{total}}}'


def write_json(items: Iterable[str]) -> Iterator[bytes]:
    for text in items:
        yield text.encode("utf-8")
