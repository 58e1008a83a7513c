"""Writing the passage index: a document's passages, their postings and the vocabulary.

A document is indexed in one transaction — its passages, their postings, the new terms
and their n-grams, the terms' passage counts and, last, its ``IndexedDocument`` row — so
the index holds all of a document or nothing of it; indexing it again does nothing.

Memory stays within one document: its text, its passages' term counts and one batch of
rows at a time (``BATCH`` passages, their postings written with a plain multi-row INSERT).
On PostgreSQL indexers take turns (a transaction-level advisory lock), so two jobs never
add the same new term or update the same terms' counts in opposite orders (a deadlock);
SQLite has one writer anyway."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import F

from corpus.models import Document
from suggestions import text as text_utils
from suggestions.models import IndexedDocument, Passage, Posting, Term, TermGram

BATCH = 500  # passages per INSERT batch (their postings: about 30 times as many rows)
LOOKUP_BATCH = 500  # values per IN (…) list
# pg_advisory_xact_lock key of the indexers ("passages" in ASCII).
ADVISORY_LOCK = 0x7061737361676573


class Reporter(Protocol):
    def start(self, total: int | None, label: str) -> None: ...
    def advance(self, steps: int = 1) -> None: ...


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _insert_rows(table: str, columns: Iterable[str], rows: list[tuple]) -> None:
    """A plain multi-row INSERT (no model instances), in batches under the databases'
    parameter limits."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    width = len(rows[0])
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    per_statement = max(1, 30_000 // width)
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, per_statement):
            values = ", ".join([placeholder] * len(chunk))
            params = [value for row in chunk for value in row]
            cursor.execute(f"INSERT INTO {quote(table)} ({names}) VALUES {values}", params)


def _term_ids(texts: list[str]) -> dict[str, int]:
    """The ids of these terms, adding the new ones (and their n-grams)."""
    ids: dict[str, int] = {}
    for chunk in _chunks(texts, LOOKUP_BATCH):
        ids.update(Term.objects.filter(text__in=chunk).values_list("text", "pk"))
    new = [t for t in texts if t not in ids]
    if new:
        Term.objects.bulk_create([Term(text=t) for t in new], batch_size=LOOKUP_BATCH)
        for chunk in _chunks(new, LOOKUP_BATCH):
            ids.update(Term.objects.filter(text__in=chunk).values_list("text", "pk"))
        grams = sorted({(g, ids[t]) for t in new for g in text_utils.variant_grams(t)})
        _insert_rows(TermGram._meta.db_table, ["gram", "term_id"], grams)
    return ids


def _count_passages(holding: Counter[str], ids: dict[str, int]) -> None:
    """Add to each term's passage count, one UPDATE per increment and batch of terms
    (an atomic ``passages = passages + n``)."""
    by_increment: dict[int, list[int]] = defaultdict(list)
    for term, number in holding.items():
        by_increment[number].append(ids[term])
    for increment, term_ids in sorted(by_increment.items()):
        for chunk in _chunks(sorted(term_ids), LOOKUP_BATCH):
            Term.objects.filter(pk__in=chunk).update(passages=F("passages") + increment)


def index_document(document: Document, progress: Reporter | None = None) -> int:
    """Cut the document into passages and index them, in one transaction; a document
    already indexed is left as it is. Returns the number of passages. ``progress``
    (a job's) hears of each batch and may stop the work by raising."""
    existing = IndexedDocument.objects.filter(document_id=document.pk).first()
    if existing is not None:
        return existing.passages
    text = Document.objects.values_list("text", flat=True).get(pk=document.pk)
    spans = text_utils.passages(text)
    if progress is not None:
        progress.start(total=len(spans), label=f"Indexing the passages of “{document.title}”")
    known_names = text_utils.document_names(text)
    counts: list[Counter[str]] = []
    holding: Counter[str] = Counter()
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        found = text_utils.index_terms(text[start:end])
        if found:  # a passage of punctuation alone has nothing to find it by
            kept.append((start, end))
            counts.append(found)
            holding.update(found.keys())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        existing = IndexedDocument.objects.filter(document_id=document.pk).first()
        if existing is not None:  # indexed by another job meanwhile
            return existing.passages
        ids = _term_ids(sorted(holding))
        for first in range(0, len(kept), BATCH):
            batch = kept[first : first + BATCH]
            rows = Passage.objects.bulk_create(
                [
                    Passage(
                        document_id=document.pk,
                        start=start,
                        end=end,
                        length=sum(counts[first + i].values()),
                        features=text_utils.features(text[start:end], known_names),
                    )
                    for i, (start, end) in enumerate(batch)
                ]
            )
            postings = [
                (ids[term], passage.pk, min(number, 32767))
                for i, passage in enumerate(rows)
                for term, number in counts[first + i].items()
            ]
            _insert_rows(Posting._meta.db_table, ["term_id", "passage_id", "count"], postings)
            if progress is not None:
                progress.advance(len(batch))
        _count_passages(holding, ids)
        IndexedDocument.objects.create(
            document_id=document.pk,
            passages=len(kept),
            terms=sum(sum(c.values()) for c in counts),
        )
    return len(kept)


def forget_counts(document: Document) -> None:
    """Take a document's passages out of the terms' passage counts, before its index
    entries go with it (its passages and postings are deleted by the cascade)."""
    table = Posting._meta.db_table
    passage_table = Passage._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.term_id, COUNT(*) FROM {quote(table)} p "
            f"JOIN {quote(passage_table)} s ON s.id = p.passage_id "
            "WHERE s.document_id = %s GROUP BY p.term_id",
            [document.pk],
        )
        rows: list[Any] = cursor.fetchall()
    by_decrement: dict[int, list[int]] = defaultdict(list)
    for term_id, number in rows:
        by_decrement[number].append(term_id)
    for decrement, term_ids in sorted(by_decrement.items()):
        for chunk in _chunks(sorted(term_ids), LOOKUP_BATCH):
            Term.objects.filter(pk__in=chunk, passages__gte=decrement).update(
                passages=F("passages") - decrement
            )


def documents_unindexed():
    """Documents not in the index yet (text left unloaded), oldest first."""
    return (
        Document.objects.filter(passage_index__isnull=True)
        .defer("text")
        .order_by("imported_at", "pk")
    )
