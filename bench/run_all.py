"""Run every benchmark on the generated corpus and print one markdown table.

Generates the corpus of bench/generate.py once (or reuses it), then measures at that
scale: the annotation page of the largest document (server, SQL queries, headless
Chromium until the highlights are painted), the claims list, the review queue with
filters, the claim pair page, the review dashboard, the pair browser with its filters and
orders, the inbox and its unread count, the link typeahead, the Export page's downloads,
and the claims export command against sqlite3 / psql \\copy. Pages and API requests whose
median misses 100 ms are marked ⚠.

    .venv/bin/python bench/run_all.py [--scale 1.0] [--seed 1] [--runs 20] [--fresh]
        [--output FILE]
    make bench                                   # the same, on SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crosscheck_bench make bench

The table, headed by the date, machine, database and commit, is also written to
``--output`` (default: results-<database>.md beside the generated SQLite file) for
pasting into bench/RESULTS.md.
"""

import argparse
import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import annotation_page
import export
import generate
import inbox
import link_search
import pair_browser
import review_queue
from django.test import Client

from common import (
    GENERATED_SQLITE,
    ROOT,
    Claim,
    Document,
    Row,
    connection,
    markdown_table,
    measure,
    signed_in_client,
)


def claims_list_rows(client: Client, runs: int) -> list[Row]:
    """The claims list: unfiltered, a later page, and with each kind of filter."""
    source = Document.objects.defer("text").order_by("pk").first().source_id
    topic = Claim.topics.through.objects.order_by("pk").values_list("topic_id", flat=True)[0]
    annotator = Claim.objects.order_by("pk").values_list("created_by_id", flat=True)[0]
    pages = {
        "claims list, first page": "/claims/",
        "claims list, page 100": "/claims/?page=100",
        "claims list, q=trotsky": "/claims/?q=trotsky",
        f"claims list, source={source}": f"/claims/?source={source}",
        f"claims list, topic={topic} and annotator={annotator}":
            f"/claims/?topic={topic}&annotator={annotator}",
    }  # fmt: skip
    return [measure(client, name, url, runs) for name, url in pages.items()]


def _output(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "unknown"


def describe_run(args: argparse.Namespace) -> str:
    """Date, machine, database, corpus and commit: what a result needs to be compared."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        else:
            cursor.execute("SHOW server_version")
        database = cursor.fetchone()[0]
        if connection.vendor != "sqlite":
            database = f"PostgreSQL {database}"
    memory = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    os_release = dict(
        line.strip().split("=", 1) for line in open("/etc/os-release") if "=" in line
    ).get("PRETTY_NAME", platform.platform())
    commit = _output(["git", "rev-parse", "--short", "HEAD"])
    dirty = " (with uncommitted changes)" if _output(["git", "status", "--porcelain"]) else ""
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}{dirty}; "
        f"{os.cpu_count()} cores, {int(memory) / 1024**2:.0f} GiB, {os_release.strip(chr(34))}, "
        f"Python {platform.python_version()}, {database}, "
        f"{_output(['/usr/bin/chromium', '--version']) or 'no Chromium'}; "
        f"corpus scale {args.scale:g} (seed {args.seed}), {args.runs} requests per row; "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per page or query")
    parser.add_argument("--output", help="where to write the markdown table")
    generate.add_options(parser)
    args = parser.parse_args()

    generate.ensure_from(args)
    started = time.perf_counter()
    about = describe_run(args)
    annotator = signed_in_client(username="gen-annotator-01")
    reviewer = signed_in_client(username="gen-reviewer-01")
    steps = [
        lambda: annotation_page.measure_page(
            annotator, annotation_page.largest_document(), args.runs
        ),
        lambda: claims_list_rows(annotator, args.runs),
        lambda: review_queue.measure_review(reviewer, args.runs),
        lambda: pair_browser.measure_browser(annotator, args.runs),
        lambda: inbox.measure_inbox(args.runs),
        lambda: link_search.measure_search(
            annotator, Document.objects.defer("text").order_by("pk").first(), args.runs
        ),
        lambda: export.measure_downloads(reviewer, max(3, args.runs // 4)),
        export.compare_with_tool,
    ]
    rows = []
    for step in steps:
        rows += step()
    minutes = (time.perf_counter() - started) / 60
    text = (
        f"### All benchmarks on {connection.vendor}\n\n{about}; measured in {minutes:.0f} min, "
        f"load average at the end {os.getloadavg()[0]:.1f}.\n\n{markdown_table(rows)}\n\n"
        "⚠: median over the 100 ms target. Browser rows and whole-dataset exports are not "
        "held to it.\n"
    )
    print(text)
    output = Path(args.output or GENERATED_SQLITE.parent / f"results-{connection.vendor}.md")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"Written to {output}")


if __name__ == "__main__":
    main()
