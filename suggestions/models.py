"""The passage index and what people decided about suggestions.

A document is cut into passages (windows of sentences, code-point offsets into its text);
each passage's index terms are stored as postings of a vocabulary. Texts never change, so
an entry never goes stale: a document is indexed once, in one transaction (all of its
passages or none), and its entries go when the document goes."""

from django.conf import settings
from django.db import models

from claims.models import Claim
from corpus.models import Document


class IndexedDocument(models.Model):
    """A document whose passages are in the index: written last, in the same transaction
    as its passages, so its presence means the document's index is whole."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="passage_index"
    )
    passages = models.PositiveIntegerField()
    # Index terms in all its passages: with ``passages``, BM25's average passage length.
    terms = models.PositiveBigIntegerField(default=0)
    indexed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "indexed document"

    def __str__(self) -> str:
        return f"{self.document_id}: {self.passages} passages"


class Term(models.Model):
    """An index term (stemmed, lowercased) and how many passages hold it. ``passages`` is
    written only by the indexer, with an atomic increment."""

    text = models.CharField(max_length=64, unique=True)
    passages = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.text


class TermGram(models.Model):
    """A character n-gram of a term, to find the spelling variants of a query's words
    (Nikolaev, Nicolaiev, Nikolayev) in the vocabulary."""

    pk = models.CompositePrimaryKey("gram", "term")
    gram = models.CharField(max_length=8)
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="grams")

    def __str__(self) -> str:
        return f"{self.gram} in {self.term_id}"


class Passage(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="passages")
    start = models.PositiveIntegerField(help_text="First code point of the passage.")
    end = models.PositiveIntegerField(help_text="Code point just after the passage.")
    # Number of index terms (BM25's document length).
    length = models.PositiveIntegerField()
    # What the ranking compares: names, numbers and dates found in the passage.
    features = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "start"], name="passage_unique_start"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="passage_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["document", "start", "end"], name="passage_span_idx")]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.start}-{self.end}"


class Posting(models.Model):
    """A term in a passage, and how often."""

    pk = models.CompositePrimaryKey("term", "passage")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="postings")
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="postings")
    count = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            # A passage's postings: scoring candidates, and deleting with the passage.
            models.Index(fields=["passage"], name="posting_passage_idx"),
            # The candidate query sums the counts of a few terms' postings: with the count
            # in the index it never reads the table (SQLite's composite primary key is a
            # separate index without it; 10× faster at 100× the seeds).
            models.Index(fields=["term", "passage", "count"], name="posting_term_cover_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.term_id} in {self.passage_id} ×{self.count}"


class PassageEmbedding(models.Model):
    """A passage's sentence embedding (float32, normalised) from the optional semantic
    model, computed by a job and stored; ``model`` names the weights (their sha256)."""

    passage = models.OneToOneField(
        Passage, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model = models.CharField(max_length=64)
    vector = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.passage_id} by {self.model[:12]}"


class Dismissal(models.Model):
    """ "Not related": a passage someone ruled out as a counterpart of a claim; it is not
    suggested for that claim again."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="dismissals")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "document", "start", "end"], name="dismissal_unique_passage"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="dismissal_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: not {self.document_id}:{self.start}-{self.end}"


class SuggestedPair(models.Model):
    """A stored suggestion for the corpus-wide Suggested pairs queue: a claim and a passage
    in another document, written only by the job that refreshes the queue."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="suggested_pairs")
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    shared = models.JSONField(default=list)
    differs = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "passage"], name="suggested_pair_unique"),
        ]
        indexes = [models.Index(fields=["-score", "id"], name="suggested_pair_rank_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id} ~ {self.passage_id}"
