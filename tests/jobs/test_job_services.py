"""Starting, running, cancelling and tidying jobs (jobs.services, jobs.runner), with the
engine's immediate backend: the task runs inside ``enqueue``, once the job is committed."""

import io
import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from claims.models import Topic
from crosscheck.middleware import RequestIdFilter
from jobs import storage
from jobs.log import JobRequestIdFilter
from jobs.models import Job, JobState
from jobs.runner import ERROR_UNEXPECTED, HOST, worker_identity, worker_lost
from jobs.services import (
    ERROR_WORKER_LOST,
    JobAlreadyFinished,
    JobPermissionDenied,
    job_cancel,
    job_fail_if_lost,
    job_start,
    jobs_purge,
)
from tests.factories import make_user
from tests.jobs import tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def start(user, task=tasks.count_to, request_id="req-1", **kwargs) -> Job:
    job = job_start(task=task, user=user, label="Count", request_id=request_id, **kwargs)
    job.refresh_from_db()
    return job


@pytest.fixture
def user(db):
    return make_user("annotator")


def test_a_job_runs_once_committed_and_records_its_progress_and_file(
    user, django_capture_on_commit_callbacks
):
    priority = os.getpriority(os.PRIO_PROCESS, 0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(user, n=25)
    assert job.state == JobState.QUEUED and job.task_result_id == ""
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.state == JobState.DONE
    # Run inside the caller (a request, here a test): its priority is left as it was.
    assert os.getpriority(os.PRIO_PROCESS, 0) == priority
    assert (job.progress_done, job.progress_total, job.progress_label) == (25, 25, "Counting")
    assert job.started_at <= job.finished_at and job.task_result_id
    assert job.summary == "Counted to 25." and job.error == ""
    assert job.result_filename == "numbers.txt"
    assert job.result_content_type == "text/plain; charset=utf-8"
    path = storage.full_path(job.result_path)
    assert path.read_text().splitlines()[-1] == "25" and job.result_size == path.stat().st_size
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert job.percent == 100 and job.has_result


def test_the_result_folder_is_outside_the_static_files_and_its_names_unguessable(user):
    job = start(user, n=1)
    name = storage.new_name(job.public_id, "x.csv")
    assert name.startswith(str(job.public_id)) and name.endswith(".csv")
    assert name != storage.new_name(job.public_id, "x.csv")
    assert not str(storage.root()).startswith(str(settings.STATIC_ROOT))
    with pytest.raises(ValueError):
        storage.full_path("../escape.txt")


def run(django_capture_on_commit_callbacks, user, **kwargs) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            task=kwargs.pop("task", tasks.count_to), user=user, label="Count",
            request_id=kwargs.pop("request_id", "req-1"), **kwargs,
        )  # fmt: skip
    job.refresh_from_db()
    return job


