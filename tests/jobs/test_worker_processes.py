"""Jobs run by real worker processes (`manage.py db_worker`, or `rqworker` on Redis), as in
production: several workers share the queue, progress and cancellation cross processes,
and a worker killed with SIGKILL leaves its job failed and nothing half done — or, when its
task is safe to run again, the job queued again for another worker."""

import os
import time

from django.apps import apps
from django.conf import settings
from django.db import transaction

from claims.models import Topic
from jobs.models import Job, JobState
from jobs.runner import WORKER_NICENESS
from jobs.services import ERROR_WORKER_LOST, job_cancel, job_fail_if_lost, job_start
from tests.factories import make_user
from tests.jobs import tasks
from tests.jobs.workers import wait_until


def job(pk: int) -> Job:
    return Job.objects.get(pk=pk)


def running_with_progress(pk: int) -> Job | None:
    current = job(pk)
    return current if current.state == JobState.RUNNING and current.progress_done > 0 else None


def test_a_worker_process_runs_queued_jobs_and_its_progress_is_seen(start_worker, tmp_path):
    user = make_user("annotator")
    counted = job_start(task=tasks.count_to, user=user, label="Count", n=300)
    assert job(counted.pk).state == JobState.QUEUED  # nothing runs it yet
    start_worker()
    wait_until(lambda: job(counted.pk).state == JobState.DONE, "the job to be done")
    done = job(counted.pk)
    assert (done.progress_done, done.progress_total, done.summary) == (300, 300, "Counted to 300.")
    assert done.result_filename == "numbers.txt" and done.has_result

    marker = tmp_path / "running"
    waiting = job_start(task=tasks.until_cancelled, user=user, label="Wait", marker=str(marker))
    first = wait_until(lambda: running_with_progress(waiting.pk), "progress from the worker")
    later = wait_until(
        lambda: (current := job(waiting.pk)).progress_done > first.progress_done and current,
        "the progress to move",
    )
    assert later.worker != "" and later.heartbeat_at is not None
    job_cancel(job=later, user=user)
    wait_until(lambda: job(waiting.pk).state == JobState.CANCELLED, "the job to stop")


def test_several_worker_processes_share_the_queue(start_worker, tmp_path):
    user = make_user("annotator")
    markers = [tmp_path / "first", tmp_path / "second"]
    jobs = [
        job_start(task=tasks.until_cancelled, user=user, label=f"Wait {n}", marker=str(m))
        for n, m in enumerate(markers)
    ]
    start_worker(), start_worker()
    running = wait_until(
        lambda: [j for j in map(job, (j.pk for j in jobs)) if j.state == JobState.RUNNING]
        if all(marker.exists() for marker in markers) else None,
        "both jobs to run at once",
    )  # fmt: skip
    assert len(running) == 2 and running[0].worker != running[1].worker
    for each in running:
        job_cancel(job=each, user=user)
    wait_until(
        lambda: all(job(j.pk).state == JobState.CANCELLED for j in jobs), "both jobs to stop"
    )


def test_a_worker_killed_mid_transaction_leaves_the_job_failed_and_nothing_applied(
    start_worker, tmp_path
):
    user = make_user("editor")
    names = [f"killed-{number}" for number in range(50)]
    marker = tmp_path / "in-transaction"
    started = job_start(task=tasks.topics_then_block, user=user, label="Topics", names=names,
                        marker=str(marker))  # fmt: skip
    worker = start_worker()
    task_pid = wait_until(lambda: marker.exists() and marker.read_text(),
                          "the job to be inside its transaction")  # fmt: skip
    # The job names the process running it (under RQ, the process forked for the job),
    # which gives way to the web server's.
    assert job(started.pk).worker.split()[1] == task_pid
    assert os.getpriority(os.PRIO_PROCESS, int(task_pid)) == WORKER_NICENESS
    worker.kill()  # the worker only, as the OOM killer would: what it runs must go with it

    failed = wait_until(
        lambda: (
            (current := job_fail_if_lost(job(started.pk))).state == JobState.FAILED and current
        ),  # what the Jobs page does when it looks
        "the job's process to be gone and the job marked failed",
        seconds=10,
    )
    assert failed.error == ERROR_WORKER_LOST
    assert not Topic.objects.filter(name__in=names).exists()
    engine = apps.get_model("django_tasks_database", "DBTaskResult").objects
    if failed.task_result_id and settings.CROSSCHECK_TASKS_BACKEND == "database":
        assert engine.get(id=failed.task_result_id).status == "FAILED"

    # A new worker goes on with the queue.
    start_worker()
    after = job_start(task=tasks.count_to, user=user, label="Count", n=3)
    wait_until(lambda: job(after.pk).state == JobState.DONE, "the next job to be done")


def test_a_job_safe_to_run_again_whose_worker_was_killed_is_run_again_by_another(
    start_worker, tmp_path
):
    user = make_user("editor")
    marker = tmp_path / "first-run"
    started = job_start(task=tasks.block_first_time, user=user, label="Block",
                        marker=str(marker))  # fmt: skip
    worker = start_worker()
    wait_until(lambda: marker.exists() and marker.read_text(), "the first run to be waiting")
    worker.kill()
    start_worker()

    def run_again() -> Job | None:  # what the Jobs page does when it looks
        current = job_fail_if_lost(job(started.pk))
        return current if current.state != JobState.RUNNING else None

    again = wait_until(run_again, "the job's process to be gone", seconds=10)
    assert again.attempt == 2 and again.state in (JobState.QUEUED, JobState.RUNNING,
                                                  JobState.DONE)  # fmt: skip
    done = wait_until(
        lambda: (current := job(started.pk)).state == JobState.DONE and current,
        "the second run to finish",
    )
    assert (done.summary, done.error, done.attempt) == ("Finished on run 2.", "", 2)


def test_a_job_reading_while_a_request_saves_something_goes_on(start_worker, tmp_path):
    """On SQLite the job's open query holds a read lock and the request's transaction the
    write lock while it waits for it: the job's progress reports are refused meanwhile,
    and must not end the job."""
    user = make_user("editor")
    for number in range(30):
        Topic.objects.create(name=f"read-{number}")
    marker = tmp_path / "reading"
    started = job_start(task=tasks.read_slowly, user=user, label="Read", marker=str(marker),
                        seconds=3)  # fmt: skip
    start_worker()
    wait_until(marker.exists, "the job's query to be open")
    with transaction.atomic():  # a request saving something while the job reads
        Topic.objects.create(name="saved meanwhile")
        time.sleep(0.5)  # the job reports progress meanwhile
    done = wait_until(
        lambda: (current := job(started.pk)).state != JobState.RUNNING and current,
        "the job to end",
    )
    assert (done.state, done.error, done.summary) == (JobState.DONE, "", "Read 30 topics.")
    assert Topic.objects.filter(name="saved meanwhile").exists()
