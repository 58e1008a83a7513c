"""Running a job: the task wrapper, the progress reporter a task calls, and the signs of
life that let a page tell a job whose worker died from one that is still working.

A job's task is a function ``work(progress, **kwargs)`` decorated with ``@job_task``; it
calls the same services a request would and reports through ``progress``:

    @job_task
    def export_claims(progress: Progress, *, dataset: str) -> None:
        progress.start(total=count, label="Writing rows")
        with progress.result_file("claims.csv", "text/csv") as stream:
            for chunk in chunks:
                stream.write(chunk)
                progress.advance(rows_in_chunk)

The wrapper claims the job (queued → running; a cancelled job is skipped), runs the
function with the job's request id on every log line, and records how it ended: done
(with the result file and ``progress.summary``), cancelled (``JobCancelled`` raised by a
progress report after someone pressed Cancel), or failed — with the message of a
``JobError``, or a generic one while the traceback goes to the log. It never re-raises:
the job row is the record, whatever the engine keeps.

**A worker that dies** (killed, out of memory, machine lost) cannot record anything. The
job names the process running it (``worker``: host, pid and the process's start time;
under RQ the process forked for the job, which dies with its worker: ``jobs.rq_worker``)
and, on PostgreSQL, a heartbeat thread refreshes ``heartbeat_at``. ``worker_lost`` reads
them: on the same host the process is looked up directly; elsewhere a heartbeat older than
``CROSSCHECK_JOB_STALE_SECONDS`` means it is gone. Pages and ``purge_jobs`` then mark the
job failed (``jobs.services.jobs_fail_lost``). Whatever the task was writing in a
transaction was rolled back by the database when the connection dropped, so an import is
never half applied, and a half-written result file never replaces a result.

**Started again instead** when its task says it is safe to run again after dying at any
point — ``@job_task(retry_when_lost=True)`` — and the job has runs left
(``CROSSCHECK_JOB_RETRIES``): many jobs are started by the app itself (indexing, carrying
claims over to a revision) and nobody would start them again. A task may say so when a
second run finishes the work without doing any of it twice: it is idempotent (it skips or
replaces what a run before it committed) or all or nothing *including* the mark that it was
done (an import that turns its upload into a receipt in its own transaction). The worker can
die even after the task's last commit, before the job is recorded done, so "all or nothing"
alone is not enough when something after that commit (a log entry, a second transaction)
would be repeated. The default is not to run again: a task nobody thought about fails as
before, for the person to look at, rather than risk doing its work twice. Each run writes
its progress, heartbeat and outcome only while the job is still at its ``attempt``: a run
taken for lost that was in fact still going (a heartbeat late past the limit) writes nothing
over the next.

**A worker gives way to the web server.** A job's process lowers its own priority
(``WORKER_NICENESS``, as ``nice``) before it runs the job: on a machine it shares with the
web server, requests get the processor first and a long job takes a little longer
(measured in bench/RESULTS.md, "The admin's export … as a background job"). A job run
inside the caller's process (the immediate backend of tests) leaves it as it was.

**Progress inside a transaction** (an import runs in one) would be invisible to others if
written on the task's own connection. On PostgreSQL it is written through a second
connection, so the page still moves; on SQLite the one writer holds the lock until the
transaction ends, so progress and cancellation wait for it (the label says what is being
done). Outside a transaction too, a SQLite report is skipped, not fatal, when it finds
another connection writing: a task that reads (an export) keeps a read lock while its
query is open, and a request that saves something meanwhile holds the write lock waiting
for it; SQLite refuses the task's write at once rather than let the two wait on each
other."""

import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskContext

from jobs import storage
from jobs.log import request_id_of_job
from jobs.models import LABEL_MAX_LENGTH, Job, JobState

logger = logging.getLogger("jobs")

ERROR_UNEXPECTED = (
    "The job stopped because of an unexpected error; nothing it was doing was kept. "
    "Quote request id {request_id} to an administrator: the details are in the log."
)
PROGRESS_INTERVAL_SECONDS = 0.5
WORKER_NICENESS = 10  # of 19: a busy web process gets about ten times a job's share
HOST = socket.gethostname()


class JobError(Exception):
    """A failure the person who started the job can act on: its message is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobCancelled(Exception):
    """Raised by a progress report once someone asked the job to stop."""


# --- which process runs a job ----------------------------------------------------------


def _process_start(pid: int) -> str:
    """The process's start time since boot (Linux), "" where /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[1].split()
    return "" if fields[0] in ("Z", "X") else fields[19]  # zombie or dead: no start


