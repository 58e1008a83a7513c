"""Importing annotation files onto one document: W3C Web Annotations (one, a list, an
AnnotationCollection or AnnotationPage with its items embedded) and the Hypothesis client's
export (``{"export_date", "export_userid", "client_version", "annotations": [...]}``).

Reading a file gives a plan (``import_plan``): one row per annotation saying what would
happen to it and why —

- **create**: its quote is in the document at the position it gives; a claim is made there.
- **reanchor**: its quote was found elsewhere, or it gives no position
  (``claims.reanchoring.Locator``: exact or confidently moved only); a claim is made there.
- **exists**: imported before (the same annotation id, or the same content for one without
  an id), or a claim with this passage and statement is there already; nothing is made.
- **refuse**: with the reason — its quote is not found or found only approximately (never
  anchored to a wrong place), no statement (a highlight: a claim needs one, and the quote
  is not one), a reply or a page note (no passage of its own), a link whose claims are
  neither in the file nor imported yet.

A claim annotation's statement is its ``describing`` TextualBody (Hypothesis: its text), its
topics are its ``tagging`` bodies (Hypothesis: its tags), its event date its ``eventDate``
("1934", "1934-12" or "1934-12-01") and ``eventDateApproximate`` (true or false), checked as
``claims.services.clean_claim_date`` checks a date: one it refuses (month 13, 30 February) or
one not written so refuses the annotation. ``eventDateApproximate`` true without an
``eventDate`` is refused too, as the services refuse "about" without a year; false without
one is no date. A ``linking`` annotation between two claims (of this file or imported
before, from any document) becomes a link with the relation its body names.

Confirming (``import_apply``) plans again inside one transaction and creates every claim and
link through ``claims.services``, all or nothing, leaving of the upload only its receipt;
each annotation imported is recorded (``ImportedAnnotation``), so a second import of the
same file creates nothing new."""

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from claims.anchoring import AnchorError, anchor
from claims.errors import ClaimError
from claims.models import Claim, ClaimLink, Evidence, Relation
from claims.reanchoring import (
    EXACT,
    METHOD_SAME_OFFSETS,
    METHOD_UNIQUE_EXACT,
    MOVED,
    NEEDS_CHECK,
    Locator,
    Reanchored,
)
from claims.services import claim_create as _claim_create
from claims.services import (
    clean_claim_date,
    clean_claim_edit,
    clean_link_edit,
    evidence_add,
    evidence_prepare,
    link_create,
)
from corpus.models import Document
from crosscheck.dates import partial_date_label
from crosscheck.errors import ServiceError
from crosscheck.permissions import Visitor, can_annotate
from crosscheck.text import plural, shorten
from interchange.models import KEY_MAX_LENGTH, ImportedAnnotation, ImportUpload
from jobs.models import Job

MAX_ANNOTATIONS = 20_000
UPLOAD_KEEP_HOURS = 24
LOOKUP_BATCH = 500

CREATE, REANCHOR, EXISTS, REFUSE = "create", "reanchor", "exists", "refuse"
ACTION_LABELS = {
    CREATE: "create",
    REANCHOR: "re-anchored",
    EXISTS: "already imported",
    REFUSE: "refused",
}
W3C, HYPOTHESIS = "W3C Web Annotations", "Hypothesis export"

ERROR_NOT_ANNOTATOR = "Only annotators and editors can import annotations."
ERROR_EMPTY = "The file is empty: choose an annotation file (JSON)."
ERROR_TOO_LARGE = "The file is {size}; at most {limit} can be imported at once."
ERROR_NOT_UTF8 = "The file is not UTF-8 text: annotation files are JSON written in UTF-8."
ERROR_NOT_JSON = "The file is not valid JSON: {detail} at line {line}, column {column}."
ERROR_TOO_DEEP = "The file is not valid JSON: it is nested too deeply to read."
ERROR_NO_ANNOTATIONS = (
    "The file holds no annotations. Expected a W3C Web Annotation, a list of them, an "
    "AnnotationCollection or AnnotationPage with its items, or a Hypothesis export."
)
ERROR_PAGES_NOT_EMBEDDED = (
    "The collection names its pages only by address ({address}) and does not include them: "
    "export it with its annotations embedded."
)
ERROR_TOO_MANY = "The file holds {count} annotations; at most {limit} are imported at once."
ERROR_UPLOAD_GONE = "This import was already confirmed, or it has expired: upload the file again."
ERROR_APPLY = "Nothing was imported: annotation {number} was refused: {message}"
ERROR_RACE = (
    "Nothing was imported: some of these annotations were imported by someone else just now. "
    "Upload the file again to see what is left."
)

