"""The suggestions app's background jobs (see jobs.runner): thin shells over the index."""

from corpus.models import Document
from jobs.runner import Progress, job_task
from suggestions.embeddings import embed_after_index
from suggestions.index import documents_unindexed, index_document


@job_task(retry_when_lost=True)
def index_documents(progress: Progress, *, document_ids: list[int] | None = None) -> None:
    """Index the passages of these documents (all the unindexed ones when None), each in
    its own transaction: a document stopped midway is left out whole, the ones before it
    stay indexed. Named documents indexed already are passed to the embedding again: a run
    started afresh after its worker died between a document's commit and its embedding
    job still starts that job."""
    if document_ids is None:
        documents = documents_unindexed()
    else:
        documents = Document.objects.filter(pk__in=document_ids).order_by("pk")
    indexed = passages = 0
    for document in documents.only("pk", "title"):
        passages += index_document(document, progress)
        indexed += 1
        # The semantic model's embeddings of the new passages, when it is installed.
        embed_after_index(document, user=progress.user)
    progress.summary = (
        f"{indexed:,} document{'' if indexed == 1 else 's'} indexed ({passages:,} passages)."
    )
