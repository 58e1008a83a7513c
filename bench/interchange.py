"""Benchmark: the corpus as W3C Web Annotations, through the Web Annotation Protocol's
corpus container (every page, followed by ``next``) and as the one-file download.

Reports, for each, annotations per second, megabytes per second, the time of one page
(median, p95) and its SQL queries, and the process's resident memory (now and its peak)
at the start, the middle and the end: flat memory means the three stay close whatever
the corpus's size.

    .venv/bin/python bench/interchange.py --generated [--pages 200]

It measures the corpus of bench/generate.py (100× the seeds), generated first when the
database does not hold it yet. ``--generated`` uses the benchmarks' shared SQLite file;
with DATABASE_URL set it uses that database (PostgreSQL: a scratch database, or a copy of
one generated before, ``createdb -T <generated> scratch``). It only reads."""

import argparse
import json
import resource
import time
from pathlib import Path

import generate
from django.db import reset_queries

from common import (
    CaptureQueriesContext,
    connection,
    median,
    percentile,
    signed_in_client,
)

ACCEPT = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def rss_mb() -> tuple[float, float]:
    """The resident memory now and its peak so far, in MB."""
    status = Path("/proc/self/status").read_text()
    now = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return now / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_line(samples: list[tuple[str, tuple[float, float]]]) -> str:
    return ", ".join(f"{name} {now:.0f} MB (peak {peak:.0f})" for name, (now, peak) in samples)


def stream_pages(client, limit: int | None) -> None:
    """Follow the corpus container's pages from the first to the last (or ``limit``)."""
    minimal = 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"'
    response = client.get("/annotations/", headers={"Accept": ACCEPT, "Prefer": minimal})
    container = json.loads(b"".join(response.streaming_content))
    total = container["total"]
    pages = (total + 99) // 100 if limit is None else min(limit, (total + 99) // 100)
    url, timings, queries, size, annotations = container["first"], [], [], 0, 0
    samples = [("start", rss_mb())]
    started, started_cpu = time.perf_counter(), time.process_time()
    while url and len(timings) < pages:
        reset_queries()  # the query log is bounded, not emptied: each page counts its own
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url, headers={"Accept": ACCEPT})
            body = b"".join(response.streaming_content)
            timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured))
        page = json.loads(body)
        size += len(body)
        annotations += len(page["items"])
        url = page.get("next")
        if len(timings) == pages // 2:
            samples.append(("middle", rss_mb()))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    samples.append(("end", rss_mb()))
    print(f"Container pages: {len(timings):,} of {(total + 99) // 100:,} pages, "
          f"{annotations:,} annotations of {total:,}, "
          f"{size / 1e6:.1f} MB in {elapsed:.1f} s")  # fmt: skip
    print(f"  {annotations / elapsed:,.0f} annotations/s, {size / 1e6 / elapsed:.2f} MB/s; "
          f"a page: median {median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
          f"first {timings[0]:.0f} ms, last {timings[-1]:.0f} ms; "
          f"SQL queries {min(queries)}–{max(queries)}")  # fmt: skip
    print(f"  CPU (this process): {cpu:.1f} s, {annotations / cpu:,.0f} annotations per CPU second")
    print(f"  memory: {memory_line(samples)}")


def stream_file(client) -> None:
    """Download the whole corpus as one file, reading it as it streams."""
    reset_queries()
    samples = [("start", rss_mb())]
    started, started_cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/annotations/download/")
        size, chunks, tail = 0, 0, b""
        for chunk in response.streaming_content:
            size += len(chunk)
            chunks += 1
            tail = (tail + chunk)[-200:]
            if chunks == 150:  # about the middle of 150,000 annotations
                samples.append(("middle", rss_mb()))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    samples.append(("end", rss_mb()))
    total = int(tail.rsplit(b'"total":', 1)[1].rstrip(b"}"))
    print(f"File: {total:,} annotations, {size / 1e6:.1f} MB in {elapsed:.1f} s "
          f"({len(captured)} SQL queries)")  # fmt: skip
    print(f"  {total / elapsed:,.0f} annotations/s, {size / 1e6 / elapsed:.2f} MB/s; "
          f"CPU (this process) {cpu:.1f} s, "
          f"{total / cpu:,.0f} annotations per CPU second")  # fmt: skip
    print(f"  memory: {memory_line(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    generate.add_options(parser, optional=True)
    parser.add_argument("--pages", type=int, help="Stop after this many container pages.")
    parser.add_argument("--skip-file", action="store_true")
    options = parser.parse_args()
    generate.ensure_from(options)
    client = signed_in_client(username="gen-annotator-01")
    print(f"Database: {connection.vendor}")
    stream_pages(client, options.pages)
    if not options.skip_file:
        stream_file(client)


if __name__ == "__main__":
    main()