REASON_NOT_ANNOTATION = "Not an annotation: it is not a JSON object."
REASON_REPLY = "A reply to another annotation: replies are not imported (they mark no passage)."
REASON_PAGE_NOTE = "A page note: it marks no passage of the text."
REASON_NO_QUOTE = "It gives no quote (TextQuoteSelector) to check its passage against."
REASON_NO_STATEMENT = "A highlight without text: a claim needs a statement, and none is given."
REASON_NOT_FOUND = "Its quote “{quote}” is not in this document."
REASON_NEEDS_CHECK = (
    "Its quote is found only approximately (at {start}–{end}, “{found}”): not imported, "
    "rather than anchored to a wrong place."
)
REASON_AT_POSITION = "Its quote is in the document at the position it gives."
REASON_FOUND_ELSEWHERE = "Its quote is found at {start}–{end}, not at {given_start}–{given_end}."
REASON_FOUND_NO_POSITION = "Its quote is found at {start}–{end} (it gives no position)."
REASON_FOUND_CHANGED = "A quote differing only slightly is found at {start}–{end}: “{found}”."
REASON_IMPORTED = "Already imported: this annotation was imported before."
REASON_CLAIM_EXISTS = "A claim on this passage with this statement is there already."
REASON_YOURS_EXISTS = "You already have a claim on exactly this passage."
REASON_SAME_PASSAGE = "The same passage as annotation {number} of this file."
REASON_REPEATED = "The same annotation as number {number} of this file."
REASON_LINK_SHAPE = (
    "A link needs the two claims it joins and a relation (contradicts, corroborates or qualifies)."
)
REASON_LINK_MISSING = (
    "It links a claim that is neither in this file nor imported yet: import the other "
    "document's annotations, then this file again."
)
REASON_LINK_REFUSED_END = "It links annotation {number}, which is not imported."
REASON_LINK_SAME_DOCUMENT = "Both claims it links are on the same document."
REASON_LINK_EXISTS = "These two claims are linked already."
REASON_LINK_TWICE = "The same two claims as the link of annotation {number}."
REASON_LINK = "A {relation} link between two claims."
REASON_NOT_CLAIM = (
    "A “{motivation}” annotation: only claims (with a passage), links and evidence import."
)
REASON_EVIDENCE = "Evidence ({kind}) that {bearing} the {target} it is on."
REASON_EVIDENCE_SHAPE = (
    "Evidence needs the one claim or link it is on and a body: a citation, a web address, a "
    "quote or a passage of a document."
)
REASON_EVIDENCE_MISSING = (
    "It is on a claim or link that is neither in this file nor imported yet: import that "
    "first, then this file again."
)
REASON_EVIDENCE_REFUSED_TARGET = "It is on annotation {number}, which is not imported."
REASON_PASSAGE_DOCUMENT = (
    "Its passage is in a document that is not in this Crosscheck (no document has its text)."
)
REASON_PASSAGE_NOT_FOUND = "Its passage “{quote}” is not in the document it names."
REASON_EVENT_DATE_FORM = (
    "Its event date ({given}) is refused: give a year, a month or a day as text written "
    "“1934”, “1934-12” or “1934-12-01”."
)
REASON_EVENT_DATE = "Its event date ({given}) is refused: {problem}"
REASON_EVENT_DATE_MISSING = "Its event date is refused: {problem}"

# The motivations of annotations that do not mark a claim or a link.
OTHER_MOTIVATIONS = {"bookmarking", "questioning", "replying", "moderating", "editing"}
EVIDENCE_MOTIVATIONS = {"assessing", "supporting", "refuting"}
CANONICAL_PREFIX = "urn:sha256:"
RELATIONS = {value for value, _ in Relation.choices}


class ImportFileError(ServiceError):
    """The file as a whole cannot be imported; nothing was changed."""


class ImportPermissionDenied(ImportFileError):
    status = 403


class ImportDoneBefore(ImportFileError):
    """The upload was imported by this same job, in a run before this one (its worker died
    after the import committed): ``summary`` is that import's outcome. Anyone else finds
    the upload gone (``ERROR_UPLOAD_GONE``, this refusal's message too)."""

    def __init__(self, summary: str) -> None:
        super().__init__(ERROR_UPLOAD_GONE)
        self.summary = summary


# --- reading the file ------------------------------------------------------------------


