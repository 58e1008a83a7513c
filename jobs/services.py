"""Starting, cancelling and tidying jobs: the only writers of ``Job`` outside the runner.

Who may do what: anyone signed in starts jobs (each caller checks its own permission for
the work itself) and follows and cancels their own; ``jobs.view_job`` sees and downloads
every job's result, ``jobs.change_job`` cancels anyone's (the editor role holds both)."""

import logging
from datetime import timedelta
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from jobs import storage
from jobs.models import NOTE_STARTED_AGAIN, Job, JobState
from jobs.runner import retries_when_lost, worker_lost

logger = logging.getLogger("jobs")

ERROR_NOT_YOURS = "This job was started by someone else."
ERROR_ALREADY_FINISHED = "This job has already finished."
ERROR_WORKER_LOST = (
    "The worker running this job stopped before it finished (it was restarted, killed or "
    "ran out of memory). Nothing it was doing was kept: start it again."
)


class JobPermissionDenied(Exception):
    def __init__(self, message: str = ERROR_NOT_YOURS) -> None:
        super().__init__(message)
        self.message = message


class JobAlreadyFinished(Exception):
    def __init__(self, message: str = ERROR_ALREADY_FINISHED) -> None:
        super().__init__(message)
        self.message = message


def can_view(user, job: Job) -> bool:
    return job.requested_by_id == user.pk or user.has_perm("jobs.view_job")


def can_cancel(user, job: Job) -> bool:
    return job.requested_by_id == user.pk or user.has_perm("jobs.change_job")


def job_start(
    *,
    task: Task,
    user,
    label: str,
    request_id: str = "",
    input_data: bytes | None = None,
    input_filename: str = "",
    **kwargs,
) -> Job:
    """Record a job and queue ``task`` (made with ``jobs.runner.job_task``) with the
    ``kwargs`` (JSON values). ``input_data`` is kept in the private job storage for the
    task to read (``progress.input_path``). The task is queued once the job row is
    committed, so no worker looks for a job it cannot see yet. The job keeps the task's
    path and ``kwargs``, to start it again should its worker die (``job_fail_if_lost``)."""
    job = Job(
        requested_by=user, kind=task.name, label=label[:200], request_id=request_id,
        task_path=task.module_path, task_kwargs=kwargs,
    )  # fmt: skip
    if input_data is not None:
        job.input_path = storage.new_name(job.public_id, input_filename or "input")
        with storage.writing(job.input_path) as stream:
            stream.write(input_data)
    job.save()

    def enqueue() -> None:
        result = task.enqueue(job_id=job.pk, **kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


def job_cancel(*, job: Job, user) -> Job:
    """Stop a job: a queued one at once; a running one at its next progress report (its
    task then undoes what it was doing). ``JobAlreadyFinished`` when it has ended."""
    if not can_cancel(user, job):
        raise JobPermissionDenied
    now = timezone.now()
    if Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.CANCELLED, started_at=now, finished_at=now
    ):
        storage.delete(job.input_path)
        Job.objects.filter(pk=job.pk).update(input_path="")
    elif not Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(cancel_requested=True):
        raise JobAlreadyFinished
    job.refresh_from_db()
    return job


def job_fail_if_lost(job: Job) -> Job:
    """Deal with a running job whose worker is gone (``jobs.runner.worker_lost``): start it
    again when it may be (``_task_to_run_again``), else mark it failed. The job as it now
    stands; no query unless it is running.

    Both writes are compare-and-set on the state, the lost worker and the attempt, so of
    two pages that find the same job lost at once only one puts it back in the queue (or
    fails it): the other's update matches no row. A job put back keeps its input file and
    is queued again once that is committed."""
    if job.state != JobState.RUNNING or not worker_lost(job):
        return job
    lost = Job.objects.filter(
        pk=job.pk, state=JobState.RUNNING, worker=job.worker, attempt=job.attempt
    )
    task = _task_to_run_again(job)
    again = task is not None and lost.filter(cancel_requested=False).update(
        state=JobState.QUEUED, started_at=None, worker="", heartbeat_at=None,
        progress_done=0, progress_total=None, progress_label=NOTE_STARTED_AGAIN,
        task_result_id="", attempt=F("attempt") + 1,
    )  # fmt: skip
    if task is not None and again:
        logger.warning("Job %s (%s): its worker %s is gone; started again (attempt %s of %s)",
                       job.public_id, job.kind, job.worker, job.attempt + 1,
                       job.attempts_allowed)  # fmt: skip
        _fail_engine_result(job.task_result_id)
        transaction.on_commit(partial(_enqueue_again, task, job.pk, job.task_kwargs))
    elif lost.update(
        state=JobState.FAILED, finished_at=timezone.now(), error=ERROR_WORKER_LOST, input_path=""
    ):
        logger.error("Job %s (%s): its worker %s is gone", job.public_id, job.kind, job.worker)
        storage.delete(job.input_path)
        _fail_engine_result(job.task_result_id)
    job.refresh_from_db()
    return job


