import unicodedata
import uuid

from django.conf import settings
from django.db import models
from django.db.models.lookups import Exact
from django.urls import reverse
from simple_history.models import HistoricalRecords

from corpus.models import IMPORT_EXPORT_PERMISSIONS, Document
from crosscheck.dates import MAX_YEAR, MIN_YEAR

STATEMENT_MAX_LENGTH = 1000
TOPIC_MAX_LENGTH = 50
RATIONALE_MAX_LENGTH = 4000
EVIDENCE_TEXT_MAX_LENGTH = 10_000
URL_MAX_LENGTH = 2000
REVIEW_NOTE_MAX_LENGTH = 4000


def topic_key(name: str) -> str:
    """What makes two topic names the same: Unicode case folding (SQLite's LOWER() folds
    only ASCII, so the key is computed here rather than by the database)."""
    return name.casefold()


def search_key(*texts: str) -> str:
    """What the typeahead searches: the texts joined, in Unicode NFC and case-folded
    (Unicode-wide, where SQLite's LIKE folds only ASCII), so a plain substring match
    ignores case and how accents are encoded ("é" as one code point or as "e" and a
    combining accent). NFC again after folding, which can decompose (U+01F0 "ǰ" folds to
    "j" and a combining caron)."""
    folded = unicodedata.normalize("NFC", "\n".join(texts)).casefold()
    return unicodedata.normalize("NFC", folded)


