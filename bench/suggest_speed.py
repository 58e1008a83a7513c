"""Benchmark: Counterparts at 100× the seeds — indexing, suggestion requests, memory.

On the generated corpus (``bench/generate.py``; generated first when missing):

1. indexes every document not yet in the passage index (``manage.py index_passages``'s
   work) and says how long it took, how many passages and postings it wrote;
2. indexes the 390 KB seed alone as a background job (its index entries removed first,
   then ``suggestions.tasks.index_documents`` run by the job wrapper, as the worker runs
   it) and says how long the job took;
3. times suggestion requests through the API — ``GET /api/claims/<uuid>/suggestions/``
   for random claims and ``GET /api/documents/<id>/suggestions/?start=&end=`` for random
   selections — each URL asked once (no cache), and reads this process's resident memory
   (it is the web process here: the test client runs the views in it) before and after
   ``--requests`` more requests.

    .venv/bin/python bench/suggest_speed.py [--runs 60] [--requests 300] [--scale 1]

Works on SQLite (the benchmarks' shared generated file) or on DATABASE_URL (a scratch
PostgreSQL database: ``--fresh`` empties it first).
"""

import argparse
import random
import sys
import time
from pathlib import Path

if "--generated" not in sys.argv:
    sys.argv.append("--generated")  # bench/common.py: the generated corpus' database

from common import Claim, Document, Row, analyze, connection, markdown_table, signed_in_client

# isort: split
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from generate import add_options, ensure_from

from jobs.models import JobState
from jobs.services import job_start
from suggestions import tasks
from suggestions.index import documents_unindexed, forget_counts, index_document
from suggestions.models import IndexedDocument, Passage, Posting
from tests.factories import make_user

SEED_TITLE = "Category Archives: Myth-Busting"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def rss_mb() -> float:
    """This process's resident memory (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def index_all() -> str:
    todo = list(documents_unindexed().only("pk", "title"))
    started, cpu = time.perf_counter(), time.process_time()
    passages = sum(index_document(document) for document in todo)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if todo:
        analyze()
    return (
        f"indexed {len(todo):,} documents ({passages:,} passages) in {elapsed:.0f} s "
        f"(CPU {cpu:.0f} s); the index: {Passage.objects.count():,} passages, "
        f"{Posting.objects.count():,} postings"
    )


def unindex(document: Document) -> None:
    with transaction.atomic():
        forget_counts(document)
        Passage.objects.filter(document=document).delete()
        IndexedDocument.objects.filter(document=document).delete()


def index_seed_as_job() -> str:
    seed = Document.objects.defer("text").filter(title=SEED_TITLE).order_by("pk").first()
    if seed is None:
        return "the 390 KB seed is not in this corpus"
    unindex(seed)
    user = make_user("editor", username=f"bench-index-{time.time_ns()}")
    started = time.perf_counter()
    # The job runs here, at once, as the worker would run it (jobs.runner's wrapper).
    with override_settings(TASKS=IMMEDIATE):
        job = job_start(
            task=tasks.index_documents, user=user, label="Index the seed", document_ids=[seed.pk]
        )
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    assert job.state == JobState.DONE, (job.state, job.error)
    return f"indexed the 390 KB seed as a job in {elapsed:.1f} s: {job.summary}"


def timed(client, urls: list[str], name: str) -> Row:
    timings, cpu, queries = [], [], []
    from django.test.utils import CaptureQueriesContext

    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        queries.append(len(captured))
    suggestions = len(response.json()["suggestions"])
    return Row(name, timings, queries, note=f"{suggestions} suggestions", cpu=cpu)


def claim_urls(rng: random.Random, count: int) -> list[str]:
    ids = list(Claim.objects.order_by("?").values_list("public_id", flat=True)[: count * 2])
    rng.shuffle(ids)
    return [reverse("suggestions:api-claim-suggestions", args=[i]) + "?limit=10" for i in ids][
        :count
    ]


def selection_urls(rng: random.Random, count: int) -> list[str]:
    """Selections of one to three sentences: the spans of random passages."""
    passages = list(
        Passage.objects.order_by("?").values_list("document", "start", "end")[: count * 2]
    )
    rng.shuffle(passages)
    url = reverse("suggestions:api-document-suggestions", args=[0]).replace("/0/", "/{}/")
    return [url.format(d) + f"?start={s}&end={e}&limit=10" for d, s, e in passages][:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser, optional=True)
    parser.add_argument("--runs", type=int, default=60, help="requests timed per row")
    parser.add_argument("--requests", type=int, default=300, help="requests for the memory")
    args = parser.parse_args()
    ensure_from(args)
    print(index_all())
    print(index_seed_as_job())
    rng = random.Random(1)
    client = signed_in_client("annotator")
    # Warm up: the first requests load code and the planner's statistics.
    for url in claim_urls(rng, 5):
        client.get(url)
    rows = [
        timed(
            client, claim_urls(rng, args.runs), "claim suggestions (GET /api/claims/…/suggestions/)"
        ),
        timed(
            client,
            selection_urls(rng, args.runs),
            "selection suggestions (GET /api/documents/…/suggestions/)",
        ),
    ]
    before = rss_mb()
    urls = claim_urls(rng, args.requests // 2) + selection_urls(rng, args.requests // 2)
    rng.shuffle(urls)
    for url in urls[: len(urls) // 2]:
        client.get(url)
    middle = rss_mb()
    for url in urls[len(urls) // 2 :]:
        client.get(url)
    after = rss_mb()
    print(f"\n{connection.vendor}: suggestion requests at 100× the seeds")
    print(markdown_table(rows))
    print(
        f"\nresident memory of the web process: {before:.0f} MB before {len(urls)} more "
        f"suggestion requests, {middle:.0f} MB halfway, {after:.0f} MB after"
    )


if __name__ == "__main__":
    main()
