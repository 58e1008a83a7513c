"""Revisions of a document and the claims carried over to them.

A corrected text is a new document linked to the one it corrects (``corpus.services.
document_revise``); ``revision_upload`` stores it and starts the re-anchoring job, which
runs ``revision_reanchor``: every claim and passage evidence still on an older revision of
the text is carried to the current one by ``claims.reanchoring`` (pure), from the safest
method to the least safe. EXACT and MOVED results are applied; a NEEDS_CHECK claim (a
proposal) or an ORPHANED one (nothing acceptable) stays on its old revision and waits in
the orphan queue (``orphan_queue``), where a person accepts the proposal
(``orphan_accept``), selects another passage (``orphan_reanchor``) or keeps it where it is
(``orphan_keep``). A passage of evidence that cannot be carried over safely stays on its
old revision, marked with its state (it still cites a real, readable text); the orphan
queue's page lists those read-only (``evidence_left_behind``) until a person replaces them.

Links and evidence on a claim follow it: they point to the claim, not to a document. Each
change of a claim's anchor is recorded in its history (the old and new document, offsets,
state and score, with a reason in words)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, QuerySet, Value
from django.db.models.functions import Greatest, Substr

from claims.anchoring import AnchorError, anchor
from claims.carrying import (  # noqa: F401 -- revision_reanchor and its outcome, for callers
    ERROR_NOT_A_REVISION,
    PERSON,
    ReanchorOutcome,
    carry_to,
    older_revisions,
    revision_reanchor,
    save_with_reason,
    span_taken,
)
from claims.errors import ClaimConflict, ClaimError, ClaimPermissionDenied
from claims.models import UNSETTLED_STATES, AnchorState, Claim, Evidence, EvidenceKind
from claims.services import (
    ERROR_DUPLICATE_SPAN,
    ERROR_GONE,
    ERROR_NOT_OWNER,
    _parse_version,
    _refuse_stale,
)
from claims.tasks import reanchor_revision
from corpus.models import Document
from corpus.services import (
    DocumentImportError,
    RevisionNotCurrent,
    current_revision,
    current_revisions,
    document_revise,
)
from crosscheck.permissions import Visitor, can_annotate, can_change
from jobs.models import Job
from jobs.services import job_start

ERROR_NOT_REVISER = "Only annotators and editors can upload a corrected text."
ERROR_NOT_WAITING = (
    "This claim is not waiting for a check: it has been settled already (reload the queue)."
)
ERROR_NO_PROPOSAL = (
    "No passage of the new text was close enough to propose for this claim: select the "
    "passage it now stands on, or keep it on its old revision."
)
ERROR_TARGET_NOT_CURRENT = (
    "A newer revision of this text has been uploaded since; its re-anchoring will propose "
    "a passage of it. Reload the queue once that job has finished."
)

JOB_LABEL = "Re-anchor the claims of “{title}” onto revision {revision}"
CONTEXT_CHARS = 200  # of text shown either side of a quote in the orphan queue


# --- Uploading a revision ------------------------------------------------------------------


def revision_upload(
    *, document: Document, data: bytes, filename: str, user: Visitor, title: str = ""
) -> tuple[Document, Job]:
    """Store a corrected text of ``document`` as its next revision and start the job that
    carries its claims over (``claims.tasks.reanchor_revision``, started once committed).

    Refused, with nothing stored: ``ClaimPermissionDenied`` for a user who is not an
    annotator or editor; ``ClaimConflict`` (field "document") when ``document`` has been
    corrected already; ``ClaimError`` (field "file") for a file the document import
    refuses or a text identical to ``document``'s."""
    if not can_annotate(user):
        raise ClaimPermissionDenied(ERROR_NOT_REVISER)
    with transaction.atomic():
        try:
            revision = document_revise(
                document=document, data=data, filename=filename, user=user, title=title
            )
        except RevisionNotCurrent as error:
            raise ClaimConflict(str(error), "document") from None
        except DocumentImportError as error:
            raise ClaimError(str(error), "file") from None
        job = job_start_reanchoring(revision, user)
    return revision, job


def job_start_reanchoring(revision: Document, user) -> Job:
    """Start the re-anchoring job of ``revision`` in ``user``'s name."""
    label = JOB_LABEL.format(title=revision.title, revision=revision.revision)
    return job_start(task=reanchor_revision, user=user, label=label, document_id=revision.pk)


# --- The orphan queue ---------------------------------------------------------------------


def orphan_queue(*, document: Document | None = None) -> QuerySet[Claim]:
    """The claims waiting for a person: NEEDS_CHECK or ORPHANED and not kept on their old
    revision; only those of ``document``'s text (any of its revisions) when given. Loaded
    with their document, source, author and target (texts unloaded), the proposals first."""
    queue = Claim.objects.filter(anchor_state__in=UNSETTLED_STATES, anchor_kept=False)
    if document is not None:
        queue = queue.filter(anchor_target__in=_text_chain(document))
    return (
        queue.select_related("document__source", "anchor_target", "created_by")
        .defer("document__text", "anchor_target__text")
        .order_by("anchor_target", "anchor_state", "document", "start", "pk")  # needs_check first
    )