def worker_identity(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{HOST} {pid} {_process_start(pid)}".strip()


def _process_alive(pid: int, start: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, run by another user
    now = _process_start(pid)
    if Path("/proc/self/stat").exists():
        # A zombie has no start; another start means the pid was reused.
        return bool(now) and (not start or now == start)
    return True


def worker_lost(job: Job, now=None) -> bool:
    """Whether the process that ran this running job is gone (see the module docstring)."""
    if job.state != JobState.RUNNING or not job.worker:
        return False
    host, _, rest = job.worker.partition(" ")
    pid_text, _, start = rest.partition(" ")
    if host == HOST and pid_text.isdigit():
        return not _process_alive(int(pid_text), start)
    if connection.vendor == "sqlite" or job.heartbeat_at is None:
        return False  # SQLite runs on one host; no heartbeat yet: cannot tell
    now = now or timezone.now()
    return (now - job.heartbeat_at).total_seconds() > settings.CROSSCHECK_JOB_STALE_SECONDS


class _Heartbeat(threading.Thread):
    """Refreshes ``heartbeat_at`` through its own connection while the task runs, whatever
    the task is doing (PostgreSQL only: see the module docstring)."""

    def __init__(self, job_id: int, attempt: int) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.attempt = attempt
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.CROSSCHECK_JOB_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(
                        pk=self.job_id, state=JobState.RUNNING, attempt=self.attempt
                    ).update(heartbeat_at=timezone.now())
                except Exception:
                    logger.warning("Job %s: heartbeat not recorded", self.job_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


@contextmanager
def _heartbeat(job_id: int, attempt: int) -> Iterator[None]:
    if connection.vendor == "sqlite":
        yield
        return
    beat = _Heartbeat(job_id, attempt)
    beat.start()
    try:
        yield
    finally:
        beat.stop()


# --- progress ----------------------------------------------------------------------------


class _SideChannel:
    """A second connection to the database (PostgreSQL), for the progress of a task whose
    own connection is inside a transaction: it commits at once, so pages see it."""

    def __init__(self) -> None:
        self.connection: BaseDatabaseWrapper | None = None

    def report(self, job: Job, done: int, total: int | None, label: str) -> bool:
        """Record the progress (of this run only); whether someone asked the job to stop."""
        if self.connection is None:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        table = self.connection.ops.quote_name(Job._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s, progress_total = %s, "
                "progress_label = %s, heartbeat_at = %s WHERE id = %s AND attempt = %s",
                [done, total, label, timezone.now(), job.pk, job.attempt],
            )
            cursor.execute(f"SELECT cancel_requested FROM {table} WHERE id = %s", [job.pk])
            row = cursor.fetchone()
        return bool(row and row[0])

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Progress:
    """What a task reports through: progress ``done`` of ``total`` with a label, the
    result file, a summary line. Every report may raise ``JobCancelled``."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.user = job.requested_by
        self.done = 0
        self.total: int | None = None
        self.label = ""
        self.summary = ""
        self._written_at = 0.0
        self._result: tuple[str, str, str] | None = None
        # Transactions the task opens (beyond any it was started in) hide its writes.
        self._outer_atomic_blocks = len(connection.atomic_blocks)
        self._side = _SideChannel()

    @property
    def input_path(self) -> Path:
        """The file the job was started with (``job_start(input_data=…)``)."""
        return storage.full_path(self.job.input_path)

    def start(self, total: int | None, label: str) -> None:
        """A new stage: ``total`` steps (None: unknown), described by ``label``."""
        self.done, self.total, self.label = 0, total, label[:LABEL_MAX_LENGTH]
        self._report(force=True)

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.total is not None:
            self.done = min(self.done, self.total)
        self._report()

    def check(self) -> None:
        """Raise ``JobCancelled`` if someone asked the job to stop (at most twice a
        second it asks the database)."""
        self._report()

    def _report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < PROGRESS_INTERVAL_SECONDS:
            return
        if len(connection.atomic_blocks) > self._outer_atomic_blocks:
            if connection.vendor == "sqlite":
                return  # the transaction holds the only write lock: see the docstring
            self._written_at = now
            cancelled = self._side.report(self.job, self.done, self.total, self.label)
        else:
            self._written_at = now
            mine = Job.objects.filter(pk=self.job.pk)
            try:
                mine.filter(attempt=self.job.attempt).update(
                    progress_done=self.done,
                    progress_total=self.total,
                    progress_label=self.label,
                    heartbeat_at=timezone.now(),
                )
            except OperationalError:
                if connection.vendor != "sqlite":
                    raise
                # Another connection holds the write lock while this task reads: next time.
                logger.debug("Job %s: progress not recorded (database locked)", self.job.pk)
            cancelled = mine.filter(cancel_requested=True).exists()
        if cancelled:
            raise JobCancelled

    @contextmanager
    def result_file(self, filename: str, content_type: str) -> Iterator[BinaryIO]:
        """Write the job's result; it becomes downloadable when the job is done."""
        path = storage.new_name(self.job.public_id, filename)
        with storage.writing(path) as stream:
            yield stream
        self._result = (path, filename, content_type)


# --- the task wrapper --------------------------------------------------------------------


def job_task(
    function: Callable[..., None] | None = None, *, retry_when_lost: bool = False, **task_options
) -> Any:
    """Make ``function(progress, **kwargs)`` a django-tasks task run as a job; start it
    with ``jobs.services.job_start(task=…)``. ``retry_when_lost``: the task is safe to run
    again after its worker died at any point, so such a job is started again (see the
    module docstring). ``task_options`` go to ``@task``."""

    def decorate(work: Callable[..., None]):
        @functools.wraps(work)
        def run(context: TaskContext, job_id: int, **kwargs) -> None:
            backend = context.task_result.task.get_backend()
            run_job(job_id, work, kwargs, in_worker=not isinstance(backend, ImmediateBackend))

        del run.__wrapped__  # the engine reads the signature: ``context`` comes first
        run.retry_when_lost = retry_when_lost  # type: ignore[attr-defined]
        return task(takes_context=True, **task_options)(run)

    return decorate(function) if function is not None else decorate


def retries_when_lost(made: Any) -> bool:
    """Whether a task made with ``job_task`` is started again when its worker dies."""
    return getattr(getattr(made, "func", None), "retry_when_lost", False) is True


def run_job(job_id: int, work: Callable[..., None], kwargs: dict, *, in_worker=True) -> None:
    if in_worker:
        _give_way()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, worker=worker_identity()
    )
    if not claimed:
        logger.info("Job %s is no longer queued (cancelled): not run", job_id)
        return
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    progress = Progress(job)
    with request_id_of_job(job.request_id), _heartbeat(job.pk, job.attempt):
        logger.info("Job %s (%s) started for %s", job.public_id, job.kind, progress.user)
        try:
            try:
                work(progress, **kwargs)
            finally:
                progress._side.close()
        except JobCancelled:
            logger.info("Job %s (%s) cancelled", job.public_id, job.kind)
            _finish(job, progress, JobState.CANCELLED)
        except JobError as error:
            logger.warning("Job %s (%s) failed: %s", job.public_id, job.kind, error.message,
                           exc_info=True)  # fmt: skip
            _finish(job, progress, JobState.FAILED, error=error.message)
        except Exception:
            logger.exception("Job %s (%s) failed", job.public_id, job.kind)
            message = ERROR_UNEXPECTED.format(request_id=job.request_id or job.public_id)
            _finish(job, progress, JobState.FAILED, error=message)
        else:
            logger.info("Job %s (%s) done", job.public_id, job.kind)
            _finish(job, progress, JobState.DONE)


def _give_way() -> None:
    """Lower this worker process's priority to ``WORKER_NICENESS``; one already lower (an
    administrator's choice) stays so, and raising it would need privileges."""
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) < WORKER_NICENESS:
            os.setpriority(os.PRIO_PROCESS, 0, WORKER_NICENESS)
    except (AttributeError, OSError):  # not on this system, or not allowed: run as it is
        pass


def _finish(job: Job, progress: Progress, state: str, *, error: str = "") -> None:
    result = progress._result if state == JobState.DONE else None
    fields = {
        "state": state,
        "finished_at": timezone.now(),
        "error": error,
        "summary": progress.summary[:500],
        "progress_label": progress.label,
        "progress_done": progress.done,
        "progress_total": progress.total,
        "input_path": "",
    }
    if state == JobState.DONE and progress.total is not None:
        fields["progress_done"] = progress.total
    if result is not None:
        path, filename, content_type = result
        fields.update(result_path=path, result_filename=filename,
                      result_content_type=content_type, result_size=storage.size(path))  # fmt: skip
    # This run's outcome only: a run taken for lost and started again is no longer it.
    mine = Job.objects.filter(pk=job.pk, state=JobState.RUNNING, attempt=job.attempt)
    recorded = mine.update(**fields)
    if recorded:  # else the input went with the lost job, or a new run of it reads it
        storage.delete(job.input_path)
    else:  # marked lost meanwhile: the result is not trusted
        logger.warning("Job %s ended as %s but was no longer running", job.public_id, state)
    if progress._result is not None and (result is None or not recorded):
        storage.delete(progress._result[0])
