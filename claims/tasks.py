"""The claims app's background jobs (see jobs.runner): thin shells over the services the
pages use."""

from django.http import QueryDict

from claims.carrying import revision_reanchor
from claims.errors import ClaimError
from claims.exports import BATCH_ROWS, DATASETS, csv_chunks, export_filename, filtered
from corpus.models import Document
from jobs.runner import JobError, Progress, job_task

ERROR_FILTERS = "The filters of this export are no longer valid: {problems}"
ERROR_REVISION_GONE = "The revision to re-anchor onto no longer exists."


def dataset_query(filters: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in filters.items():
        data.setlist(key, values)
    return data


@job_task(retry_when_lost=True)
def export_dataset(progress: Progress, *, dataset: str, filters: dict, excel: bool) -> None:
    """The Export page's CSV of ``dataset`` with ``filters``, written to a file: the same
    bytes as the streamed download (``claims.exports.csv_chunks``)."""
    chosen = DATASETS[dataset]
    filterset = filtered(chosen, dataset_query(filters))
    if not filterset.is_valid():
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        raise JobError(ERROR_FILTERS.format(problems=problems))
    queryset = filterset.qs_gathered()
    progress.start(total=queryset.count(), label=f"Writing {chosen.label.lower()}")
    with progress.result_file(export_filename(chosen), "text/csv; charset=utf-8") as stream:
        chunks = csv_chunks(chosen, queryset, excel=excel)
        stream.write(next(chunks).encode("utf-8"))  # the header
        for chunk in chunks:  # BATCH_ROWS records each
            stream.write(chunk.encode("utf-8"))
            progress.advance(BATCH_ROWS)
    progress.summary = f"{progress.total:,} rows."


@job_task(retry_when_lost=True)
def reanchor_revision(progress: Progress, *, document_id: int) -> None:
    """Carry the claims and passage evidence of the revisions before ``document_id`` onto
    the newest revision (``claims.revisions.revision_reanchor``), batch by batch: a job
    stopped midway keeps the batches done, and running it again does the rest."""
    document = Document.objects.defer("text").filter(pk=document_id).first()
    if document is None:
        raise JobError(ERROR_REVISION_GONE)
    try:
        outcome = revision_reanchor(document, user=progress.user, progress=progress)
    except ClaimError as error:
        raise JobError(error.message) from None
    progress.summary = outcome.summary
