"""Storing passages' sentence embeddings for the semantic re-ranker (``suggestions.semantic``).

A job embeds one document's passages after its indexing (``embed_after_index``, called by
the index job); ``manage.py embed_passages`` embeds every indexed document. Both embed only
the passages that have no vector by the configured model yet, in batches of ``BATCH``
passages, each batch committed on its own: memory stays within one document's text and one
batch, and a job stopped half way (cancelled, its worker killed) keeps what it stored and
is finished by the next run. A vector never goes stale: texts never change."""

import logging
from collections.abc import Callable, Iterator

from corpus.models import Document
from jobs.runner import JobError, Progress, job_task
from jobs.services import job_start
from suggestions import semantic
from suggestions.models import IndexedDocument, Passage, PassageEmbedding

logger = logging.getLogger(__name__)

BATCH = 64  # passages embedded and written together
LABEL = "Embedding passages of “{title}”"


def passages_to_embed(document: Document):
    """The document's passages without a vector by the configured model, in text order."""
    have = PassageEmbedding.objects.filter(passage__document=document, model=semantic.MODEL_ID)
    return (
        Passage.objects.filter(document=document)
        .exclude(pk__in=have.values("passage_id"))
        .order_by("start")
    )


def _batches(document: Document) -> Iterator[list[tuple[int, int, int]]]:
    rows = passages_to_embed(document).values_list("pk", "start", "end")
    batch: list[tuple[int, int, int]] = []
    for row in rows.iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def embed_document(document: Document, *, advance: Callable[[int], None] | None = None) -> int:
    """Embed and store the vectors of the document's passages that have none; how many
    were stored. ``advance(n)`` is told after each batch. Loads the model on first use
    (``semantic.SemanticModelError`` when it is off, missing or not trusted)."""
    semantic.load_model()
    text = document.text
    stored = 0
    for batch in _batches(document):
        vectors = semantic.embed([text[start:end] for _, start, end in batch])
        PassageEmbedding.objects.bulk_create(
            [
                PassageEmbedding(
                    passage_id=pk, model=semantic.MODEL_ID, vector=semantic.to_bytes(vector)
                )
                for (pk, _, _), vector in zip(batch, vectors, strict=True)
            ],
            ignore_conflicts=True,  # a run beside this one stored the same passage first
        )
        stored += len(batch)
        if advance is not None:
            advance(len(batch))
    return stored


@job_task(retry_when_lost=True)
def embed_passages(progress: Progress, *, document_id: int) -> None:
    """The "embed passages" job of one indexed document."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        progress.summary = "The document was deleted: nothing to embed."
        return
    progress.start(total=passages_to_embed(document).count(), label="Loading the model")
    try:
        semantic.load_model()
        progress.start(total=progress.total, label=LABEL.format(title=document.title)[:200])
        stored = embed_document(document, advance=progress.advance)
    except semantic.SemanticModelError as error:
        raise JobError(error.message) from error
    progress.summary = f"{stored:,} passages embedded."


def embed_after_index(document: Document, *, user) -> None:
    """What the index job calls once a document's passages are committed: start its
    "embed passages" job when this process can embed (``semantic.available``) and some of
    its passages have no vector yet."""
    if not semantic.available():
        if semantic.enabled():
            logger.warning(
                "%s Passages of document %s not embedded.",
                semantic.ERROR_NOT_INSTALLED,
                document.pk,
            )
        return
    if not passages_to_embed(document).exists():
        return
    job_start(
        task=embed_passages,
        user=user,
        label=LABEL.format(title=document.title),
        document_id=document.pk,
    )


def documents_to_embed():
    """Indexed documents with at least one passage lacking a vector by the configured
    model (one query when iterated)."""
    missing = Passage.objects.exclude(
        pk__in=PassageEmbedding.objects.filter(model=semantic.MODEL_ID).values("passage_id")
    )
    indexed = IndexedDocument.objects.values("document_id")
    return (
        Document.objects.filter(pk__in=indexed)
        .filter(pk__in=missing.values("document_id"))
        .order_by("pk")
    )
