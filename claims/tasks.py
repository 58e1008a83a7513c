"""The claims app's background jobs (see jobs.runner): thin shells over the services the
pages use."""

from django.http import QueryDict

from claims.exports import BATCH_ROWS, DATASETS, csv_chunks, export_filename, filtered
from jobs.runner import JobError, Progress, job_task

ERROR_FILTERS = "The filters of this export are no longer valid: {problems}"


def dataset_query(filters: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in filters.items():
        data.setlist(key, values)
    return data


@job_task
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