def _task_to_run_again(job: Job) -> Task | None:
    """The task of a job whose worker died, when the job is to be started again: its task
    is safe to run again (``job_task(retry_when_lost=True)``), it has runs left
    (``CROSSCHECK_JOB_RETRIES``), nobody asked it to stop, and the job knows its task (rows
    recorded before ``task_path`` existed do not)."""
    if not job.task_path or job.cancel_requested or job.attempt >= job.attempts_allowed:
        return None
    try:
        task = import_string(job.task_path)
    except ImportError:
        logger.warning("Job %s: its task %s is gone", job.public_id, job.task_path)
        return None
    return task if isinstance(task, Task) and retries_when_lost(task) else None


def _enqueue_again(task: Task, job_id: int, kwargs: dict) -> None:
    """Queue a job put back by ``job_fail_if_lost``; one the engine refuses (its queue is
    unreachable) is marked failed rather than left waiting for ever."""
    try:
        result = task.enqueue(job_id=job_id, **kwargs)
    except Exception:
        logger.exception("Job #%s could not be queued again", job_id)
        now = timezone.now()
        queued = Job.objects.filter(pk=job_id, state=JobState.QUEUED)
        input_path = queued.values_list("input_path", flat=True).first()
        if queued.update(state=JobState.FAILED, started_at=now, finished_at=now,
                         error=ERROR_WORKER_LOST, input_path=""):  # fmt: skip
            storage.delete(input_path or "")
        return
    Job.objects.filter(pk=job_id).update(task_result_id=str(result.id)[:64])


def jobs_fail_lost() -> int:
    """``job_fail_if_lost`` for every running job; how many were marked failed (those
    started again are not counted)."""
    running = Job.objects.filter(state=JobState.RUNNING)
    return sum(job_fail_if_lost(job).state == JobState.FAILED for job in running)


def _fail_engine_result(task_result_id: str) -> None:
    """The database backend leaves a killed worker's task "running" for ever; record it as
    failed there too (other backends keep their own books)."""
    if not task_result_id or not apps.is_installed("django_tasks_db"):
        return
    results = apps.get_model("django_tasks_database", "DBTaskResult").objects
    try:
        results.filter(id=task_result_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now()
        )
    except ValidationError:
        pass  # not one of its ids: the job ran on another backend


def jobs_purge(*, now=None) -> tuple[int, int]:
    """Remove result files older than ``CROSSCHECK_JOB_RESULT_DAYS`` (the job stays, marked
    expired) and files no job needs (leftovers of killed workers). Deals with lost jobs
    first (``jobs_fail_lost``). Returns (results expired, other files removed)."""
    now = now or timezone.now()
    jobs_fail_lost()
    cutoff = now - timedelta(days=settings.CROSSCHECK_JOB_RESULT_DAYS)
    expired = 0
    old = Job.objects.filter(finished_at__lt=cutoff).exclude(result_path="")
    for job in old.filter(result_expired=False):
        storage.delete(job.result_path)
        expired += Job.objects.filter(pk=job.pk).update(result_expired=True)
    wanted = set()
    for result_path, input_path in Job.objects.exclude(result_path="", input_path="").filter(
        result_expired=False
    ).values_list("result_path", "input_path"):  # fmt: skip
        wanted.update({result_path, input_path})
    unfinished = {str(public_id) for public_id in Job.objects.unfinished().values_list(
        "public_id", flat=True)}  # fmt: skip
    removed = 0
    for name in storage.all_names():
        if name in wanted or name[:36] in unfinished:
            continue
        storage.delete(name)
        removed += 1
    return expired, removed
