"""The corpus as one W3C Web Annotations file (JSON-LD): the Export page's download, its
prepared file (a job) and ``manage.py export_annotations --format jsonld`` write the same
bytes. Registered as an export format of ``claims`` (``claims.exports``) by
``InterchangeConfig.ready()``."""

from collections.abc import Iterator

from django.utils import timezone

from claims.exports import ExportFormat
from interchange import w3c
from jobs.runner import Progress, job_task

MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def file_chunks(base: str) -> Iterator[bytes]:
    """The corpus container as one AnnotationCollection, every annotation in its one
    embedded page; its IRIs start with ``base``."""
    iris = w3c.Iris(base)
    return w3c.write_json(w3c.collection_file(w3c.corpus_scope(), iris, iris.download))


def file_name() -> str:
    return f"crosscheck-annotations-{timezone.localdate().isoformat()}.jsonld"


@job_task(retry_when_lost=True)
def export_annotations_file(progress: Progress, *, base_url: str) -> None:
    """The same file as the download, written to the job's result."""
    total = sum(part.queryset.count() for part in w3c.corpus_scope().parts())
    progress.start(total=total, label="Writing W3C Web Annotations")
    with progress.result_file(file_name(), MEDIA_TYPE) as stream:
        for chunk in file_chunks(base_url):  # w3c.CHUNK_SIZE annotations at most each
            stream.write(chunk)
            progress.advance(w3c.CHUNK_SIZE)
        progress.advance(total)  # all written (advance stops at the total)
    progress.summary = f"{total:,} annotations."


JSONLD_FORMAT = ExportFormat(
    name="jsonld",
    label="W3C Web Annotations (JSON-LD)",
    about=(
        "Every claim, claim pair and piece of evidence as a W3C Web Annotation, in one "
        "AnnotationCollection: claims anchored with a TextQuoteSelector and a "
        "TextPositionSelector (code points), pairs as linking annotations, evidence as "
        "assessing annotations. The same annotations are served page by page at "
        "/annotations/ (the Web Annotation Protocol)."
    ),
    chunks=file_chunks,
    download_url="interchange:download",
    prepare_url="interchange:prepare",
)
