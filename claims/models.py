import uuid

from django.conf import settings
from django.db import models

from corpus.models import Document

STATEMENT_MAX_LENGTH = 1000
TOPIC_MAX_LENGTH = 50


def topic_key(name: str) -> str:
    """What makes two topic names the same: Unicode case folding (SQLite's LOWER() folds
    only ASCII, so the key is computed here rather than by the database)."""
    return name.casefold()


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

    objects = ClaimQuerySet.as_manager()

    class Meta:
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
        ]
        indexes = [
            # The document page loads a document's claims ordered by position.
            models.Index(fields=["document", "start", "end"], name="claim_document_position_idx"),
            # The claims list filters by annotator, newest first.
            models.Index(fields=["created_by", "-created_at"], name="claim_author_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    def get_absolute_url(self) -> str:
        return f"{self.document.get_absolute_url()}#claim-{self.public_id}"
