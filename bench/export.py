"""Benchmark: the claims export, against the database's own CSV tool.

Runs ``manage.py export_annotations --dataset claims`` in a child process and reports its
rows per second and peak memory (maximum resident set size), then exports the same
columns with the ``sqlite3`` command-line tool (or ``psql \\copy`` when DATABASE_URL points
at PostgreSQL) from the same database.

    .venv/bin/python bench/export.py [--claims 1000000]
    .venv/bin/python bench/export.py --generated [--scale 1.0] [--runs 5]

By default it builds 1,000,000 claims (10,000 generated and anchored like real ones, then
copied in SQL under other annotators) in a throwaway SQLite database unless DATABASE_URL
is set (use a scratch database). With ``--generated`` it exports the corpus of
bench/generate.py and also times the Export page's downloads of the three datasets.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import generate
from django.test import Client

from common import (
    ROOT,
    Claim,
    Document,
    Row,
    analyze,
    connection,
    make_claims,
    make_user,
    markdown_table,
    measure,
    prepare,
    signed_in_client,
)

BASE_CLAIMS = 10_000

# The claims dataset's columns (claims/exports.py), written by the database itself.
# Topics are left empty here: these claims have none, so the export's topic query is empty.
SQL_COLUMNS = """
  c.public_id, s.name, s.kind, d.title, d.checksum, c.start, c."end", c.quote, c.statement,
  '' AS topics, u.username, c.created_at, c.updated_at,
  (SELECT COUNT(*) FROM claims_claimlink l WHERE l.left_id = c.id)
    + (SELECT COUNT(*) FROM claims_claimlink l WHERE l.right_id = c.id),
  (SELECT COUNT(*) FROM claims_evidence e WHERE e.claim_id = c.id)
FROM claims_claim c
JOIN corpus_document d ON d.id = c.document_id
JOIN corpus_source s ON s.id = d.source_id
JOIN auth_user u ON u.id = c.created_by_id
ORDER BY c.id
"""


def build(total: int) -> None:
    prepare()
    documents = list(Document.objects.all())
    base_users = [make_user("annotator", username="bench-x")]  # copies go to other users
    for number, document in enumerate(documents):
        make_claims(document, BASE_CLAIMS // len(documents), seed=number, users=base_users)
    copies = -(-total // BASE_CLAIMS) - 1
    new_id = "lower(hex(randomblob(16)))" if connection.vendor == "sqlite" else "gen_random_uuid()"
    columns = "document_id, start, \"end\", quote, prefix, suffix, statement, created_at, " \
              "updated_at, version, search_text"  # fmt: skip
    with connection.cursor() as cursor:
        for copy in range(copies):
            user = make_user("annotator", username=f"bench-copy-{copy}")
            cursor.execute(
                f"INSERT INTO claims_claim (public_id, created_by_id, {columns}) "
                f"SELECT {new_id}, %s, {columns} FROM claims_claim "
                f"WHERE created_by_id IN ({','.join(str(u.pk) for u in base_users)})",
                [user.pk],
            )
    analyze()


def run_child(command: list[str], **kwargs) -> tuple[float, float]:
    """Run ``command`` to its end: its wall time in seconds and its own peak resident
    memory in MB (``wait4`` reports that child only, not earlier ones like a browser)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, **kwargs)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, (command, child.returncode)
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def compare_with_tool() -> list[Row]:
    """The claims export by ``manage.py export_annotations`` against the database's CSV
    tool writing the same columns: one row each (whole seconds, not held to a target)."""
    rows = Claim.objects.count()
    out = Path(tempfile.mkdtemp())
    ours, memory = run_child(
        [sys.executable, str(ROOT / "manage.py"), "export_annotations", "--dataset", "claims",
         "--output", str(out / "crosscheck.csv")],
        env=os.environ,
    )  # fmt: skip

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        with open(out / "tool.csv", "wb") as file:
            tool, _ = run_child(["sqlite3", "-csv", "-header", str(settings["NAME"]),
                                 f"SELECT {SQL_COLUMNS};"], stdout=file)  # fmt: skip
        tool_name = "sqlite3 -csv"
    else:
        query = " ".join(f"SELECT {SQL_COLUMNS}".split())
        host, port = settings["HOST"] or "127.0.0.1", str(settings["PORT"] or 5432)
        copy = f"\\copy ({query}) TO '{out / 'tool.csv'}' WITH CSV HEADER"
        tool, _ = run_child(
            ["psql", "-q", "-h", host, "-p", port, "-U", settings["USER"], "-d", settings["NAME"],
             "-c", copy],
        )  # fmt: skip
        tool_name = "psql \\copy"
    size = (out / "crosscheck.csv").stat().st_size / 1e6
    return [
        Row(f"claims export: export_annotations command, {rows:,} rows", [ours * 1000], [],
            f"{rows / ours:,.0f} rows/s, {size:.0f} MB, peak memory {memory:.0f} MB; "
            f"{tool / ours:.2f} of the tool's speed", target=False),
        Row(f"claims export: {tool_name}, same columns", [tool * 1000], [],
            f"{rows / tool:,.0f} rows/s", target=False),
    ]  # fmt: skip


def measure_downloads(client: Client, runs: int) -> list[Row]:
    """The Export page's downloads, read to the end: each dataset whole, and the claims
    of one source (whole-dataset downloads are not held to the page target)."""
    source = Document.objects.defer("text").order_by("pk").first().source_id
    base = "/export/download/?dataset="
    rows = [
        measure(client, f"export download: {dataset}, all", base + dataset, runs, target=False)
        for dataset in ("claims", "pairs", "evidence")
    ]
    rows.append(measure(client, f"export download: claims, source={source}",
                        f"{base}claims&source={source}", runs))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="downloads per dataset")
    generate.add_options(parser, optional=True)
    args = parser.parse_args()

    rows = []
    if args.generated:
        generate.ensure_from(args)
        rows += measure_downloads(signed_in_client(username="gen-reviewer-01"), args.runs)
    else:
        started = time.perf_counter()
        build(args.claims)
        elapsed = time.perf_counter() - started
        print(f"built {Claim.objects.count():,} claims in {elapsed:.0f} s ({connection.vendor})")
    rows += compare_with_tool()
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
