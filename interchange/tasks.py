"""The interchange app's background jobs (see jobs.runner): thin shells over the services
the pages use."""

from crosscheck.text import plural
from interchange.importing import (
    ERROR_UPLOAD_GONE,
    ImportDoneBefore,
    ImportFileError,
    import_apply,
    upload_preview,
)
from interchange.models import ImportUpload
from jobs.runner import JobError, Progress, job_task


@job_task(retry_when_lost=True)
def preview_annotations(progress: Progress, *, upload_id: int) -> None:
    """Prepare a large file's preview (``upload_preview``): its plan is kept on the upload,
    and the preview page shows it once the job is done."""
    try:
        plan = upload_preview(upload_id=upload_id, user=progress.user, progress=progress)
    except ImportFileError as error:
        raise JobError(error.message) from None
    progress.summary = (
        f"Preview ready: {plan.to_import} of {plural(len(plan.rows), 'annotation')} "
        "can be imported."
    )


@job_task(retry_when_lost=True)
def import_annotations(progress: Progress, *, upload_id: int) -> None:
    """Import a confirmed annotation file (``import_apply``): one transaction, so a
    failure, a cancel or a lost worker leaves nothing half imported. The same transaction
    leaves the upload's receipt naming this job, so a run started again after the worker
    died past that commit ends done with the import's summary and imports nothing more."""
    upload = ImportUpload.objects.defer("data", "plan").filter(pk=upload_id).first()
    if upload is None:
        raise JobError(ERROR_UPLOAD_GONE)
    try:
        outcome = import_apply(
            upload=upload, user=progress.user, progress=progress, job=progress.job
        )
    except ImportDoneBefore as done:
        progress.summary = done.summary
        return
    except ImportFileError as error:
        raise JobError(error.message) from None
    progress.summary = outcome.summary
