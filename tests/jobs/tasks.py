"""Tasks for the job tests; importable by a worker subprocess (run from the project root)."""

import os
import time
from pathlib import Path

from django.db import transaction

from claims.models import Topic
from jobs.runner import JobError, Progress, job_task

WAIT_LIMIT_SECONDS = 60


@job_task
def count_to(progress: Progress, *, n: int, fail: str = "", label: str = "Counting") -> None:
    """Count to ``n`` and write the numbers to a file; fail at the end if asked (``fail``:
    "job" for a JobError, "bug" for any other exception)."""
    progress.start(total=n, label=label)
    with progress.result_file("numbers.txt", "text/plain; charset=utf-8") as stream:
        for number in range(1, n + 1):
            stream.write(f"{number}\n".encode())
            progress.advance()
    if fail == "job":
        raise JobError("Row 3: the quote does not match the document.")
    if fail == "bug":
        raise RuntimeError("an internal detail that must not be shown")
    progress.summary = f"Counted to {n}."


@job_task
def until_cancelled(progress: Progress, *, marker: str) -> None:
    """Report progress until someone cancels; ``marker`` appears once it is running."""
    progress.start(total=None, label="Waiting to be cancelled")
    Path(marker).write_text("running")
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while time.monotonic() < deadline:
        progress.check()
        progress.advance()
        time.sleep(0.01)
    raise JobError("Nobody cancelled.")


@job_task
def topics_then_block(progress: Progress, *, names: list[str], marker: str) -> None:
    """Create topics in one transaction, then wait there (to be killed): all or nothing.
    ``marker`` appears then, holding the id of the process running the task."""
    progress.start(total=len(names), label="Creating topics")
    with transaction.atomic():
        for name in names:
            Topic.objects.create(name=name)
            progress.advance()
        Path(marker).write_text(str(os.getpid()))
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.01)
    raise JobError("Nobody killed the worker.")


@job_task
def topics_in_a_transaction(progress: Progress, *, names: list[str], report_every_time=False):
    """Create topics in one transaction, reporting after each."""
    progress.start(total=len(names), label="Creating topics")
    with transaction.atomic():
        for name in names:
            Topic.objects.create(name=name)
            if report_every_time:
                progress._written_at = 0.0  # report now, not at the next half second
            progress.advance()
    progress.summary = f"{len(names)} topics."


@job_task
def read_slowly(progress: Progress, *, marker: str, seconds: float) -> None:
    """Read the topics named "read-…" through one open query over ``seconds``, reporting
    each (as an export reads its rows); ``marker`` appears once the query is open."""
    topics = Topic.objects.filter(name__startswith="read-").order_by("pk")
    total = topics.count()
    progress.start(total=total, label="Reading topics")
    for number, _topic in enumerate(topics.iterator(chunk_size=1)):
        if number == 0:
            Path(marker).write_text("reading")
        time.sleep(seconds / total)
        progress._written_at = 0.0  # report now, not at the next half second
        progress.advance()
    progress.summary = f"Read {total} topics."


@job_task(retry_when_lost=True)
def count_lines(progress: Progress) -> None:
    """Count the lines of the job's input file: safe to run again after its worker died."""
    lines = progress.input_path.read_text().splitlines()
    progress.start(total=len(lines), label="Counting lines")
    progress.advance(len(lines))
    progress.summary = f"{len(lines)} lines."


@job_task(retry_when_lost=True)
def block_first_time(progress: Progress, *, marker: str) -> None:
    """On its first run, wait (to be killed) once ``marker`` holds the id of the process
    running it; on any later run, finish at once. Safe to run again: it writes nothing."""
    progress.start(total=1, label="Waiting to be killed")
    if progress.job.attempt == 1:
        Path(marker).write_text(str(os.getpid()))
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.01)
        raise JobError("Nobody killed the worker.")
    progress.advance()
    progress.summary = f"Finished on run {progress.job.attempt}."