@pytest.fixture
def job_log():
    """The lines the jobs logger writes, formatted as the app's log handler does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(JobRequestIdFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["request_id"]["format"]))
    logger = logging.getLogger("jobs")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_a_job_error_is_shown_as_is_and_its_file_is_not_kept(
    user, django_capture_on_commit_callbacks, job_log, job_files
):
    job = run(django_capture_on_commit_callbacks, user, n=5, fail="job", request_id="abc-123")
    assert job.state == JobState.FAILED
    assert job.error == "Row 3: the quote does not match the document."
    assert job.result_path == "" and not job.has_result
    assert storage.all_names() == []
    assert "WARNING [abc-123] jobs: Job" in job_log.getvalue()


def test_an_unexpected_error_shows_no_internals_and_logs_the_traceback_with_the_request_id(
    user, django_capture_on_commit_callbacks, job_log
):
    job = run(django_capture_on_commit_callbacks, user, n=2, fail="bug", request_id="rid-42")
    assert job.state == JobState.FAILED
    assert job.error == ERROR_UNEXPECTED.format(request_id="rid-42")
    assert "internal detail" not in job.error
    log = job_log.getvalue()
    assert f"ERROR [rid-42] jobs: Job {job.public_id} (count_to) failed" in log
    assert "Traceback" in log and "RuntimeError: an internal detail" in log


def test_a_queued_job_cancelled_never_runs(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(user, n=3)
    job = job_cancel(job=job, user=user)
    assert job.state == JobState.CANCELLED and job.finished_at is not None
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.progress_total is None
    assert storage.all_names() == []
    with pytest.raises(JobAlreadyFinished):
        job_cancel(job=job, user=user)


def test_only_the_requester_or_an_editor_cancels(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = start(user, n=3)
    with pytest.raises(JobPermissionDenied):
        job_cancel(job=job, user=make_user("annotator"))
    assert job_cancel(job=job, user=make_user("editor")).state == JobState.CANCELLED


def test_a_running_job_is_asked_to_stop_and_stops_at_its_next_report(user):
    job = Job.objects.create(
        requested_by=user, kind="k", label="L", state=JobState.RUNNING,
        started_at=timezone.now(), worker=worker_identity(),
    )  # fmt: skip
    job = job_cancel(job=job, user=user)
    assert job.state == JobState.RUNNING and job.cancel_requested


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite has one writer: a cancel waits for the job's transaction to end",
)
def test_a_job_cancelled_inside_its_transaction_undoes_everything(user, monkeypatch):
    """The cancel comes from another connection while the job's transaction is open; the
    job's progress, written through its second connection, is seen from outside too."""
    names = [f"stopped-{number}" for number in range(10)]
    create = Topic.objects.create
    seen = []

    def create_then_cancel_from_elsewhere(**fields):
        topic = create(**fields)
        if fields["name"] == "stopped-4":
            elsewhere = connections.create_connection(DEFAULT_DB_ALIAS)
            with elsewhere.cursor() as cursor:
                cursor.execute("SELECT id, progress_done FROM jobs_job WHERE state = 'running'")
                job_id, done = cursor.fetchone()
                seen.append(done)
                cursor.execute("UPDATE jobs_job SET cancel_requested = true WHERE id = %s",
                               [job_id])  # fmt: skip
            elsewhere.close()
        return topic

    monkeypatch.setattr(Topic.objects, "create", create_then_cancel_from_elsewhere)
    job = job_start(task=tasks.topics_in_a_transaction, user=user, label="T", names=names,
                    report_every_time=True)  # fmt: skip
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert not Topic.objects.filter(name__startswith="stopped-").exists()
    assert seen == [4]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_running_job_whose_process_is_gone_is_marked_failed(user):
    now = timezone.now()
    job = Job.objects.create(requested_by=user, kind="k", label="L", state=JobState.RUNNING,
                             started_at=now, worker=f"{HOST} {_dead_pid()} 1")  # fmt: skip
    alive = Job.objects.create(requested_by=user, kind="k", label="L", state=JobState.RUNNING,
                               started_at=now, worker=worker_identity())  # fmt: skip
    assert worker_lost(job) and not worker_lost(alive)
    job = job_fail_if_lost(job)
    assert job.state == JobState.FAILED and job.error == ERROR_WORKER_LOST
    assert job.finished_at is not None
    assert job_fail_if_lost(alive).state == JobState.RUNNING


def test_a_reused_process_id_is_not_taken_for_the_worker(user):
    pid = os.getpid()
    job = Job(requested_by=user, state=JobState.RUNNING, worker=f"{HOST} {pid} 1")
    assert worker_lost(job)  # same pid, another start time: another process


def test_a_worker_on_another_machine_is_lost_after_its_heartbeat_stops(user, settings):
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CROSSCHECK_JOB_STALE_SECONDS + 1)
    fresh = Job(requested_by=user, state=JobState.RUNNING, worker="elsewhere 12 3",
                heartbeat_at=now)  # fmt: skip
    old = Job(requested_by=user, state=JobState.RUNNING, worker="elsewhere 12 3",
              heartbeat_at=stale)  # fmt: skip
    assert not worker_lost(fresh, now)
    # On SQLite every worker runs on the database's machine: only the process tells.
    assert worker_lost(old, now) is (connection.vendor != "sqlite")


def test_purging_removes_old_results_and_leftovers_but_keeps_running_work(user, settings):
    now = timezone.now()
    old_end = now - timedelta(days=settings.CROSSCHECK_JOB_RESULT_DAYS, minutes=1)

    def finished(when, name):
        path = storage.new_name("00000000-0000-0000-0000-00000000000" + name, "r.csv")
        with storage.writing(path) as stream:
            stream.write(b"x")
        return Job.objects.create(
            requested_by=user, kind="k", label=name, state=JobState.DONE, started_at=when,
            finished_at=when, result_path=path, result_filename="r.csv",
        )  # fmt: skip

    old, recent = finished(old_end, "1"), finished(now, "2")
    running = Job.objects.create(requested_by=user, kind="k", label="L",
                                 state=JobState.RUNNING, started_at=now,
                                 worker=worker_identity())  # fmt: skip
    partial = storage.new_name(running.public_id, "r.csv") + storage.PARTIAL_SUFFIX
    storage.full_path(partial).write_bytes(b"half")
    storage.full_path("leftover.partial").write_bytes(b"from a killed worker")
    assert jobs_purge(now=now) == (1, 1)
    old.refresh_from_db()
    assert old.result_expired and not old.has_result
    assert not storage.full_path(old.result_path).exists()
    assert sorted(storage.all_names()) == sorted([recent.result_path, partial])
    assert jobs_purge(now=now) == (0, 0)
