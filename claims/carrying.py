"""Carrying claims and passage evidence over to the newest revision of their text: the
work of the re-anchoring job (``claims.tasks.reanchor_revision``) and of
``manage.py import_revision``, and the moves the orphan queue's services make
(``claims.revisions``). The matching itself is ``claims.reanchoring`` (pure)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from claims import reanchoring
from claims.anchoring import context, trim
from claims.errors import ClaimError
from claims.history import record_author, record_reason
from claims.models import UNSETTLED_STATES, AnchorState, Claim, Evidence, EvidenceKind
from claims.services import claim_search_text
from corpus.models import Document
from corpus.services import current_revision
from crosscheck.text import plural

ERROR_NOT_A_REVISION = "Document #{pk} is a first text: it has no earlier revision to carry over."
BATCH = 200  # claims (or evidence) locked and written per transaction
PERSON = "person"  # the anchor method of a passage a person chose
# A job sweeps again when claims reached an older revision while it ran (a job of an
# older revision finishing late): each sweep takes the newest revision as its target.
MAX_SWEEPS = 3


class Reporter(Protocol):
    """What ``revision_reanchor`` reports progress through (a job's ``Progress``, or a
    command's printer). ``advance`` may raise to stop the work."""

    def start(self, total: int | None, label: str) -> None: ...
    def advance(self, steps: int = 1) -> None: ...


@dataclass
class ReanchorOutcome:
    """What a re-anchoring did: claims by their new state, evidence carried or not."""

    target: Document
    claims: Counter[str]
    evidence: Counter[str]
    skipped: int = 0  # deleted or settled by a person while the job ran

    @property
    def summary(self) -> str:
        total = sum(self.claims.values())
        parts = [
            f"{self.claims[AnchorState.EXACT]:,} exact",
            f"{self.claims[AnchorState.MOVED]:,} moved",
            f"{self.claims[AnchorState.NEEDS_CHECK]:,} to check",
            f"{self.claims[AnchorState.ORPHANED]:,} orphaned",
        ]
        carried = self.evidence[AnchorState.EXACT] + self.evidence[AnchorState.MOVED]
        passages = sum(self.evidence.values())
        return (
            f"{plural(total, 'claim')} onto revision {self.target.revision}: {', '.join(parts)}; "
            f"{carried:,} of {plural(passages, 'evidence passage')} carried over."
        )


def older_revisions(target: Document) -> list[int]:
    """The ids of the revisions before ``target``, newest first (one query each)."""
    older = []
    current = target
    while current.previous_id is not None:
        older.append(current.previous_id)
        current = Document.objects.only("pk", "previous_id").get(pk=current.previous_id)
    return older


def _claims_to_carry(older: list[int], target: Document) -> QuerySet[Claim]:
    """Claims on an older revision that are not kept there, and not already waiting for
    ``target`` (re-running a finished job finds nothing to do)."""
    waiting = Q(anchor_state__in=UNSETTLED_STATES, anchor_target=target)
    return Claim.objects.filter(document__in=older, anchor_kept=False).exclude(waiting)


def _evidence_to_carry(older: list[int]) -> QuerySet[Evidence]:
    return Evidence.objects.filter(kind=EvidenceKind.PASSAGE, document__in=older)


class _Texts:
    """The engine's ``Revision`` of each older text onto the target, built once each."""

    def __init__(self, target: Document, target_text: str) -> None:
        self.target = target
        self.target_text = target_text
        self._revisions: dict[int, reanchoring.Revision] = {}

    def reanchor(self, document_id: int, *, start: int, end: int, quote: str, prefix: str,
                 suffix: str) -> reanchoring.Reanchored:  # fmt: skip
        revision = self._revisions.get(document_id)
        if revision is None:
            old = Document.objects.values_list("text", flat=True).get(pk=document_id)
            revision = self._revisions[document_id] = reanchoring.Revision(old, self.target_text)
        return revision.reanchor(start=start, end=end, quote=quote, prefix=prefix, suffix=suffix)


def revision_reanchor(
    document: Document, *, user=None, progress: Reporter | None = None
) -> ReanchorOutcome:
    """Carry every claim and passage evidence on an older revision of ``document``'s text
    (not kept there by a person) to its newest revision. Each batch is locked (SELECT FOR
    UPDATE, by id) and written in its own transaction, every row re-read under the lock:
    an edit or a person's settling made meanwhile is waited for and then seen, a deleted
    claim is skipped. A job stopped midway keeps the batches it finished; running it again
    does only what is left (claims already waiting for the newest revision are not
    redone). ``user`` is named in the claims' history."""
    if document.previous_id is None:
        raise ClaimError(ERROR_NOT_A_REVISION.format(pk=document.pk))
    outcome: ReanchorOutcome | None = None
    for _ in range(MAX_SWEEPS):
        target = current_revision(document)
        older = older_revisions(target)
        claims = _claims_to_carry(older, target).order_by("pk")
        claim_ids = list(claims.values_list("pk", flat=True))
        if outcome is not None and not claim_ids:
            break
        if outcome is None or outcome.target.pk != target.pk:
            outcome = ReanchorOutcome(target, Counter(), Counter())
        evidence = _evidence_to_carry(older).order_by("pk")
        evidence_ids = list(evidence.values_list("pk", flat=True))
        target_text = Document.objects.values_list("text", flat=True).get(pk=target.pk)
        texts = _Texts(target, target_text)
        if progress is not None:
            progress.start(
                total=len(claim_ids) + len(evidence_ids),
                label=f"Re-anchoring onto revision {target.revision} of “{target.title}”",
            )
        for batch in _chunks(claim_ids):
            _carry_claims(batch, texts, older, user, outcome)
            if progress is not None:
                progress.advance(len(batch))
        for batch in _chunks(evidence_ids):
            _carry_passages(batch, texts, older, user, outcome)
            if progress is not None:
                progress.advance(len(batch))
    assert outcome is not None
    return outcome


@transaction.atomic
def _carry_claims(
    batch: list[int], texts: "_Texts", older: list[int], user, outcome: ReanchorOutcome
) -> None:
    carried = 0
    for claim in Claim.objects.select_for_update().filter(pk__in=batch).order_by("pk"):
        state = _carry_claim(claim, texts, older, user)
        if state is not None:
            outcome.claims[state] += 1
            carried += 1
    outcome.skipped += len(batch) - carried  # deleted or settled meanwhile


@transaction.atomic
def _carry_passages(
    batch: list[int], texts: "_Texts", older: list[int], user, outcome: ReanchorOutcome
) -> None:
    for item in Evidence.objects.select_for_update().filter(pk__in=batch).order_by("pk"):
        if item.document_id in older:
            outcome.evidence[_carry_evidence(item, texts, user)] += 1


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for index in range(0, len(ids), BATCH):
        yield ids[index : index + BATCH]


def span_fields(text: str, start: int, end: int) -> dict:
    """The anchor fields of ``text[start:end]`` trimmed of white space, with its context."""
    start, end = trim(text, start, end)
    prefix, suffix = context(text, start, end)
    return {"start": start, "end": end, "quote": text[start:end], "prefix": prefix,
            "suffix": suffix}  # fmt: skip


def span_taken(claim: Claim, document: Document, start: int, end: int) -> bool:
    """Whether the claim's annotator already has another claim on this span of ``document``
    (the database allows one per annotator and span)."""
    same = Claim.objects.filter(document=document, start=start, end=end)
    return same.filter(created_by_id=claim.created_by_id).exclude(pk=claim.pk).exists()


def _carry_claim(claim: Claim, texts: _Texts, older: list[int], user) -> str | None:
    """Re-anchor one locked claim onto the target; its new state, or None when it is no
    longer to carry (settled by a person, or moved by another job, meanwhile). Call while
    holding the claim's row lock."""
    target = texts.target
    if claim.document_id not in older or claim.anchor_kept:
        return None
    if claim.anchor_state in UNSETTLED_STATES and claim.anchor_target_id == target.pk:
        return None
    found = texts.reanchor(claim.document_id, start=claim.start, end=claim.end,
                           quote=claim.quote, prefix=claim.prefix, suffix=claim.suffix)  # fmt: skip
    state, start, end = found.state, found.start, found.end
    candidates = [[c.start, c.end, round(c.score, 4)] for c in found.candidates]
    if found.applied:
        assert start is not None and end is not None
        span = span_fields(texts.target_text, start, end)
        if not span_taken(claim, target, span["start"], span["end"]):
            try:
                with transaction.atomic():
                    carry_to(claim, target, span, state, found.score, found.method, user)
                return state
            except IntegrityError:  # the annotator's claim put on that span meanwhile
                claim.refresh_from_db()
        state = AnchorState.NEEDS_CHECK  # accepting it will say why it cannot move
    old_place = f"#{claim.document_id} {claim.start}–{claim.end}"
    claim.anchor_state = state
    claim.anchor_score = found.score
    claim.anchor_method = found.method
    claim.anchor_target = target
    claim.anchor_start = start if state == AnchorState.NEEDS_CHECK else None
    claim.anchor_end = end if state == AnchorState.NEEDS_CHECK else None
    claim.anchor_candidates = candidates
    claim.version += 1
    reason = (
        f"Not carried to revision {target.revision} (#{target.pk}): {state} "
        f"({found.method}, score {found.score:.2f}); stays at {old_place}"
    )
    save_with_reason(claim, user, reason)
    return state


def carry_to(claim: Claim, target: Document, span: dict, state: str, score: float | None,
          method: str, user) -> None:  # fmt: skip
    """Put the claim on ``span`` of ``target`` with its new state (call holding its lock)."""
    old_place = f"#{claim.document_id} {claim.start}–{claim.end}"
    for field, value in span.items():
        setattr(claim, field, value)
    claim.document = target
    claim.search_text = claim_search_text(claim.statement, claim.quote)
    claim.anchor_state = state
    claim.anchor_score = score
    claim.anchor_method = method
    claim.anchor_target = None
    claim.anchor_start = claim.anchor_end = None
    claim.anchor_candidates = []
    claim.anchor_kept = False
    claim.version += 1
    shown = "chosen by a person" if method == PERSON else f"{method}, score {score:.2f}"
    reason = (
        f"Carried to revision {target.revision}: {state} ({shown}) from {old_place} "
        f"to #{target.pk} {claim.start}–{claim.end}"
    )
    save_with_reason(claim, user, reason)


def save_with_reason(claim: Claim, user, reason: str) -> None:
    """Save the claim, its history naming ``user`` and giving ``reason``; an annotator's
    claim already on the span is refused by the database (``IntegrityError``)."""
    if user is not None:
        record_author(claim, user)
    record_reason(claim, reason[:100])
    claim.save()  # the database's constraints check the anchor state (claim_anchor_state_*)


def _carry_evidence(item: Evidence, texts: _Texts, user) -> str:
    """Re-anchor one locked passage of evidence; its new state (call holding its lock)."""
    assert item.document_id is not None and item.start is not None and item.end is not None
    found = texts.reanchor(item.document_id, start=item.start, end=item.end, quote=item.quote,
                           prefix=item.prefix, suffix=item.suffix)  # fmt: skip
    if found.applied:
        assert found.start is not None and found.end is not None
        for field, value in span_fields(texts.target_text, found.start, found.end).items():
            setattr(item, field, value)
        item.document = texts.target
    elif item.anchor_state == found.state and item.anchor_score == found.score:
        return found.state  # nothing new to record
    item.anchor_state = found.state
    item.anchor_score = found.score
    item.version += 1
    if user is not None:
        record_author(item, user)
    item.save()
    return found.state
