"""The corpus-wide Suggested pairs queue: each claim with the passages of other documents
most likely about the same thing, stored as ``SuggestedPair`` rows and triaged by
annotators (``suggestions.views``).

One writer: the job ``refresh_suggested_pairs`` asks ``suggest_for_claim`` for every claim
(or only the claims made or changed since the last refresh, when no document was indexed
meanwhile) and replaces that claim's rows. What people decide since is read at display
time, not written into the rows: a pair leaves the queue when its passage is dismissed
for the claim, or when the claim is linked to a claim covering the passage."""

from datetime import datetime

from django.db import transaction
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Greatest, Least, Substr

from claims.models import RATIONALE_MAX_LENGTH, STATEMENT_MAX_LENGTH, Claim, ClaimLink
from corpus.models import Document
from crosscheck.text import plural, shorten
from jobs.models import Job, JobState
from jobs.runner import Progress, job_task
from jobs.services import jobs_fail_lost
from suggestions import services
from suggestions.models import Dismissal, IndexedDocument, Passage, SuggestedPair
from suggestions.payloads import CONTEXT_CHARACTERS, split_window
from suggestions.services import Suggestion

# Suggestions kept per claim: the queue shows the likeliest few, not a search's tail.
PAIRS_PER_CLAIM = 3
LABEL = "Find suggested pairs"


# --- The job -------------------------------------------------------------------------------


def refresh_running() -> Job | None:
    """A refresh queued or running (one whose worker died is first started again, or
    failed: ``jobs.services.job_fail_if_lost``): one at a time, as each replaces claims'
    rows."""
    jobs_fail_lost()
    return Job.objects.filter(kind=refresh_suggested_pairs.name).unfinished().first()


def last_refresh() -> datetime | None:
    """When the last refresh that finished had started: what it saw is in the rows."""
    done = Job.objects.filter(kind=refresh_suggested_pairs.name, state=JobState.DONE)
    return done.order_by("-started_at").values_list("started_at", flat=True).first()


def claims_to_refresh(since: datetime | None) -> QuerySet[Claim]:
    """The claims whose suggestions may have changed since ``since``: every claim when it
    is None or a document was indexed since (its passages may suit any claim), else the
    claims made or edited since."""
    claims = Claim.objects.all()
    if since is None or IndexedDocument.objects.filter(indexed_at__gte=since).exists():
        return claims
    return claims.filter(Q(created_at__gte=since) | Q(updated_at__gte=since))


def _passages_of(suggestions: list[Suggestion]) -> dict[tuple[int, int, int], int]:
    """The stored passage of each suggestion, by (document, start, end): the one it names,
    else found by its span (one query, only then)."""
    found = {(s.document.pk, s.start, s.end): s.passage for s in suggestions if s.passage}
    unnamed = [s for s in suggestions if not s.passage]
    if unnamed:
        spans = Q()
        for s in unnamed:
            spans |= Q(document_id=s.document.pk, start=s.start, end=s.end)
        rows = Passage.objects.filter(spans).values_list("document_id", "start", "end", "pk")
        found |= {(document, start, end): pk for document, start, end, pk in rows}
    return found


def pairs_replace(claim: Claim, suggestions: list[Suggestion]) -> int:
    """Replace ``claim``'s rows with ``suggestions`` (those of stored passages of other
    documents), in one transaction; the number of rows written."""
    suggestions = [s for s in suggestions if s.document.pk != claim.document_id]
    passages = _passages_of(suggestions)
    rows = {}
    for s in suggestions:
        passage = passages.get((s.document.pk, s.start, s.end))
        if passage is not None and passage not in rows:
            rows[passage] = SuggestedPair(
                claim=claim, passage_id=passage, score=s.score,
                shared=list(s.shared), differs=list(s.differs),
            )  # fmt: skip
    with transaction.atomic():
        SuggestedPair.objects.filter(claim=claim).delete()
        SuggestedPair.objects.bulk_create(rows.values())
    return len(rows)


@job_task(retry_when_lost=True)
def refresh_suggested_pairs(progress: Progress, *, everything: bool = False) -> None:
    """Find the likeliest counterparts of every claim that needs it (``claims_to_refresh``;
    all of them with ``everything``) and store them for the queue. Each claim's rows are
    replaced in a transaction of their own: a cancelled job keeps what it finished."""
    claims = claims_to_refresh(None if everything else last_refresh())
    progress.start(total=claims.count(), label="Finding counterparts of claims")
    written = 0
    # Document by document: each text (up to megabytes) is read once, not once per claim.
    documents = Document.objects.filter(pk__in=claims.values("document_id")).order_by("pk")
    for document_id in documents.values_list("pk", flat=True):
        document = Document.objects.select_related("source").get(pk=document_id)
        for claim in claims.filter(document=document).order_by("start", "pk"):
            claim.document = document
            found = services.suggest_for_claim(claim, limit=PAIRS_PER_CLAIM, user=progress.user)
            written += pairs_replace(claim, found)
            progress.advance()
    progress.summary = (
        f"{plural(progress.done, 'claim')} searched; {plural(written, 'suggested pair')} stored."
    )