def _text_chain(document: Document) -> list[int]:
    """The ids of every revision of ``document``'s text, the current one first."""
    current = current_revision(document)
    return [current.pk, *older_revisions(current)]


@dataclass(frozen=True)
class Placement:
    """A span of a text shown in its surroundings (``CONTEXT_CHARS`` either side)."""

    start: int
    end: int
    score: float | None
    before: str
    quote: str
    after: str


def _placement(text: str, start: int, end: int, score: float | None) -> Placement:
    return Placement(
        start=start, end=end, score=score, before=text[max(0, start - CONTEXT_CHARS) : start],
        quote=text[start:end], after=text[end : end + CONTEXT_CHARS],
    )  # fmt: skip


@dataclass(frozen=True)
class OrphanView:
    """What the orphan queue shows of one claim: its quote in its old text, the proposal
    (NEEDS_CHECK) and the other candidates in the revision it waits for (``target``)."""

    claim: Claim
    old: Placement
    proposal: Placement | None
    candidates: list[Placement]
    target: Document


def _check_waiting(claim: Claim) -> None:
    if (
        claim.anchor_state not in UNSETTLED_STATES
        or claim.anchor_kept
        or not claim.anchor_target_id
    ):
        raise ClaimError(ERROR_NOT_WAITING)


def _view(claim: Claim, old_text: str, target: Document, target_text: str) -> OrphanView:
    proposal = None
    if claim.anchor_start is not None and claim.anchor_end is not None:
        proposal = _placement(target_text, claim.anchor_start, claim.anchor_end, claim.anchor_score)
    proposed = (claim.anchor_start, claim.anchor_end)
    candidates = [
        _placement(target_text, start, end, score)
        for start, end, score in claim.anchor_candidates
        if (start, end) != proposed and 0 <= start < end <= len(target_text)
    ]
    return OrphanView(
        claim=claim, old=_placement(old_text, claim.start, claim.end, None), proposal=proposal,
        candidates=candidates, target=target,
    )  # fmt: skip


def orphan_view(claim: Claim) -> OrphanView:
    """``OrphanView`` of a waiting claim (two queries: the old and new texts), or
    ``ClaimError`` when it is not waiting."""
    _check_waiting(claim)
    old_text = Document.objects.values_list("text", flat=True).get(pk=claim.document_id)
    target = Document.objects.select_related("source").get(pk=claim.anchor_target_id)
    return _view(claim, old_text, target, target.text)


def orphan_views(claims: Sequence[Claim]) -> list[OrphanView]:
    """``orphan_view`` of each waiting claim, in order, reading each text once (two queries
    for a whole page, however many claims share a text)."""
    for claim in claims:
        _check_waiting(claim)
    targets = (
        Document.objects.select_related("source")
        .defer("text")
        .in_bulk({claim.anchor_target_id for claim in claims})
    )
    wanted = {claim.document_id for claim in claims} | set(targets)
    texts = dict(Document.objects.filter(pk__in=wanted).values_list("pk", "text"))
    return [
        _view(claim, texts[claim.document_id], targets[claim.anchor_target_id],
              texts[claim.anchor_target_id])
        for claim in claims
    ]  # fmt: skip


def _waiting(claim: Claim) -> bool:
    """Whether the claim is in the orphan queue."""
    return (
        claim.anchor_state in UNSETTLED_STATES
        and not claim.anchor_kept
        and claim.anchor_target_id is not None
    )


def _lock_waiting(
    claim: Claim, version: object, user: Visitor, *, target_current: bool = True
) -> Claim:
    """The claim locked (SELECT FOR UPDATE) at the version the user saw, waiting for a
    person, and (``target_current``) its target still the newest revision; else the
    refusal. Call inside ``transaction.atomic``: the lock is held until it ends."""
    if not can_change(user, claim):
        raise ClaimPermissionDenied(ERROR_NOT_OWNER)
    sent = _parse_version(version)
    locked = Claim.objects.select_for_update().filter(pk=claim.pk, version=sent).first()
    if locked is None:
        _refuse_stale(Claim, claim, sent, ERROR_GONE)
    assert locked is not None
    if not _waiting(locked):
        raise ClaimError(ERROR_NOT_WAITING)
    assert locked.anchor_target_id is not None
    if target_current and Document.objects.filter(previous_id=locked.anchor_target_id).exists():
        raise ClaimConflict(ERROR_TARGET_NOT_CURRENT, "document")
    return locked


def _move_checked(locked: Claim, start: object, end: object, quote: object,
                  state: str | None, score: float | None, method: str, user) -> Claim:  # fmt: skip
    """Move a locked waiting claim to a checked span of its target: EXACT when its quote is
    unchanged, else MOVED (``state`` forces one)."""
    assert locked.anchor_target_id is not None  # _lock_waiting checked it
    target = Document.objects.get(pk=locked.anchor_target_id)
    try:
        span = anchor(target.text, start, end, quote)
    except AnchorError as error:
        raise ClaimError(str(error), error.field) from None
    if span_taken(locked, target, span["start"], span["end"]):
        raise ClaimError(ERROR_DUPLICATE_SPAN, "quote")
    if state is None:
        state = AnchorState.EXACT if span["quote"] == locked.quote else AnchorState.MOVED
    try:
        with transaction.atomic():
            carry_to(locked, target, dict(span), state, score, method, user)
    except IntegrityError:  # the same annotator's claim put on this span meanwhile
        raise ClaimError(ERROR_DUPLICATE_SPAN, "quote") from None
    return locked


