"""A job whose worker died is started again when its task is safe to run again
(``job_task(retry_when_lost=True)``) and it has runs left (``CROSSCHECK_JOB_RETRIES``);
otherwise it is marked failed as before. With the engine's immediate backend: the task
runs inside ``enqueue``, once the job is committed."""

import subprocess
import sys
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend

from claims.tasks import export_dataset, reanchor_revision
from crosscheck.admin_import_export import admin_export, admin_import
from interchange.exporting import export_annotations_file
from interchange.tasks import import_annotations, preview_annotations
from jobs import storage
from jobs.models import NOTE_STARTED_AGAIN, Job, JobState
from jobs.runner import HOST, retries_when_lost, run_job
from jobs.services import ERROR_WORKER_LOST, job_cancel, job_fail_if_lost, job_start, jobs_purge
from suggestions.embeddings import embed_passages
from suggestions.queue import refresh_suggested_pairs
from suggestions.tasks import index_documents
from tests.factories import make_user
from tests.jobs import tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture
def user(db):
    return make_user("annotator")


def dead_worker() -> str:
    """The identity of a process on this machine that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{HOST} {child.pid} 1"


def lose(job: Job) -> Job:
    """Mark ``job`` running, half way, in a worker that has since died."""
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=timezone.now(), worker=dead_worker(),
        progress_done=1, progress_total=3, progress_label="Counting lines",
    )  # fmt: skip
    job.refresh_from_db()
    return job


def queued(user, captured, task=tasks.count_lines, lines=b"a\nb\nc\n", **kwargs) -> Job:
    """A job of ``task`` started with an input file, its enqueue held back in ``captured``."""
    with captured(execute=False):
        job = job_start(task=task, user=user, label="Count lines", input_data=lines,
                        input_filename="lines.txt", **kwargs)  # fmt: skip
    job.refresh_from_db()
    return job


def test_a_lost_job_is_started_again_with_its_input_and_then_finishes(
    user, django_capture_on_commit_callbacks
):
    job = lose(queued(user, django_capture_on_commit_callbacks))
    assert job.task_path == "tests.jobs.tasks.count_lines" and job.task_kwargs == {}
    first_result_id = "engine-id-of-the-first-run"
    Job.objects.filter(pk=job.pk).update(task_result_id=first_result_id)
    job.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = job_fail_if_lost(job)
    # Back in the queue, from the start, saying why; its input file still there.
    assert (again.state, again.attempt, again.worker, again.started_at) == (
        JobState.QUEUED, 2, "", None
    )  # fmt: skip
    assert (again.progress_done, again.progress_total) == (0, None)
    assert again.progress_label == NOTE_STARTED_AGAIN and again.error == ""
    assert again.attempt_note == f"{NOTE_STARTED_AGAIN}: attempt 2 of 2."
    assert storage.full_path(job.input_path).read_bytes() == b"a\nb\nc\n"
    assert len(callbacks) == 1  # queued again once committed

    callbacks[0]()
    done = Job.objects.get(pk=job.pk)
    assert (done.state, done.summary, done.attempt) == (JobState.DONE, "3 lines.", 2)
    assert done.task_result_id not in ("", first_result_id)
    assert done.input_path == "" and storage.all_names() == []


def test_a_second_loss_past_the_limit_fails_the_job(
    user, settings, django_capture_on_commit_callbacks
):
    settings.CROSSCHECK_JOB_RETRIES = 1
    job = lose(queued(user, django_capture_on_commit_callbacks))
    with django_capture_on_commit_callbacks(execute=False):
        assert job_fail_if_lost(job).state == JobState.QUEUED
    job = lose(Job.objects.get(pk=job.pk))  # the second run's worker died too
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        failed = job_fail_if_lost(job)
    assert (failed.state, failed.error, failed.attempt) == (JobState.FAILED, ERROR_WORKER_LOST, 2)
    assert failed.finished_at is not None and callbacks == []
    assert failed.input_path == "" and storage.all_names() == []


def test_no_run_again_when_the_setting_is_zero(user, settings, django_capture_on_commit_callbacks):
    settings.CROSSCHECK_JOB_RETRIES = 0
    job = lose(queued(user, django_capture_on_commit_callbacks))
    failed = job_fail_if_lost(job)
    assert (failed.state, failed.error, failed.attempt) == (JobState.FAILED, ERROR_WORKER_LOST, 1)


def test_a_task_not_safe_to_run_again_fails_at_once(user, django_capture_on_commit_callbacks):
    job = lose(queued(user, django_capture_on_commit_callbacks, task=tasks.count_to, n=3))
    assert not retries_when_lost(tasks.count_to)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        failed = job_fail_if_lost(job)
    assert (failed.state, failed.error, failed.attempt) == (JobState.FAILED, ERROR_WORKER_LOST, 1)
    assert callbacks == [] and storage.all_names() == []


def test_a_job_someone_asked_to_stop_is_not_started_again(user, django_capture_on_commit_callbacks):
    job = lose(queued(user, django_capture_on_commit_callbacks))
    job = job_cancel(job=job, user=user)
    assert job.cancel_requested
    failed = job_fail_if_lost(job)
    assert (failed.state, failed.error) == (JobState.FAILED, ERROR_WORKER_LOST)


def test_a_job_recorded_before_tasks_were_kept_fails_as_before(
    user, django_capture_on_commit_callbacks
):
    job = lose(queued(user, django_capture_on_commit_callbacks))
    Job.objects.filter(pk=job.pk).update(task_path="", task_kwargs={})  # as migrated
    job.refresh_from_db()
    failed = job_fail_if_lost(job)
    assert (failed.state, failed.error, failed.attempt) == (JobState.FAILED, ERROR_WORKER_LOST, 1)
    assert storage.all_names() == []


def test_a_job_whose_task_no_longer_exists_fails(user, django_capture_on_commit_callbacks):
    job = lose(queued(user, django_capture_on_commit_callbacks))
    Job.objects.filter(pk=job.pk).update(task_path="tests.jobs.tasks.renamed_since")
    job.refresh_from_db()
    assert job_fail_if_lost(job).state == JobState.FAILED


def test_a_job_the_engine_refuses_to_queue_again_fails_instead_of_waiting_for_ever(
    user, django_capture_on_commit_callbacks, monkeypatch
):
    job = lose(queued(user, django_capture_on_commit_callbacks))

    def refuse(self, task, args, kwargs):
        raise ConnectionError("the queue is unreachable")

    monkeypatch.setattr(ImmediateBackend, "enqueue", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        job_fail_if_lost(job)
    job.refresh_from_db()
    assert (job.state, job.error, job.attempt) == (JobState.FAILED, ERROR_WORKER_LOST, 2)
    assert job.started_at is not None and storage.all_names() == []


def test_a_run_taken_for_lost_that_ends_late_writes_nothing_over_the_new_run(
    user, django_capture_on_commit_callbacks
):
    """A worker on another machine whose heartbeat went stale is taken for lost, yet may
    still be running: what it reports and how it ends must not land on the new run."""
    job = queued(user, django_capture_on_commit_callbacks)

    def taken_over(progress) -> None:
        # Meanwhile a page took this run for lost and another worker runs the job again.
        Job.objects.filter(pk=job.pk).update(
            attempt=2, worker="elsewhere 12 3", progress_label="The second run's"
        )
        progress.start(total=3, label="Counting lines")
        progress.advance(3)
        progress.summary = "3 lines."

    run_job(job.pk, taken_over, {}, in_worker=False)
    job.refresh_from_db()
    assert (job.state, job.attempt, job.worker) == (JobState.RUNNING, 2, "elsewhere 12 3")
    assert (job.progress_label, job.summary, job.finished_at) == ("The second run's", "", None)
    assert storage.full_path(job.input_path).exists()  # the second run reads it


def test_purging_starts_lost_jobs_again_and_keeps_their_input(
    user, django_capture_on_commit_callbacks
):
    job = lose(queued(user, django_capture_on_commit_callbacks))
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs_purge() == (0, 0)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.attempt == 2
    assert storage.all_names() == [job.input_path]


# The tasks of the apps: which are started again (see each task's docstring) and which not.
SAFE_TO_RUN_AGAIN = [
    index_documents,  # each document in its own transaction; indexed ones only re-checked
    embed_passages,  # batches committed; only passages without a vector are embedded
    refresh_suggested_pairs,  # each claim's rows replaced in one transaction
    reanchor_revision,  # batches committed; claims already carried over are not redone
    preview_annotations,  # the plan is written whole, replacing any
    import_annotations,  # all or nothing, its receipt written in the same transaction
    export_dataset,  # a result file, replaced whole
    export_annotations_file,
    admin_export,
]


@pytest.mark.parametrize("task", SAFE_TO_RUN_AGAIN, ids=lambda task: task.name)
def test_the_apps_tasks_that_are_safe_to_run_again_say_so(task):
    assert retries_when_lost(task)


def test_the_admins_import_is_not_run_again():
    """Its admin log entries are written after the import's transaction: a worker lost in
    between (or before the job is recorded done) would have the rows imported twice."""
    assert not retries_when_lost(admin_import)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two real connections at once; SQLite's one writer puts them in a row",
)
def test_two_pages_finding_the_same_job_lost_at_once_start_it_again_once(user, monkeypatch):
    job = Job(requested_by=user, kind=tasks.count_lines.name, label="Count lines",
              task_path=tasks.count_lines.module_path, state=JobState.RUNNING,
              started_at=timezone.now(), worker=dead_worker())  # fmt: skip
    job.input_path = storage.new_name(job.public_id, "lines.txt")
    with storage.writing(job.input_path) as stream:
        stream.write(b"a\nb\n")
    job.save()
    enqueued = []
    enqueue = ImmediateBackend.enqueue

    def counted(self, task, args, kwargs):
        enqueued.append(kwargs["job_id"])
        return enqueue(self, task, args, kwargs)

    monkeypatch.setattr(ImmediateBackend, "enqueue", counted)
    barrier = threading.Barrier(2, timeout=30)
    seen, errors = [], []

    def look() -> None:  # what each page does, in its own connection
        try:
            own = Job.objects.get(pk=job.pk)
            barrier.wait()
            seen.append(job_fail_if_lost(own).state)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=look) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and len(seen) == 2
    assert enqueued == [job.pk]  # queued again once, by one of them
    job.refresh_from_db()
    assert (job.state, job.attempt, job.summary) == (JobState.DONE, 2, "2 lines.")