class Topic(models.Model):
    """A tag on claims, created on the fly by annotators; names are unique ignoring case."""

    name = models.CharField(max_length=TOPIC_MAX_LENGTH)
    key = models.CharField(max_length=TOPIC_MAX_LENGTH * 3, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="topic_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.key = topic_key(self.name)  # derived, so it can never disagree with the name
        super().save(*args, **kwargs)


def _event_date_valid() -> models.Q:
    """A partial event date the database keeps whole (``crosscheck.dates.partial_date_problem``
    says the same in words, for the services): a month needs a year and a day a month; the
    year within 1000–2100, the month 1–12, the day within its month, 29 February only in leap
    years; "about" only on a date."""
    Q = models.Q
    year = models.F("event_year")

    def divisible(by: int) -> Exact:
        return Exact(year % by, 0)

    leap = Q(divisible(4)) & (~Q(divisible(100)) | Q(divisible(400)))
    day_fits = (
        Q(event_day__lte=28)
        | Q(event_day__lte=30, event_month__in=[1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        | Q(event_day=31, event_month__in=[1, 3, 5, 7, 8, 10, 12])
        | (Q(event_day=29, event_month=2) & leap)
    )
    return (
        (Q(event_month__isnull=True) | Q(event_year__isnull=False))
        & (Q(event_day__isnull=True) | Q(event_month__isnull=False))
        & (Q(event_year__isnull=True) | Q(event_year__gte=MIN_YEAR, event_year__lte=MAX_YEAR))
        & (Q(event_month__isnull=True) | Q(event_month__gte=1, event_month__lte=12))
        & (Q(event_day__isnull=True) | (Q(event_day__gte=1) & day_fits))
        & (Q(event_approximate=False) | Q(event_year__isnull=False))
    )


EVENT_DATE_VALID = _event_date_valid()
EVENT_DATE_INVALID = (
    "This event date cannot be: a month needs a year and a day its month, the year is "
    f"{MIN_YEAR}–{MAX_YEAR}, and the day must be in its month (29 February in leap years only)."
)


class AnchorState(models.TextChoices):
    """How a claim (or a passage of evidence) came through the correction of its text
    (``claims.reanchoring``): EXACT, the quote is unchanged; MOVED, carried over with small
    changes (spacing, quotes, a one-letter fix); NEEDS_CHECK, a low-confidence match a
    person must accept (the claim stays on its old revision until then); ORPHANED, no
    acceptable match (it stays on its old revision)."""

    EXACT = "exact", "exact"
    MOVED = "moved", "moved"
    NEEDS_CHECK = "needs_check", "needs a check"
    ORPHANED = "orphaned", "orphaned"


# The states of claims that wait for a person in the orphan queue (unless kept).
UNSETTLED_STATES = (AnchorState.NEEDS_CHECK, AnchorState.ORPHANED)


def _anchor_state_valid() -> models.Q:
    """A claim's anchor state and what goes with it: a NEEDS_CHECK claim has its proposed
    span (non-empty) in the revision it waits for; an ORPHANED one names that revision
    (or has been kept, by a person, on its old revision); EXACT and MOVED claims wait for
    nothing and propose nothing."""
    Q = models.Q
    proposal = Q(anchor_start__isnull=False, anchor_end__isnull=False) & Q(
        anchor_start__lt=models.F("anchor_end")
    )
    no_proposal = Q(anchor_start__isnull=True, anchor_end__isnull=True)
    return (
        Q(
            anchor_state=AnchorState.NEEDS_CHECK,
            anchor_target__isnull=False,
            anchor_kept=False,
        )
        & proposal
        | Q(anchor_state=AnchorState.ORPHANED)
        & no_proposal
        & (Q(anchor_target__isnull=False) | Q(anchor_kept=True))
        | Q(
            anchor_state__in=[AnchorState.EXACT, AnchorState.MOVED],
            anchor_target__isnull=True,
            anchor_kept=False,
        )
        & no_proposal
    )


class ClaimQuerySet(models.QuerySet):
    def for_document(self, document: Document) -> "ClaimQuerySet":
        """The claims of one document in reading order, with what the page shows of each.

        Two queries when evaluated (claims with their authors, then their topics)."""
        return (
            self.filter(document=document)
            .select_related("created_by")
            .prefetch_related("topics")
            .order_by("start", "end", "pk")
        )

    def listing(self) -> "ClaimQuerySet":
        """Claims for lists: with document (text left unloaded), source, author and topics."""
        return (
            self.select_related("document__source", "created_by")
            .defer("document__text")
            .prefetch_related("topics")
        )


class Claim(models.Model):
    """A highlighted span of one document and the annotator's statement of what it claims.

    Anchored the W3C Web Annotation way: ``start``/``end`` are offsets in Unicode code points
    into the document's stored text (TextPositionSelector) and ``quote`` with ``prefix`` and
    ``suffix`` is the exact text and its context (TextQuoteSelector). Only
    ``claims.services`` writes claims; it checks the anchor against the text."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="claims")
    start = models.PositiveIntegerField(help_text="First code point of the quote.")
    end = models.PositiveIntegerField(help_text="Code point just after the quote.")
    quote = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    statement = models.TextField(max_length=STATEMENT_MAX_LENGTH)
    topics = models.ManyToManyField(Topic, blank=True, related_name="claims")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every edit; an edit based on an older one is refused."
    )
    search_text = models.TextField(
        editable=False, default="", help_text="search_key(statement, quote), for the typeahead."
    )
    # The date of the event the claim speaks of, as precise as the source is: a year, a
    # month of a year, or a day; "about" when the source hedges. Written by
    # claims.services.claim_date_set (and claim_update); claim_event_date_valid keeps it whole.
    event_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of the event the claim speaks of."
    )
    event_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its month (1–12), if the source says."
    )
    event_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its day of the month, if the source says."
    )
    event_approximate = models.BooleanField(
        default=False, help_text="The source dates it only roughly (“about 1929”)."
    )
    # How the claim came through the corrections of its text (claims.revisions): its
    # state, the confidence and method of the last re-anchoring; for NEEDS_CHECK the
    # proposed span of ``anchor_target`` (the newer revision it waits to be carried to,
    # also named by an ORPHANED claim), and the best other candidates there.
    anchor_state = models.CharField(
        max_length=12, choices=AnchorState.choices, default=AnchorState.EXACT, editable=False
    )
    anchor_score = models.FloatField(
        null=True, blank=True, editable=False, help_text="Confidence 0–1 of the last re-anchoring."
    )
    anchor_method = models.CharField(max_length=20, blank=True, editable=False)
    anchor_target = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="claims_awaiting",
        help_text="The newer revision this claim has not been carried to yet.",
    )
    anchor_start = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Proposed start in the newer revision."
    )
    anchor_end = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Proposed end in the newer revision."
    )
    anchor_candidates = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Best alternatives in the newer revision: [[start, end, score], …].",
    )
    anchor_kept = models.BooleanField(
        default=False, editable=False, help_text="A person chose to keep it on its old revision."
    )

    objects = ClaimQuerySet.as_manager()
    # The admin lists this history's deletion records as "Deleted claims", to restore from.
    history = HistoricalRecords(
        m2m_fields=[topics], verbose_name="deleted claim", verbose_name_plural="deleted claims"
    )

    class Meta:
        default_permissions = IMPORT_EXPORT_PERMISSIONS
        ordering = ["document", "start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__gte=0), name="claim_start_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="claim_span_not_empty"
            ),
            models.CheckConstraint(condition=~models.Q(quote=""), name="claim_quote_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(statement=""), name="claim_statement_not_empty"
            ),
            models.UniqueConstraint(
                fields=["document", "start", "end", "created_by"],
                name="claim_span_once_per_annotator",
            ),
            models.CheckConstraint(
                condition=EVENT_DATE_VALID,
                name="claim_event_date_valid",
                violation_error_message=EVENT_DATE_INVALID,
            ),
            models.CheckConstraint(
                condition=models.Q(anchor_state__in=AnchorState.values),
                name="claim_anchor_state_known",
            ),
            models.CheckConstraint(
                condition=_anchor_state_valid(), name="claim_anchor_state_consistent"
            ),
        ]
        indexes = [
            # The document page loads a document's claims ordered by position.
            models.Index(fields=["document", "start", "end"], name="claim_document_position_idx"),
            # The claims list filters by annotator, newest first.
            models.Index(fields=["created_by", "-created_at"], name="claim_author_recent_idx"),
            # The claims list shows the newest first (ORDER BY created_at DESC, id DESC LIMIT
            # 50): walked backwards, these spare sorting every claim (of the document).
            models.Index(fields=["created_at", "id"], name="claim_created_idx"),
            models.Index(fields=["document", "created_at", "id"], name="claim_document_recent_idx"),
            # The timeline groups the dated claims only (WHERE event_year IS NOT NULL) by
            # date and document: a partial index, as small as the dated share of the claims,
            # that holds every column it reads (no visit to the claims' rows).
            models.Index(
                fields=["event_year", "event_month", "event_day", "event_approximate", "document"],
                condition=models.Q(event_year__isnull=False),
                name="claim_event_date_idx",
            ),
            # The contradiction map groups every link by its two claims' documents: probed
            # for each side, this holds what it reads (and the event year it may filter
            # on), so that no claim row is read (comparison.matrix; SQLite: 150 → 40 ms).
            models.Index(fields=["id", "document", "event_year"], name="claim_id_document_idx"),
            # The timeline's date conflicts start from the dated claims' ids (a few
            # thousand of 100,000) and probe the links of each (comparison.timeline).
            models.Index(
                fields=["id"], condition=models.Q(event_year__isnull=False), name="claim_dated_idx"
            ),
            # The orphan queue lists the unsettled claims (a handful of all) by the
            # revision they wait for: a partial index as small as the queue.
            models.Index(
                fields=["anchor_target", "anchor_state", "id"],
                condition=models.Q(anchor_state__in=UNSETTLED_STATES, anchor_kept=False),
                name="claim_unsettled_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    def get_absolute_url(self) -> str:
        return f"{self.document.get_absolute_url()}#claim-{self.public_id}"


class Relation(models.TextChoices):
    CONTRADICTS = "contradicts", "contradicts"
    CORROBORATES = "corroborates", "corroborates"
    QUALIFIES = "qualifies", "qualifies"


class Direction(models.TextChoices):
    """Which claim of a link narrows the other. Only *qualifies* goes one way; contradicts
    and corroborates go both ways (``NONE``). ``UNKNOWN``: a qualifies link made before the
    direction was recorded (or imported without it), which the pages ask to be set."""

    LEFT_QUALIFIES_RIGHT = "left_qualifies_right", "left qualifies right"
    RIGHT_QUALIFIES_LEFT = "right_qualifies_left", "right qualifies left"
    UNKNOWN = "unknown", "direction not recorded"
    NONE = "none", "both ways"


# The directions a qualifies link may have; every other relation has ``Direction.NONE``.
QUALIFYING_DIRECTIONS = (
    Direction.LEFT_QUALIFIES_RIGHT,
    Direction.RIGHT_QUALIFIES_LEFT,
    Direction.UNKNOWN,
)
# How each symmetric relation reads of the two claims together.
SYMMETRIC_VERBS = {"contradicts": "contradict", "corroborates": "corroborate"}


class ReviewState(models.TextChoices):
    PENDING = "pending", "pending review"
    CONFIRMED = "confirmed", "confirmed"
    REJECTED = "rejected", "rejected"
    DISPUTED = "disputed", "disputed"
    NEEDS_EVIDENCE = "needs_evidence", "needs evidence"


class ClaimLinkQuerySet(models.QuerySet):
    def of_claim(self, claim: Claim) -> "ClaimLinkQuerySet":
        """The links with ``claim`` on either side."""
        return self.filter(models.Q(left=claim) | models.Q(right=claim))

    def with_sides(self, *, texts: bool = False) -> "ClaimLinkQuerySet":
        """Both claims with their documents, sources and authors, and the link's author:
        one query when evaluated. The documents' texts are left unloaded unless ``texts``
        (the claim pair page shows each quote in its context)."""
        links = self.select_related(
            "left__document__source", "right__document__source", "left__created_by",
            "right__created_by", "created_by",
        )  # fmt: skip
        return links if texts else links.defer("left__document__text", "right__document__text")

    def queue_rows(self) -> "ClaimLinkQuerySet":
        """What a row of the review queue shows, and nothing more: 50 links loaded with
        both sides whole (``with_sides``) took PostgreSQL 26 ms, these columns 14 ms."""
        return self.select_related(
            "left__document__source", "right__document__source", "created_by"
        ).only(
            "public_id", "relation", "direction", "review_state", "created_at",
            "created_by__username",
            "left__quote", "left__statement", "left__document__source__name",
            "right__quote", "right__statement", "right__document__source__name",
        )  # fmt: skip


class ClaimLink(models.Model):
    """An unordered pair of claims from different documents and how they relate.

    The pair is stored in a canonical order (``left`` has the smaller id), so the database
    refuses the same pair twice in either order. Only ``claims.services`` writes links."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    left = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_as_left")
    right = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links_as_right")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    # Which side narrows the other, for qualifies; "none" for the symmetric relations.
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.NONE)
    rationale = models.TextField(max_length=RATIONALE_MAX_LENGTH)
    review_state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claim_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = ClaimLinkQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name="deleted claim link", verbose_name_plural="deleted claim links"
    )

    class Meta:
        default_permissions = IMPORT_EXPORT_PERMISSIONS
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(left=models.F("right")), name="link_not_to_itself"
            ),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="link_pair_in_canonical_order"
            ),
            models.UniqueConstraint(fields=["left", "right"], name="link_pair_once"),
            models.CheckConstraint(
                condition=models.Q(relation__in=Relation.values), name="link_relation_known"
            ),
            models.CheckConstraint(
                condition=models.Q(review_state__in=ReviewState.values),
                name="link_review_state_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(rationale=""), name="link_rationale_not_empty"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(relation=Relation.QUALIFIES, direction__in=QUALIFYING_DIRECTIONS)
                    | (~models.Q(relation=Relation.QUALIFIES) & models.Q(direction=Direction.NONE))
                ),
                name="link_direction_fits_relation",
            ),
        ]
        indexes = [
            # A claim's links are found from either side; "left" is covered by link_pair_once.
            models.Index(fields=["right"], name="link_right_idx"),
            # The review queue lists links oldest first.
            models.Index(fields=["created_at", "id"], name="link_created_idx"),
            # The review dashboard counts links by state and relation from this index alone.
            models.Index(fields=["review_state", "relation"], name="link_state_relation_idx"),
            # The pair browser sorted by relation or by state (ORDER BY relation, created_at
            # DESC, id DESC LIMIT 50) reads these in order instead of sorting every link
            # (SQLite 74 ms at 100,000 links); filtered by one relation or state, the pair
            # browser reads them forwards (newest first) and the review queue backwards.
            models.Index(
                fields=["relation", "-created_at", "-id"], name="link_relation_recent_idx"
            ),
            models.Index(
                fields=["review_state", "-created_at", "-id"], name="link_state_recent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.left_id} {self.relation} {self.right_id}"

    def get_absolute_url(self) -> str:
        return reverse("claims:link", args=[self.public_id])

    def other_side(self, claim: Claim) -> Claim:
        return self.right if claim.pk == self.left_id else self.left

    @property
    def is_symmetric(self) -> bool:
        return self.relation != Relation.QUALIFIES

    @property
    def direction_unknown(self) -> bool:
        return self.relation == Relation.QUALIFIES and self.direction == Direction.UNKNOWN

    @property
    def qualifier(self) -> Claim | None:
        """The claim that narrows the other, when the link is a qualifies link whose
        direction is recorded; else None."""
        if self.direction == Direction.LEFT_QUALIFIES_RIGHT:
            return self.left
        if self.direction == Direction.RIGHT_QUALIFIES_LEFT:
            return self.right
        return None

    def in_reading_order(self) -> tuple[Claim, Claim]:
        """The two claims as "first <relation> second" reads: the qualifying claim first
        when the direction is known, else in stored order (which says nothing)."""
        if self.direction == Direction.RIGHT_QUALIFIES_LEFT:
            return self.right, self.left
        return self.left, self.right

    def relation_phrase(self) -> str:
        """The relation said of the two claims in reading order (``in_reading_order``), as
        a list row shows it beside them: "contradict each other", "qualifies the other
        claim" (the first narrows the second), "qualifies (direction not recorded)"."""
        if self.is_symmetric:
            return f"{SYMMETRIC_VERBS[self.relation]} each other"
        if self.direction_unknown:
            return "qualifies (direction not recorded)"
        return "qualifies the other claim"


class EvidenceKind(models.TextChoices):
    CITATION = "citation", "citation"
    URL = "url", "web address"
    QUOTE = "quote", "quoted passage"
    PASSAGE = "passage", "passage of a stored document"


class Bearing(models.TextChoices):
    SUPPORTS = "supports", "supports"
    REFUTES = "refutes", "refutes"


class EvidenceQuerySet(models.QuerySet):
    def listing(self) -> "EvidenceQuerySet":
        """Evidence with what a list of it shows: the cited document (text unloaded) and
        the author. One query when evaluated."""
        return self.select_related("document", "created_by").defer("document__text")

    def attached_to(self, *, claims=(), links=()) -> "EvidenceQuerySet":
        """The evidence on any of ``claims`` or any of ``links`` (instances or ids)."""
        return self.filter(models.Q(claim__in=claims) | models.Q(link__in=links))


class Evidence(models.Model):
    """What a claim or a link rests on: a citation, a web address, a quoted passage, or a
    passage of a stored document anchored like a claim. Attached to exactly one claim or
    one link. Only ``claims.services`` writes evidence; the server never fetches URLs."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    link = models.ForeignKey(
        ClaimLink, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    bearing = models.CharField(max_length=10, choices=Bearing.choices, default=Bearing.SUPPORTS)
    citation = models.TextField(blank=True, max_length=EVIDENCE_TEXT_MAX_LENGTH)
    url = models.CharField(blank=True, max_length=URL_MAX_LENGTH)
    quote = models.TextField(blank=True, max_length=EVIDENCE_TEXT_MAX_LENGTH)
    # A passage of a stored document, anchored like a claim (code points, quote, context).
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="cited_passages"
    )
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    # How the passage came through the corrections of its document (claims.revisions): a
    # passage that could not be carried over safely stays on its old revision, marked.
    anchor_state = models.CharField(
        max_length=12, choices=AnchorState.choices, default=AnchorState.EXACT, editable=False
    )
    anchor_score = models.FloatField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name="deleted evidence", verbose_name_plural="deleted evidence"
    )

    class Meta:
        default_permissions = IMPORT_EXPORT_PERMISSIONS
        ordering = ["created_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claim__isnull=False, link__isnull=True)
                | models.Q(claim__isnull=True, link__isnull=False),
                name="evidence_on_claim_or_link",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=EvidenceKind.values), name="evidence_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(bearing__in=Bearing.values), name="evidence_bearing_known"
            ),
            models.CheckConstraint(
                condition=models.Q(url="") | models.Q(url__regex=r"^https?://[^\s]+$"),
                name="evidence_url_is_http",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="citation") | ~models.Q(citation=""),
                name="evidence_citation_has_text",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="url") | ~models.Q(url=""), name="evidence_url_has_url"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="quote") | ~models.Q(quote=""),
                name="evidence_quote_has_text",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="passage")
                | models.Q(
                    document__isnull=False,
                    start__isnull=False,
                    end__isnull=False,
                    start__lt=models.F("end"),
                )
                & ~models.Q(quote=""),
                name="evidence_passage_is_anchored",
            ),
            models.CheckConstraint(
                condition=models.Q(anchor_state__in=AnchorState.values),
                name="evidence_anchor_state_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.bearing})"


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", "confirmed"
    REJECTED = "rejected", "rejected"
    NEEDS_EVIDENCE = "needs_evidence", "needs evidence"


class ReviewQuerySet(models.QuerySet):
    def current(self) -> "ReviewQuerySet":
        """Each reviewer's latest verdict on each link (earlier ones are history)."""
        return self.filter(is_current=True)


class Review(models.Model):
    """A reviewer's verdict on a claim link. A changed verdict is a new row; the earlier
    one stays with ``is_current`` False, so the history of verdicts is kept. Only
    ``claims.reviewing`` writes reviews."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    link = models.ForeignKey(ClaimLink, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    note = models.TextField(blank=True, max_length=REVIEW_NOTE_MAX_LENGTH)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    replaced_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        default_permissions = IMPORT_EXPORT_PERMISSIONS
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "reviewer"],
                condition=models.Q(is_current=True),
                name="review_one_current_per_reviewer",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values), name="review_verdict_known"
            ),
            models.CheckConstraint(
                condition=models.Q(is_current=True, replaced_at__isnull=True)
                | models.Q(is_current=False, replaced_at__isnull=False),
                name="review_replaced_when_not_current",
            ),
        ]
        indexes = [
            # The review queue leaves out links the user has a current review of.
            models.Index(fields=["reviewer", "link"], name="review_reviewer_link_idx"),
            # The dashboard counts current verdicts per reviewer from this index alone.
            models.Index(
                fields=["reviewer", "verdict"],
                condition=models.Q(is_current=True),
                name="review_current_verdicts_idx",
            ),
            # The dashboard's agreement figures read every current review grouped by link
            # from this index alone (claims.dashboard names it for SQLite, whose planner
            # prefers the link foreign key's index and then reads the table: 55 → 37 ms).
            models.Index(
                fields=["link", "reviewer", "verdict"],
                condition=models.Q(is_current=True),
                name="review_current_link_idx",
            ),
            # My verdicts lists a reviewer's current verdicts newest first (ORDER BY
            # created_at DESC, id DESC LIMIT 50): read in order, a search stops after a page
            # instead of testing and sorting all of them.
            models.Index(
                fields=["reviewer", "-created_at", "-id"],
                condition=models.Q(is_current=True),
                name="review_current_recent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} by {self.reviewer_id} on link {self.link_id}"


class FullTextMatch(models.Lookup):
    """``column MATCH query``: an FTS5 full-text query (SQLite)."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class FullTextColumn(models.TextField):
    """An FTS5 table's hidden column named after the table: ``__match`` queries its index."""

    class_lookups = {"match": FullTextMatch}


class ClaimSearchEntry(models.Model):
    """A claim's row in ``claims_claim_fts``, SQLite's trigram index of the claims' search
    texts (migration 0010; there is no such table on PostgreSQL), declared so that
    ``claims.search`` can join it: ``Claim.objects.filter(search_entry__index__match=…)``
    joins the claims to the rows the index finds. Django neither creates nor writes the
    table (its triggers keep it in step with the claims), and deletes nothing through it."""

    claim = models.OneToOneField(
        Claim, primary_key=True, db_column="rowid", db_constraint=False,
        on_delete=models.DO_NOTHING, related_name="search_entry",
    )  # fmt: skip
    index = FullTextColumn(db_column="claims_claim_fts")

    class Meta:
        managed = False
        db_table = "claims_claim_fts"
        default_permissions = ()

    def __str__(self) -> str:
        return f"search entry of claim {self.claim_id}"
