"""Benchmark: the admin's export of claims (django-import-export) in CSV, XLSX and JSON.

Builds claims across the seed documents (default 100,000, anchored like real ones, two
topics each) in a throwaway SQLite database unless DATABASE_URL is set (use a scratch
database), then posts the admin's export form as an editor and reports, per format, the
time, the SQL queries (they must not grow with the rows) and, in a second export, the peak
of memory Python allocated (tracemalloc slows Python down, so it is not on while timing).

Then the same export as a background job (``--jobs``, on by default): each format runs in
a fresh `manage.py db_worker` process while this process keeps requesting pages (the job's
JSON, as its page polls it, and the claims list) and, between them, writes what a sign-in
writes (the user's ``last_login``: any saving request needs the database's write lock
likewise). It reports the job's time and rows per second, the worker's peak resident
memory (VmHWM, the whole process), the slowest and median of those requests with the CPU
time this process spent in the slowest (far less than its time: it waited for a
processor), the slowest write and how many gave up waiting for the lock ("database is
locked"), and the load average (1 minute) when the job started and ended: the machine may
be shared, and a request waits for a processor as much as for the app.

    .venv/bin/python bench/admin_export.py [--claims 100000] [--formats csv,xlsx,json]
                                           [--no-jobs]
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

# The job's result files go to a folder of this run (set before Django reads settings).
os.environ.setdefault("CROSSCHECK_JOB_FILES_DIR", tempfile.mkdtemp(prefix="bench-jobs-"))

from django.db import connection as db_connection
from django.urls import reverse

from common import Claim, Document, make_claims, prepare, signed_in_client

FORMAT_INDEX = {"csv": "0", "xlsx": "1", "json": "2"}


def add_topics(seed: int = 3) -> None:
    """Two of five topics on every claim, inserted in bulk."""
    from claims.models import Topic

    topics = [Topic.objects.get_or_create(name=name)[0] for name in "ABCDE"]
    rng = random.Random(seed)
    through = Claim.topics.through
    rows = []
    for claim_id in Claim.objects.values_list("pk", flat=True).iterator():
        for topic in rng.sample(topics, 2):
            rows.append(through(claim_id=claim_id, topic_id=topic.pk))
    through.objects.bulk_create(rows, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx,json")
    parser.add_argument("--jobs", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--in-request", action=argparse.BooleanOptionalAction, default=True)
    arguments = parser.parse_args()

    prepare()
    documents = list(Document.objects.order_by("pk"))
    per_document = arguments.claims // len(documents)
    for number, document in enumerate(documents):
        make_claims(document, per_document, seed=number + 1)
    add_topics()
    count = Claim.objects.count()
    client = signed_in_client("editor")
    url = reverse("admin:claims_claim_export")

    print(f"{count:,} claims, {connection_vendor()}")
    if arguments.in_request:
        from django.test import override_settings

        # As the request answered before jobs: every size at once.
        with override_settings(CROSSCHECK_EXPORT_JOB_ROWS=10**12):
            in_request(client, url, arguments.formats.split(","), count)
    if arguments.jobs:
        as_jobs(client, arguments.formats.split(","), count)


def in_request(client, url: str, formats: list[str], count: int) -> None:
    print("\nIn the request:\n")
    print("| format | seconds | rows/s | SQL queries | peak Python memory (MB) | bytes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in formats:
        started = time.perf_counter()
        queries = QueryCounter()
        with db_connection.execute_wrapper(queries):
            size = export(client, url, name)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        export(client, url, name)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"| {name} | {elapsed:.1f} | {count / elapsed:,.0f} | {len(queries)} "
            f"| {peak / 2**20:,.0f} | {size:,} |"
        )


def as_jobs(client, formats: list[str], count: int) -> None:
    """Each format as a job in a fresh worker process, with pages requested meanwhile."""
    from django.contrib.auth import get_user_model
    from django.db import OperationalError
    from django.utils import timezone

    from crosscheck.admin_import_export import admin_export
    from jobs.models import Job, JobState
    from jobs.services import job_start

    users = get_user_model().objects
    editor = users.get(pk=client.session["_auth_user_id"])
    print(f"\nAs a background job (a fresh `db_worker` per format, {os.cpu_count()} cores):\n")
    print(
        "| format | job seconds | rows/s | worker peak RSS (MB) | requests meanwhile "
        "| slowest request (ms), its CPU | median request (ms) | slowest write (ms) "
        "| writes refused | load average | bytes |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in formats:
        form = {key: [value] for key, value in export_form(name).items()}
        job = job_start(task=admin_export, user=editor, label=f"bench {name}",
                        model="claims.claim", form=form, query="")  # fmt: skip
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.2", "--verbosity", "0"],
            cwd=Path(__file__).resolve().parent.parent,
        )  # fmt: skip
        load_before = os.getloadavg()[0]
        durations, writes, refused = [], [], 0
        try:
            while True:
                for page in (f"/api/jobs/{job.public_id}/", "/claims/"):
                    started, cpu = time.perf_counter(), time.process_time()
                    response = client.get(page)
                    durations.append((time.perf_counter() - started, time.process_time() - cpu))
                    assert response.status_code == 200, (page, response.status_code)
                started = time.perf_counter()
                try:
                    users.filter(pk=editor.pk).update(last_login=timezone.now())
                except OperationalError:  # SQLite: its wait for the write lock ran out
                    refused += 1
                writes.append(time.perf_counter() - started)
                job.refresh_from_db()
                if job.state not in (JobState.QUEUED, JobState.RUNNING):
                    break
            peak = _peak_rss_mb(worker.pid)
        finally:
            worker.terminate()
            worker.wait()
        assert job.state == JobState.DONE, (job.state, job.error)
        seconds = (job.finished_at - job.started_at).total_seconds()
        durations.sort()
        slowest, median = durations[-1], durations[len(durations) // 2]
        print(
            f"| {name} | {seconds:.1f} | {count / seconds:,.0f} | {peak:,.0f} "
            f"| {len(durations)} | {slowest[0] * 1000:,.0f}, {slowest[1] * 1000:,.0f} CPU "
            f"| {median[0] * 1000:,.0f} | {max(writes) * 1000:,.0f} | {refused} "
            f"| {load_before:.1f}–{os.getloadavg()[0]:.1f} | {job.result_size:,} |"
        )
        Job.objects.filter(pk=job.pk).delete()


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (Linux: VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class QueryCounter:
    """Counts the SQL statements run (an execute wrapper: the test client's request
    signals reset Django's own query log)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.count


def export(client, url: str, name: str) -> int:
    """Post the export form; the size of the file it answered with."""
    response = client.post(url, export_form(name))
    assert response.status_code == 200 and response.has_header("Content-Disposition")
    return len(response.content)


def export_form(name: str) -> dict:
    """The admin's export form for claims with every column ticked."""
    from claims.resources import ClaimResource

    columns = {f"claimresource_{field}": "on" for field in ClaimResource().get_export_order()}
    return {"format": FORMAT_INDEX[name], "resource": "0", **columns}


def connection_vendor() -> str:
    return db_connection.vendor


if __name__ == "__main__":
    main()