@transaction.atomic
def orphan_accept(*, claim: Claim, version: object, user: Visitor) -> Claim:
    """Accept a NEEDS_CHECK claim's proposal: it moves there (EXACT if its quote is
    unchanged, else MOVED). Refused for an orphan (no proposal), a claim settled or edited
    since (``version``), a target no longer the newest revision, or a user who may not
    change the claim."""
    locked = _lock_waiting(claim, version, user)
    if locked.anchor_state != AnchorState.NEEDS_CHECK:
        raise ClaimError(ERROR_NO_PROPOSAL)
    assert locked.anchor_target_id is not None  # _lock_waiting checked it
    target_text = Document.objects.values_list("text", flat=True).get(pk=locked.anchor_target_id)
    start, end = locked.anchor_start, locked.anchor_end
    assert start is not None and end is not None
    return _move_checked(locked, start, end, target_text[start:end], None,
                         locked.anchor_score, PERSON, user)  # fmt: skip


@transaction.atomic
def orphan_reanchor(
    *, claim: Claim, start: object, end: object, quote: object, version: object, user: Visitor
) -> Claim:
    """Move a waiting claim onto the passage a person selected in the revision it waits
    for: ``start``/``end`` in code points of that text, ``quote`` the text there (checked
    like a new claim's). Refused as ``orphan_accept`` is, and for a span that does not fit."""
    locked = _lock_waiting(claim, version, user)
    return _move_checked(locked, start, end, quote, None, None, PERSON, user)


@transaction.atomic
def orphan_keep(*, claim: Claim, version: object, user: Visitor) -> Claim:
    """Keep a waiting claim on its old revision: it leaves the queue, ORPHANED and kept
    (later revisions do not try to carry it again). Refused as ``orphan_accept`` is,
    except that the target need not be the newest revision."""
    locked = _lock_waiting(claim, version, user, target_current=False)
    locked.anchor_state = AnchorState.ORPHANED
    locked.anchor_target = None
    locked.anchor_start = locked.anchor_end = None
    locked.anchor_candidates = []
    locked.anchor_kept = True
    locked.anchor_method = PERSON
    locked.version += 1
    save_with_reason(locked, user, f"Kept on revision #{locked.document_id} by a person")
    return locked


# --- Evidence left behind -----------------------------------------------------------------


def evidence_left_behind(*, document: Document | None = None) -> QuerySet[Evidence]:
    """The passages of evidence a re-anchoring could not carry over safely (NEEDS_CHECK or
    ORPHANED): each still cites its old revision, read-only here, until a person replaces
    it on its claim or link; only those citing ``document``'s text (any of its revisions)
    when given. Loaded with their document and source, author, and what they are evidence
    for (the claim, or the link and its two claims), texts unloaded; by document, the
    checks first, then by place."""
    left = Evidence.objects.filter(kind=EvidenceKind.PASSAGE, anchor_state__in=UNSETTLED_STATES)
    if document is not None:
        left = left.filter(document__in=_text_chain(document))
    return (
        left.select_related("document__source", "created_by", "claim", "link__left", "link__right")
        .defer("document__text")
        .order_by("document", "anchor_state", "start", "pk")  # needs_check first
    )


@dataclass(frozen=True)
class LeftBehindView:
    """What the orphan queue shows of a passage of evidence left on an older revision: its
    quote in that text (``old``) and the current revision of the text (``current``)."""

    evidence: Evidence
    old: Placement
    current: Document


def evidence_left_views(items: Sequence[Evidence]) -> list[LeftBehindView]:
    """``LeftBehindView`` of each passage, in order: two queries for a whole page (the
    quotes' surroundings, cut out by the database rather than reading whole texts, then
    the current revisions, ``corpus.services.current_revisions``), none when ``items`` is
    empty."""
    if not items:
        return []
    first = Greatest(F("start") - CONTEXT_CHARS, Value(0), output_field=IntegerField())
    cut = (
        Evidence.objects.filter(pk__in=[item.pk for item in items])
        .annotate(first=first)
        .annotate(
            near=Substr("document__text", F("first") + 1, F("end") + CONTEXT_CHARS - F("first"))
        )
        .values_list("pk", "first", "near")
    )
    surroundings = {pk: (first, near) for pk, first, near in cut}
    currents = current_revisions(item.document for item in items)
    views = []
    for item in items:
        assert item.document_id is not None and item.start is not None and item.end is not None
        offset, near = surroundings[item.pk]
        old = _placement(near, item.start - offset, item.end - offset, item.anchor_score)
        views.append(LeftBehindView(
            evidence=item, old=replace(old, start=item.start, end=item.end),
            current=currents[item.document_id],
        ))  # fmt: skip
    return views