# --- What the page reads ---------------------------------------------------------------------


def _dismissed() -> Exists:
    """A passage overlapping the pair's was dismissed for its claim (as the engine leaves
    out the passages overlapping a dismissed one)."""
    return Exists(
        Dismissal.objects.filter(
            claim=OuterRef("claim"),
            document=OuterRef("passage__document"),
            start__lt=OuterRef("passage__end"),
            end__gt=OuterRef("passage__start"),
        )
    )


def _linked() -> Exists:
    """The pair's claim is linked to a claim overlapping the passage (either side)."""
    claims_there = Claim.objects.filter(
        document=OuterRef(OuterRef("passage__document")),
        start__lt=OuterRef(OuterRef("passage__end")),
        end__gt=OuterRef(OuterRef("passage__start")),
    ).values("pk")
    return Exists(
        ClaimLink.objects.filter(
            Q(left=OuterRef("claim"), right__in=claims_there)
            | Q(right=OuterRef("claim"), left__in=claims_there)
        )
    )


def pending_pairs() -> QuerySet[SuggestedPair]:
    """The queue's pairs, best first: without those dismissed or already linked."""
    return SuggestedPair.objects.filter(~_dismissed(), ~_linked()).order_by("-score", "id")


def pair_rows() -> QuerySet[SuggestedPair]:
    """What a row of the queue shows: the claim and its source; the passage with some
    context (read from the database as a window of its text: the whole text may be
    megabytes), its source; an existing claim overlapping the passage, if any."""
    # A claim there: one lying at least half in the passage (as the engine's ``claim``).
    whole: IntegerField = IntegerField()
    overlap = Least(F("end"), OuterRef("passage__end"), output_field=whole) - Greatest(
        F("start"), OuterRef("passage__start"), output_field=whole
    )
    there = (
        Claim.objects.filter(
            document=OuterRef("passage__document"),
            start__lt=OuterRef("passage__end"),
            end__gt=OuterRef("passage__start"),
        )
        .annotate(twice_overlap=overlap * 2)
        .filter(twice_overlap__gte=F("end") - F("start"))
        .order_by("start", "pk")
    )
    window_start = Greatest(F("passage__start") - CONTEXT_CHARACTERS, Value(0))
    # One character more than shown: whether the text goes on after the context.
    window_length = F("passage__end") + (CONTEXT_CHARACTERS + 1) - F("window_start")
    return (
        SuggestedPair.objects.select_related("claim__document__source", "passage__document__source")
        .defer("claim__document__text", "passage__document__text")
        .annotate(
            window_start=window_start,
            window=Substr("passage__document__text", F("window_start") + 1, window_length),
            existing_id=Subquery(there.values("public_id")[:1]),
            existing_statement=Subquery(there.values("statement")[:1]),
            existing_start=Subquery(there.values("start")[:1]),
            existing_end=Subquery(there.values("end")[:1]),
        )
        .order_by("-score", "id")
    )


def draft_statement(quote: str) -> str:
    """The statement a counterpart claim is offered with: the passage on one line."""
    return shorten(" ".join(quote.split()), STATEMENT_MAX_LENGTH)


def draft_rationale(shared: list[str], differs: list[str]) -> str:
    """The rationale a counterpart link is offered with: what differs, else what both
    mention."""
    if differs:
        return shorten(f"Differs: {'; '.join(differs)}.", RATIONALE_MAX_LENGTH)
    if shared:
        return shorten(f"Both mention {', '.join(shared)}.", RATIONALE_MAX_LENGTH)
    return "Both speak of the same thing."


def with_context(pair: SuggestedPair) -> SuggestedPair:
    """Set ``pair.before``, ``pair.quote`` and ``pair.after`` from its window, and the
    drafts its counterpart form offers."""
    passage = pair.passage
    window: str = pair.window  # type: ignore[attr-defined]
    offset: int = pair.window_start  # type: ignore[attr-defined]
    shown = passage.end + CONTEXT_CHARACTERS - offset
    # The window holds one character past the context when the text goes on.
    length = offset + len(window) + (1 if len(window) > shown else 0)
    parts = split_window(window[:shown], offset, passage.start, passage.end, length)
    pair.before, pair.quote, pair.after = parts["before"], parts["quote"], parts["after"]  # type: ignore[attr-defined]
    pair.statement_draft = draft_statement(parts["quote"])  # type: ignore[attr-defined]
    pair.rationale_draft = draft_rationale(pair.shared, pair.differs)  # type: ignore[attr-defined]
    return pair