def read_annotations(data: bytes) -> tuple[str, list[Any]]:
    """The file's format (``W3C`` or ``HYPOTHESIS``) and its annotations as JSON values, or
    ``ImportFileError``."""
    if not data.strip():
        raise ImportFileError(ERROR_EMPTY, "file")
    if len(data) > settings.CROSSCHECK_MAX_IMPORT_BYTES:
        raise ImportFileError(
            ERROR_TOO_LARGE.format(
                size=filesizeformat(len(data)),
                limit=filesizeformat(settings.CROSSCHECK_MAX_IMPORT_BYTES),
            ),
            "file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(ERROR_NOT_UTF8, "file") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        message = ERROR_NOT_JSON.format(detail=error.msg, line=error.lineno, column=error.colno)
        raise ImportFileError(message, "file") from None
    except RecursionError:
        raise ImportFileError(ERROR_TOO_DEEP, "file") from None
    kind, annotations = _unwrap(value)
    if not annotations:
        raise ImportFileError(ERROR_NO_ANNOTATIONS, "file")
    if len(annotations) > MAX_ANNOTATIONS:
        message = ERROR_TOO_MANY.format(count=f"{len(annotations):,}", limit=f"{MAX_ANNOTATIONS:,}")
        raise ImportFileError(message, "file")
    return kind, annotations


def _types(value: dict) -> set[str]:
    kind = value.get("type", value.get("@type"))
    names = kind if isinstance(kind, list) else [kind]
    return {name.rsplit("#", 1)[-1].rsplit(":", 1)[-1] for name in names if isinstance(name, str)}


def _unwrap(value: Any) -> tuple[str, list[Any]]:
    if isinstance(value, list):
        return W3C, value
    if not isinstance(value, dict):
        return W3C, []
    if isinstance(value.get("annotations"), list):
        return HYPOTHESIS, value["annotations"]
    types = _types(value)
    if "AnnotationPage" in types or isinstance(value.get("items"), list):
        return W3C, _page_items(value)
    if types & {"AnnotationCollection", "BasicContainer", "Container"} or "first" in value:
        return W3C, _collection_items(value)
    if "target" in value or "Annotation" in types:
        return W3C, [value]
    return W3C, []


def _page_items(page: dict) -> list[Any]:
    items = page.get("items")
    return items if isinstance(items, list) else []


def _collection_items(collection: dict) -> list[Any]:
    """The items of every page embedded in the collection (``first`` and the ``next`` of
    each page); a page named only by its address cannot be read."""
    items: list[Any] = []
    page = collection.get("first")
    seen = 0
    while page is not None and seen < 10_000:
        if isinstance(page, str):
            raise ImportFileError(ERROR_PAGES_NOT_EMBEDDED.format(address=shorten(page)), "file")
        if not isinstance(page, dict):
            break
        items.extend(_page_items(page))
        page = page.get("next") if isinstance(page.get("next"), dict) else None
        seen += 1
    return items


# --- one annotation --------------------------------------------------------------------


@dataclass
class Incoming:
    """What an annotation of the file says, in Crosscheck's terms."""

    number: int  # its place in the file, from 1
    key: str
    kind: str = "claim"  # "claim" | "link" | "evidence" | "other"
    quote: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    statement: str = ""
    topics: list[str] = field(default_factory=list)
    ends: tuple[str, ...] = ()  # a link's claims, as annotation ids
    relation: str = ""
    rationale: str = ""
    qualifier: str = ""  # a qualifies link: the annotation id of the narrowing claim
    bearing: str = ""  # evidence: supports | refutes
    evidence_kind: str = ""  # citation | url | quote | passage
    citation: str = ""
    url: str = ""
    passage_in: tuple[str, ...] = ()  # a passage's document: its IRIs (canonical first)
    date: dict[str, Any] | None = None  # a claim's event date, as ``claim_create`` takes it
    problem: str = ""  # why it cannot be imported, seen while reading it


def annotation_key(annotation: Any) -> str:
    """Its id (an IRI, or Hypothesis's id) or, without one, the hash of its content."""
    if isinstance(annotation, dict):
        given = annotation.get("id", annotation.get("@id"))
        if isinstance(given, str) and given.strip() and len(given) <= KEY_MAX_LENGTH:
            if given.isprintable():
                return given.strip()
    content = json.dumps(annotation, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _motivations(value: Any) -> set[str]:
    return {m.rsplit(":", 1)[-1] for m in _as_list(value) if isinstance(m, str)}


def _selectors(target: Any) -> Iterator[dict]:
    if not isinstance(target, dict):
        return
    for selector in _as_list(target.get("selector")):
        while isinstance(selector, dict):
            yield selector
            selector = selector.get("refinedBy")


def _read_selectors(incoming: Incoming, targets: list[Any]) -> bool:
    """Take the quote and position of the first target with a quote; whether one has any
    selector at all."""
    any_selector = False
    for target in targets:
        quote = position = None
        for selector in _selectors(target):
            any_selector = True
            types = _types(selector)
            if "TextQuoteSelector" in types and quote is None:
                quote = selector
            elif "TextPositionSelector" in types and position is None:
                position = selector
        if quote is None or not _text(quote.get("exact")):
            continue
        incoming.quote = quote["exact"]
        incoming.prefix, incoming.suffix = _text(quote.get("prefix")), _text(quote.get("suffix"))
        if position is not None:
            start, end = position.get("start"), position.get("end")
            if _is_offset(start) and _is_offset(end):
                incoming.start, incoming.end = start, end
        return True
    return any_selector


def _is_offset(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _bodies(annotation: dict) -> list[Any]:
    return _as_list(annotation.get("body", annotation.get("bodyValue")))


def _body_text(body: Any) -> str:
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        return _text(body.get("value", body.get("rdf:value", body.get("chars"))))
    return ""


def _purposes(body: Any) -> set[str]:
    return _motivations(body.get("purpose")) if isinstance(body, dict) else set()


def _iri(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _text(value.get("id", value.get("@id", value.get("source"))))
    return ""


def read_annotation(number: int, annotation: Any, kind: str) -> Incoming:
    """One annotation of the file as ``Incoming`` (its ``problem`` says why it cannot be
    imported, when that shows already)."""
    incoming = Incoming(number=number, key=annotation_key(annotation))
    if not isinstance(annotation, dict):
        incoming.kind, incoming.problem = "other", REASON_NOT_ANNOTATION
        return incoming
    if kind == HYPOTHESIS:
        return _read_hypothesis(incoming, annotation)
    motivations = _motivations(annotation.get("motivation"))
    bodies = _bodies(annotation)
    if "linking" in motivations:
        return _read_link(incoming, annotation, bodies)
    if motivations & EVIDENCE_MOTIVATIONS:
        return _read_evidence(incoming, annotation, motivations, bodies)
    for body in bodies:
        purposes = _purposes(body)
        if "tagging" in purposes:
            incoming.topics.append(_body_text(body))
        elif not incoming.statement and (purposes & {"describing", "commenting"} or not purposes):
            incoming.statement = _body_text(body).strip()
    if motivations & OTHER_MOTIVATIONS and not motivations & {"describing", "commenting"}:
        motivation = sorted(motivations & OTHER_MOTIVATIONS)[0]
        incoming.kind, incoming.problem = "other", REASON_NOT_CLAIM.format(motivation=motivation)
        return incoming
    _read_claim_target(incoming, _as_list(annotation.get("target")))
    if not incoming.problem:
        _read_event_date(incoming, annotation)
    return incoming


_EVENT_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)


def _read_event_date(incoming: Incoming, annotation: dict) -> None:
    """The claim's event date (``eventDate``, ``eventDateApproximate``, as ``w3c`` writes
    them), checked by ``clean_claim_date``; a date it refuses is the annotation's problem."""
    given = _crosscheck_value(annotation, "eventDate")
    approximate = _crosscheck_value(annotation, "eventDateApproximate")
    if given is None and (approximate is None or approximate is False):
        return
    shown = f"“{shorten(given)}”" if isinstance(given, str) else shorten(json.dumps(given))
    found = _EVENT_DATE.fullmatch(given) if isinstance(given, str) else None
    if given is not None and found is None:
        incoming.problem = REASON_EVENT_DATE_FORM.format(given=shown)
        return
    parts = [int(part) if part else None for part in (found.groups() if found else [None] * 3)]
    date = {**dict(zip(("year", "month", "day"), parts, strict=True)),
            "approximate": False if approximate is None else approximate}  # fmt: skip
    try:
        clean_claim_date(date)
    except ClaimError as error:
        if given is None:
            incoming.problem = REASON_EVENT_DATE_MISSING.format(problem=error.message)
        else:
            incoming.problem = REASON_EVENT_DATE.format(given=shown, problem=error.message)
        return
    incoming.date = date


def _read_claim_target(incoming: Incoming, targets: list[Any]) -> Incoming:
    if not _read_selectors(incoming, targets):
        incoming.problem = REASON_PAGE_NOTE
    elif not incoming.quote:
        incoming.problem = REASON_NO_QUOTE
    elif not incoming.statement:
        incoming.problem = REASON_NO_STATEMENT
    return incoming


def _read_hypothesis(incoming: Incoming, annotation: dict) -> Incoming:
    """Hypothesis's annotation: ``text`` (Markdown), ``tags``, ``target: [{source,
    selector}]`` without ``type``, ``references`` (the thread above a reply)."""
    incoming.statement = _text(annotation.get("text")).strip()
    incoming.topics = [tag for tag in _as_list(annotation.get("tags")) if isinstance(tag, str)]
    if _as_list(annotation.get("references")):
        incoming.kind, incoming.problem = "other", REASON_REPLY
        return incoming
    return _read_claim_target(incoming, _as_list(annotation.get("target")))


def _read_link(incoming: Incoming, annotation: dict, bodies: list[Any]) -> Incoming:
    """A ``linking`` annotation: its target(s) and the non-textual bodies name the claims'
    annotations; a TextualBody ``classifying`` (or a Crosscheck ``relation``) names the
    relation, one ``describing`` the rationale."""
    incoming.kind = "link"
    ends: list[str] = []
    for value in [*_as_list(annotation.get("target")), *bodies]:
        if isinstance(value, dict) and _types(value) & {"TextualBody"}:
            purposes = _purposes(value)
            text = _body_text(value).strip()
            if "classifying" in purposes or text.lower() in RELATIONS and not incoming.relation:
                incoming.relation = text.lower()
                incoming.qualifier = _iri(value.get("qualifier"))
            elif purposes & {"describing", "commenting"} or not purposes:
                incoming.rationale = incoming.rationale or text
            continue
        iri = _iri(value)
        if iri and iri not in ends:
            ends.append(iri)
        if isinstance(value, dict):
            incoming.relation = incoming.relation or _crosscheck_term(value, "relation")
    incoming.relation = incoming.relation or _crosscheck_term(annotation, "relation")
    incoming.ends = tuple(ends)
    if len(ends) != 2 or incoming.relation not in RELATIONS:
        incoming.problem = REASON_LINK_SHAPE
    return incoming


def _read_evidence(
    incoming: Incoming, annotation: dict, motivations: set[str], bodies: list[Any]
) -> Incoming:
    """Evidence: an ``assessing`` annotation (``supporting`` or ``refuting``) on a claim's
    or a link's annotation; its body a TextualBody (a citation, or a quote with its
    citation), a web resource (its address) or a SpecificResource (a passage of a document,
    found by the document's ``canonical`` checksum IRI)."""
    incoming.kind = "evidence"
    incoming.ends = tuple(i for i in map(_iri, _as_list(annotation.get("target"))) if i)
    bearing = _crosscheck_term(annotation, "bearing")
    incoming.bearing = bearing or ("refutes" if "refuting" in motivations else "supports")
    given = _crosscheck_term(annotation, "evidenceKind")
    body = bodies[0] if len(bodies) == 1 else None
    if isinstance(body, dict) and body.get("selector") is not None:
        incoming.evidence_kind = "passage"
        _read_selectors(incoming, [body])
        source = body.get("source")
        iris = [_text(source.get("canonical")), _iri(source)] if isinstance(source, dict) else []
        incoming.passage_in = tuple(i for i in [*iris, _iri(source)] if i)
    elif isinstance(body, dict) and "TextualBody" in _types(body):
        if given == "quote" or body.get("citation"):
            incoming.evidence_kind = "quote"
            incoming.quote, incoming.citation = _body_text(body), _text(body.get("citation"))
        else:
            incoming.evidence_kind, incoming.citation = "citation", _body_text(body)
    elif body is not None and _iri(body):
        incoming.evidence_kind, incoming.url = "url", _iri(body)
        incoming.citation = _text(body.get("citation")) if isinstance(body, dict) else ""
    if len(incoming.ends) != 1 or not incoming.evidence_kind:
        incoming.problem = REASON_EVIDENCE_SHAPE
    return incoming


def _crosscheck_value(value: dict, name: str) -> Any:
    """The value of the Crosscheck term ``name`` (prefixed or not), or None."""
    for key, found in value.items():
        if isinstance(key, str) and key.rsplit(":", 1)[-1] == name:
            return found
    return None


def _crosscheck_term(value: dict, name: str) -> str:
    found = _iri(_crosscheck_value(value, name))
    return found.rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1]


# --- the plan --------------------------------------------------------------------------


@dataclass
class Row:
    """What importing one annotation would do, and why."""

    number: int
    key: str
    kind: str
    action: str
    reason: str
    start: int | None = None
    end: int | None = None
    quote: str = ""
    statement: str = ""
    topics: list[str] = field(default_factory=list)
    date: dict[str, Any] | None = None  # a claim's event date (``Incoming.date``)
    relation: str = ""
    rationale: str = ""
    qualifier: str = ""
    ends: tuple[str, ...] = ()
    end_claims: tuple[int | None, ...] = ()  # the ends' existing claims (ids), when known
    existing_link: int | None = None  # a link that is there already
    bearing: str = ""
    evidence_kind: str = ""
    citation: str = ""
    url: str = ""
    on_link: bool = False  # evidence: on a link rather than a claim
    on_existing: int | None = None  # evidence: the id of the claim or link it is on
    passage_document: int | None = None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def imports(self) -> bool:
        return self.action in (CREATE, REANCHOR)

    @property
    def date_label(self) -> str:
        """The claim's event date for people ("about December 1934"), or ""."""
        date = self.date
        if date is None:
            return ""
        return partial_date_label(date["year"], date["month"], date["day"], date["approximate"])


@dataclass
class Plan:
    document: Document
    kind: str
    rows: list[Row]

    def count(self, action: str) -> int:
        return sum(row.action == action for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return {label: self.count(action) for action, label in ACTION_LABELS.items()}

    @property
    def to_import(self) -> int:
        return sum(row.imports for row in self.rows)


def _batched(values: list[str]) -> Iterator[list[str]]:
    for at in range(0, len(values), LOOKUP_BATCH):
        yield values[at : at + LOOKUP_BATCH]


def _imported_keys(document: Document, keys: list[str]) -> set[str]:
    """Which of ``keys`` were imported onto ``document``, or as a link or evidence onto any
    document (one query per 500 keys)."""
    found: set[str] = set()
    for batch in _batched(keys):
        # A link or evidence joins documents: imported onto any of them, it is there.
        here = Q(document=document) | Q(link__isnull=False) | Q(evidence__isnull=False)
        rows = ImportedAnnotation.objects.filter(here, key__in=batch)
        found.update(rows.values_list("key", flat=True))
    return found


def _claims_of_keys(keys: list[str]) -> dict[str, tuple[int, int]]:
    """The claims (id, document id) imported from annotations of these ids, on any
    document (one query per 500 keys)."""
    found: dict[str, tuple[int, int]] = {}
    for batch in _batched(keys):
        rows = ImportedAnnotation.objects.filter(key__in=batch, claim__isnull=False)
        for key, claim_id, document_id in rows.values_list("key", "claim_id", "claim__document_id"):
            found[key] = (claim_id, document_id)
    return found


class _Locators:
    """One ``Locator`` per document text for a whole plan, each built on first need
    (preparing a long text costs some tens of milliseconds; a search in it, far less)."""

    def __init__(self) -> None:
        self._by_document: dict[int, Locator] = {}

    def __call__(self, document: Document) -> Locator:
        locator = self._by_document.get(document.pk)
        if locator is None:
            locator = self._by_document[document.pk] = Locator(document.text)
        return locator


def _place(document: Document, incoming: Incoming, locators: _Locators) -> Row:
    """Where a claim annotation goes in ``document``: create, reanchor or refuse."""
    row = Row(number=incoming.number, key=incoming.key, kind="claim", action=REFUSE, reason="")
    row.quote, row.statement, row.topics = incoming.quote, incoming.statement, incoming.topics
    row.date = incoming.date
    try:
        row.statement, row.topics = clean_claim_edit(incoming.statement, incoming.topics)
    except ClaimError as error:
        row.reason = error.message
        return row
    text = document.text
    found = _found_exactly(text, incoming) or locators(document).locate(
        quote=incoming.quote, prefix=incoming.prefix, suffix=incoming.suffix,
        start=incoming.start, end=incoming.end,
    )  # fmt: skip
    if found.state not in (EXACT, MOVED) or found.start is None or found.end is None:
        if found.state == NEEDS_CHECK and found.start is not None and found.end is not None:
            row.reason = REASON_NEEDS_CHECK.format(
                start=found.start, end=found.end, found=shorten(text[found.start : found.end])
            )
        else:
            row.reason = REASON_NOT_FOUND.format(quote=shorten(incoming.quote))
        return row
    try:
        anchored = anchor(text, found.start, found.end, text[found.start : found.end])
    except AnchorError as error:
        row.reason = str(error)
        return row
    row.start, row.end, row.quote = anchored["start"], anchored["end"], anchored["quote"]
    given = (incoming.start, incoming.end)
    if given == (found.start, found.end) and text[found.start : found.end] == incoming.quote:
        row.action, row.reason = CREATE, REASON_AT_POSITION
    elif text[found.start : found.end] != incoming.quote:
        row.action = REANCHOR
        row.reason = REASON_FOUND_CHANGED.format(
            start=row.start, end=row.end, found=shorten(row.quote)
        )
    elif incoming.start is None:
        row.action = REANCHOR
        row.reason = REASON_FOUND_NO_POSITION.format(start=row.start, end=row.end)
    else:
        row.action = REANCHOR
        row.reason = REASON_FOUND_ELSEWHERE.format(
            start=row.start, end=row.end, given_start=incoming.start, given_end=incoming.end
        )
    return row


def _found_exactly(text: str, incoming: Incoming) -> Reanchored | None:
    """The two answers that need no search, without preparing a ``Locator`` (which folds
    the whole text, a cost on a long document): the quote at the position given, or the
    quote's only occurrence. None: ask the ``Locator``."""
    quote, start = incoming.quote, incoming.start
    if start is not None and text[start : incoming.end] == quote:
        return Reanchored(EXACT, start, incoming.end, 1.0, METHOD_SAME_OFFSETS, ())
    first = text.find(quote)
    if first >= 0 and text.find(quote, first + 1) < 0:
        return Reanchored(EXACT, first, first + len(quote), 1.0, METHOD_UNIQUE_EXACT, ())
    return None


def _claim_rows(
    document: Document,
    incoming: list[Incoming],
    imported: set[str],
    user,
    locators: _Locators,
    progress=None,
) -> dict[str, Row]:
    existing = Claim.objects.filter(document=document).values_list(
        "start", "end", "statement", "created_by_id"
    )
    with_statement = {(start, end, statement) for start, end, statement, _ in existing}
    mine = {(start, end) for start, end, _, author in existing if author == user.pk}
    planned: dict[tuple[int, int], int] = {}
    rows: dict[str, Row] = {}
    for item in incoming:
        if item.key in imported:
            row = Row(item.number, item.key, "claim", EXISTS, REASON_IMPORTED, quote=item.quote,
                      statement=item.statement, topics=item.topics, date=item.date)  # fmt: skip
        elif item.problem:
            row = Row(item.number, item.key, "claim", REFUSE, item.problem, quote=item.quote,
                      statement=item.statement, topics=item.topics, date=item.date)  # fmt: skip
        else:
            row = _place(document, item, locators)
        if row.imports:
            span = (row.start, row.end)
            if (row.start, row.end, row.statement) in with_statement:
                row.action, row.reason = EXISTS, REASON_CLAIM_EXISTS
            elif span in mine:
                row.action, row.reason = REFUSE, REASON_YOURS_EXISTS
            elif span in planned:
                row.action = REFUSE
                row.reason = REASON_SAME_PASSAGE.format(number=planned[span])  # type: ignore[index]
            else:
                planned[span] = row.number  # type: ignore[index]
        rows[item.key] = row
        if progress is not None:
            progress.advance()
    return rows


def _link_rows(
    document: Document, links: list[Incoming], claims: dict[str, Row], imported: set[str]
) -> list[Row]:
    known = _claims_of_keys(sorted({end for link in links for end in link.ends}))
    pairs: dict[frozenset, int] = {}
    rows = []
    for item in links:
        row = Row(item.number, item.key, "link", REFUSE, item.problem, relation=item.relation,
                  rationale=item.rationale, qualifier=item.qualifier, ends=item.ends)  # fmt: skip
        rows.append(row)
        if item.key in imported:
            row.action, row.reason = EXISTS, REASON_IMPORTED
            continue
        if item.problem:
            continue
        try:
            row.relation, row.rationale = clean_link_edit(item.relation, item.rationale)
        except ClaimError as error:
            row.reason = error.message
            continue
        ends: list[tuple[int | None, int]] = []  # (existing claim id, its document id)
        for end in item.ends:
            in_file = claims.get(end)
            if in_file is not None and in_file.imports:
                ends.append((None, document.pk))
            elif end in known:
                ends.append(known[end])
            elif in_file is not None:
                row.reason = REASON_LINK_REFUSED_END.format(number=in_file.number)
                break
            else:
                row.reason = REASON_LINK_MISSING
                break
        if row.reason:
            continue
        if ends[0][1] == ends[1][1]:
            row.reason = REASON_LINK_SAME_DOCUMENT
            continue
        pair = frozenset(item.ends)
        if pair in pairs:
            row.reason = REASON_LINK_TWICE.format(number=pairs[pair])
            continue
        pairs[pair] = row.number
        row.end_claims = tuple(claim_id for claim_id, _ in ends)
        if all(row.end_claims):
            row.existing_link = _linked(*row.end_claims)  # type: ignore[arg-type]
            if row.existing_link is not None:
                row.action, row.reason = EXISTS, REASON_LINK_EXISTS
                continue
        row.action, row.reason = CREATE, REASON_LINK.format(relation=row.relation)
    return rows


def _linked(first: int, second: int) -> int | None:
    left, right = sorted((first, second))
    return (
        ClaimLink.objects.filter(left_id=left, right_id=right).values_list("pk", flat=True).first()
    )


def _links_of_keys(keys: list[str]) -> dict[str, int]:
    """The links imported from annotations of these ids (one query per 500 keys)."""
    found: dict[str, int] = {}
    for batch in _batched(keys):
        rows = ImportedAnnotation.objects.filter(key__in=batch, link__isnull=False)
        found.update(rows.values_list("key", "link_id"))
    return found


def _evidence_rows(
    items: list[Incoming],
    in_file: dict[str, Row],
    imported: set[str],
    user,
    locators: _Locators,
    progress=None,
) -> list[Row]:
    targets = sorted({item.ends[0] for item in items if item.ends})
    claims, links = _claims_of_keys(targets), _links_of_keys(targets)
    rows = []
    for item in items:
        row = Row(item.number, item.key, "evidence", REFUSE, item.problem, quote=item.quote,
                  ends=item.ends, bearing=item.bearing, evidence_kind=item.evidence_kind,
                  citation=item.citation, url=item.url)  # fmt: skip
        rows.append(row)
        if item.key in imported:
            row.action, row.reason = EXISTS, REASON_IMPORTED
        elif not item.problem:
            _aim_evidence(row, item, in_file, claims, links)
        if not row.reason:
            _check_evidence(row, item, user, locators)
        if progress is not None:
            progress.advance()
    return rows


def _aim_evidence(row: Row, item: Incoming, in_file, claims, links) -> None:
    """What the evidence is on: a claim or link of the file, or one imported before."""
    target = item.ends[0]
    found = in_file.get(target)
    if found is not None and found.imports:
        row.on_link = found.kind == "link"
    elif found is not None and found.existing_link is not None:
        row.on_link, row.on_existing = True, found.existing_link
    elif target in claims:
        row.on_existing = claims[target][0]
    elif target in links:
        row.on_link, row.on_existing = True, links[target]
    elif found is not None:
        row.reason = REASON_EVIDENCE_REFUSED_TARGET.format(number=found.number)
    else:
        row.reason = REASON_EVIDENCE_MISSING


def _check_evidence(row: Row, item: Incoming, user, locators: _Locators) -> None:
    """Find a passage in its document, then check the evidence as ``evidence_add`` will."""
    document = None
    if item.evidence_kind == "passage":
        checksums = [i.removeprefix(CANONICAL_PREFIX) for i in item.passage_in
                     if i.startswith(CANONICAL_PREFIX)]  # fmt: skip
        document = Document.objects.filter(checksum__in=checksums).first() if checksums else None
        if document is None:
            row.reason = REASON_PASSAGE_DOCUMENT
            return
        found = locators(document).locate(quote=item.quote, prefix=item.prefix,
                                          suffix=item.suffix, start=item.start,
                                          end=item.end)  # fmt: skip
        if found.state not in (EXACT, MOVED) or found.start is None or found.end is None:
            row.reason = REASON_PASSAGE_NOT_FOUND.format(quote=shorten(item.quote))
            return
        row.start, row.end = found.start, found.end
        row.quote, row.passage_document = document.text[found.start : found.end], document.pk
    try:
        evidence_prepare(**_evidence_values(row, document), claim=Claim(), author=user)
    except ClaimError as error:
        row.reason = error.message
        return
    target = "link" if row.on_link else "claim"
    row.action = CREATE
    row.reason = REASON_EVIDENCE.format(kind=row.evidence_kind, bearing=row.bearing, target=target)


def _evidence_values(row: Row, document: Document | None) -> dict[str, Any]:
    return {
        "kind": row.evidence_kind, "bearing": row.bearing, "citation": row.citation,
        "url": row.url, "quote": row.quote, "document": document, "start": row.start,
        "end": row.end,
    }  # fmt: skip


def import_plan(*, document: Document, data: bytes, user, progress=None) -> Plan:
    """What importing the file ``data`` onto ``document`` would do, row by row, or
    ``ImportFileError`` when the file cannot be read. Changes nothing. Queries: a few, plus
    one per 500 annotations, plus one per link whose two claims both exist already.
    ``progress`` (a job's) hears of each annotation checked. The document's text is
    prepared once for the quotes not found at once (``_Locators``): on the 390 KB seed a
    plan checks about a thousand annotations a second (bench/interchange_import.py)."""
    kind, annotations = read_annotations(data)
    incoming = [read_annotation(n, value, kind) for n, value in enumerate(annotations, start=1)]
    first: dict[str, Incoming] = {}
    for item in incoming:
        first.setdefault(item.key, item)
    unique = list(first.values())
    if progress is not None:
        label = f"Checking {plural(len(unique), 'annotation')} against the text"
        progress.start(total=len(unique), label=label)
    imported = _imported_keys(document, sorted(first))
    others = [i for i in unique if i.kind not in ("link", "evidence")]
    locators = _Locators()
    claims = _claim_rows(document, others, imported, user, locators, progress)
    link_items = [i for i in unique if i.kind == "link"]
    links = _link_rows(document, link_items, claims, imported)
    if progress is not None:
        progress.advance(len(link_items))
    in_file = {**claims, **{row.key: row for row in links}}
    evidence_items = [i for i in unique if i.kind == "evidence"]
    evidence = _evidence_rows(evidence_items, in_file, imported, user, locators, progress)
    by_number = {row.number: row for row in [*claims.values(), *links, *evidence]}
    rows = []
    for item in incoming:  # in the file's order
        row = by_number.get(item.number)
        if row is None:  # a repeat of an earlier annotation
            row = Row(item.number, item.key, item.kind, EXISTS,
                      REASON_REPEATED.format(number=first[item.key].number), quote=item.quote,
                      statement=item.statement, date=item.date)  # fmt: skip
        rows.append(row)
    return Plan(document=document, kind=kind, rows=rows)


def plan_as_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON values, to keep (``ImportUpload.plan``) and show later."""
    return {"kind": plan.kind, "rows": [asdict(row) for row in plan.rows]}


def plan_from_json(document: Document, value: dict[str, Any]) -> Plan:
    """The plan kept by ``plan_as_json``."""
    rows = [
        Row(**{**row, "ends": tuple(row["ends"]), "end_claims": tuple(row["end_claims"])})
        for row in value["rows"]
    ]
    return Plan(document=document, kind=value["kind"], rows=rows)


# --- uploads and confirmation ------------------------------------------------------------


def upload_create(*, document: Document, data: bytes, filename: str, user: Visitor) -> ImportUpload:
    """Keep the file ``data`` for ``document`` until its importer confirms, once it reads
    as annotations (``read_annotations``), or ``ImportFileError`` with nothing kept.
    Removes the uploads left for a day, and the receipts of imports done over a day ago
    (kept that long for an import job started again after its worker died)."""
    if not can_annotate(user):
        raise ImportPermissionDenied(ERROR_NOT_ANNOTATOR)
    _, annotations = read_annotations(data)
    cutoff = timezone.now() - timedelta(hours=UPLOAD_KEEP_HOURS)
    not_imported_since = Q(imported_at__isnull=True) | Q(imported_at__lt=cutoff)
    ImportUpload.objects.filter(not_imported_since, created_at__lt=cutoff).delete()
    return ImportUpload.objects.create(
        document=document, uploaded_by=user, filename=_clean_filename(filename), data=data,
        annotation_count=len(annotations),
    )  # fmt: skip


def upload_preview(*, upload_id: int, user: Visitor, progress=None) -> Plan:
    """Plan the upload (``import_plan``) and keep the plan on it for its preview page (a
    large file's, planned by a job). ``ImportFileError`` when it is gone (confirmed or
    expired meanwhile) or not the user's."""
    upload = ImportUpload.objects.pending().filter(pk=upload_id).first()
    if upload is None:
        raise ImportFileError(ERROR_UPLOAD_GONE)
    if not can_annotate(user) or upload.uploaded_by_id != user.pk:
        raise ImportPermissionDenied(ERROR_NOT_ANNOTATOR)
    document = Document.objects.get(pk=upload.document_id)
    plan = import_plan(document=document, data=bytes(upload.data), user=user, progress=progress)
    ImportUpload.objects.pending().filter(pk=upload.pk).update(plan=plan_as_json(plan))
    return plan


def _clean_filename(filename: str) -> str:
    name = re.sub(r"[\x00-\x1f\x7f]", "", filename or "").strip()
    return shorten(name, 255) or "annotations.json"


@dataclass
class Outcome:
    claims: int = 0
    links: int = 0
    evidence: int = 0
    refused: int = 0
    existing: int = 0

    @property
    def summary(self) -> str:
        return (
            f"Imported {plural(self.claims, 'claim')}, {plural(self.links, 'link')} and "
            f"{self.evidence} evidence; "
            f"{self.existing} already there, {self.refused} refused."
        )


def import_apply(
    *, upload: ImportUpload, user: Visitor, progress=None, job: Job | None = None
) -> Outcome:
    """Import the confirmed upload: plan again (the corpus may have changed since the
    preview) and create every claim and link of the plan, all or nothing, and in the same
    transaction turn the upload into its receipt (``ImportUpload``: file emptied, outcome
    kept, ``job`` the job importing it if any). ``ImportFileError`` when it is gone
    (expired, or confirmed twice: already a receipt) or a row is refused now;
    ``ImportDoneBefore`` when ``job`` itself imported it in an earlier run. Holds a lock on
    the upload row (SELECT FOR UPDATE) until done, so a double confirm waits and then finds
    it imported. ``progress`` (a job's) hears of each annotation."""
    if not can_annotate(user) or upload.uploaded_by_id != user.pk:
        raise ImportPermissionDenied(ERROR_NOT_ANNOTATOR)
    try:
        with transaction.atomic():
            locked = ImportUpload.objects.select_for_update().filter(pk=upload.pk).first()
            if locked is None:
                raise ImportFileError(ERROR_UPLOAD_GONE)
            if locked.imported_at is not None:
                if job is not None and locked.import_job_id == job.pk:
                    raise ImportDoneBefore(locked.imported_summary)
                raise ImportFileError(ERROR_UPLOAD_GONE)
            document = Document.objects.get(pk=locked.document_id)
            data = bytes(locked.data)
            plan = import_plan(document=document, data=data, user=user, progress=progress)
            outcome = _apply(plan, user, progress)
            ImportUpload.objects.filter(pk=locked.pk).update(
                data=b"", plan=None, imported_at=timezone.now(),
                imported_summary=outcome.summary, import_job=job,
            )  # fmt: skip
    except IntegrityError:
        raise ImportFileError(ERROR_RACE) from None
    return outcome


def _apply(plan: Plan, user, progress) -> Outcome:
    outcome = Outcome(
        refused=plan.count(REFUSE), existing=plan.count(EXISTS)
    )  # fmt: skip
    if progress is not None:
        progress.start(
            total=plan.to_import, label=f"Importing {plural(plan.to_import, 'annotation')}"
        )
    created: dict[str, Claim] = {}
    made_links: dict[str, ClaimLink] = {}
    records = []
    for row in _in_order(plan.rows):
        try:
            if row.kind == "claim":
                claim = _claim_create(
                    document=plan.document, start=row.start, end=row.end, quote=row.quote,
                    statement=row.statement, topics=row.topics, date=row.date, user=user,
                )  # fmt: skip
                created[row.key] = claim
                records.append(ImportedAnnotation(document=plan.document, key=row.key,
                                                  claim=claim, imported_by=user))  # fmt: skip
                outcome.claims += 1
            elif row.kind == "link":
                link = _link_create(row, created, user)
                made_links[row.key] = link
                records.append(ImportedAnnotation(document=plan.document, key=row.key,
                                                  link=link, imported_by=user))  # fmt: skip
                outcome.links += 1
            else:
                evidence = _evidence_create(row, created, made_links, user)
                records.append(ImportedAnnotation(document=plan.document, key=row.key,
                                                  evidence=evidence, imported_by=user))  # fmt: skip
                outcome.evidence += 1
        except ClaimError as error:
            message = ERROR_APPLY.format(number=row.number, message=error.message)
            raise ImportFileError(message) from None
        if progress is not None:
            progress.advance()
    ImportedAnnotation.objects.bulk_create(records, batch_size=LOOKUP_BATCH)
    return outcome


def _in_order(rows: Iterable[Row]) -> list[Row]:
    """The rows to import: claims first, then the links between them, then evidence."""
    chosen = [row for row in rows if row.imports]
    return sorted(chosen, key=lambda row: ("claim", "link", "evidence").index(row.kind))


def _link_create(row: Row, created: dict[str, Claim], user) -> ClaimLink:
    claims = []
    for end, claim_id in zip(row.ends, row.end_claims, strict=True):
        claims.append(created[end] if claim_id is None else Claim.objects.get(pk=claim_id))
    qualifier = None
    if row.relation == Relation.QUALIFIES:
        narrowing = [c for end, c in zip(row.ends, claims, strict=True) if end == row.qualifier]
        qualifier = str((narrowing or claims)[0].public_id)
    return link_create(
        claim=claims[0], other=claims[1], relation=row.relation, rationale=row.rationale,
        user=user, qualifier=qualifier,
    )  # fmt: skip


def _evidence_create(row: Row, claims: dict[str, Claim], links: dict[str, ClaimLink], user):
    target = row.ends[0]
    on: dict[str, Claim | ClaimLink]
    existing = row.on_existing or 0  # set by the plan when the target is not in the file
    if row.on_link:
        on = {"link": links.get(target) or ClaimLink.objects.get(pk=existing)}
    else:
        on = {"claim": claims.get(target) or Claim.objects.get(pk=existing)}
    document = None
    if row.passage_document is not None:
        document = Document.objects.get(pk=row.passage_document)
    evidence: Evidence = evidence_add(user=user, **on, **_evidence_values(row, document))
    return evidence
