"""Benchmark: the claims export, against the database's own CSV tool.

Runs ``manage.py export_annotations --dataset claims`` in a child process and reports its
rows per second and peak memory (maximum resident set size), then exports the same cells
with the ``sqlite3`` command-line tool (or ``psql \\copy`` when DATABASE_URL points at
PostgreSQL) from the same database, and checks that both files hold the same cells; each
three times, alternately, reporting the medians.

    .venv/bin/python bench/export.py [--claims 1000000]
    .venv/bin/python bench/export.py --generated [--scale 1.0] [--runs 5]

By default it builds 1,000,000 claims (10,000 generated and anchored like real ones, then
copied in SQL under other annotators) in a throwaway SQLite database unless DATABASE_URL
is set (use a scratch database). With ``--generated`` it exports the corpus of
bench/generate.py and also times the Export page's downloads of the three datasets.
"""

import argparse
import csv
import itertools
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
    median,
    prepare,
    signed_in_client,
)

# isort: split
# The app's modules need Django set up, which importing common does.
from crosscheck.spreadsheet import restore

BASE_CLAIMS = 10_000

# The claims dataset's columns (claims/exports.py) as the database's own CSV tool writes
# them: the same values in the same order, so that the two files hold the same cells, save
# the tool's quoting (it quotes every text) and the app's spreadsheet neutralising (a leading
# apostrophe, which ``same_cells`` undoes). The ids and times are written as the app writes
# them (SQLite stores a UUID as 32 hex digits and a time as "YYYY-MM-DD HH:MM:SS[.ffffff]";
# PostgreSQL's to_char writes six zero microseconds, which Python's isoformat leaves out),
# and a claim's topics are joined in code point order, as the app does.
CLAIM_ID = {
    "sqlite": "substr(c.public_id, 1, 8) || '-' || substr(c.public_id, 9, 4) || '-' || "
    "substr(c.public_id, 13, 4) || '-' || substr(c.public_id, 17, 4) || '-' || "
    "substr(c.public_id, 21, 12)",
    "postgresql": "c.public_id",
}
TOPICS = {
    # SQLite 3.40 has no ORDER BY inside GROUP_CONCAT: it aggregates an ordered subquery.
    "sqlite": "(SELECT GROUP_CONCAT(name, '; ') FROM (SELECT t.name AS name "
    "FROM claims_claim_topics ct JOIN claims_topic t ON t.id = ct.topic_id "
    "WHERE ct.claim_id = c.id ORDER BY t.name))",
    "postgresql": "(SELECT string_agg(t.name, '; ' ORDER BY t.name COLLATE \"C\") "
    "FROM claims_claim_topics ct JOIN claims_topic t ON t.id = ct.topic_id "
    "WHERE ct.claim_id = c.id)",
}
TIME = {
    "sqlite": "replace({0}, ' ', 'T') || '+00:00'",
    "postgresql": "replace(to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
    "'.000000', '') || '+00:00'",
}


def tool_query(vendor: str) -> str:
    """The claims export's columns, in its order and under its header, as one SELECT."""
    moment = TIME[vendor]
    return f"""
SELECT
  {CLAIM_ID[vendor]} AS claim_id, s.name AS source, s.kind AS source_kind,
  d.title AS document, d.checksum AS document_checksum, c.start, c."end", c.quote,
  c.statement, {TOPICS[vendor]} AS topics, u.username AS annotator,
  {moment.format("c.created_at")} AS created, {moment.format("c.updated_at")} AS updated,
  (SELECT COUNT(*) FROM claims_claimlink l WHERE l.left_id = c.id)
    + (SELECT COUNT(*) FROM claims_claimlink l WHERE l.right_id = c.id) AS links,
  (SELECT COUNT(*) FROM claims_evidence e WHERE e.claim_id = c.id) AS evidence
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


# Starts a command and writes its peak resident memory (KB) to the file named first. Linux
# counts the memory of the process that starts a child into the child's peak (its pages
# until the exec), so a child started from this benchmark, grown by the browser runs of
# run_all.py, reported 432 MB: started from this small launcher, it reports its own.
_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(command: list[str], **kwargs) -> tuple[float, float]:
    """Run ``command`` to its end: its wall time in seconds and its own peak resident
    memory in MB."""
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        returncode = subprocess.call(
            [sys.executable, "-c", _LAUNCHER, report.name, *command], **kwargs
        )
        seconds = time.perf_counter() - started
        assert returncode == 0, (command, returncode)
        return seconds, int(report.read()) / 1024


def export_with_tool(path: Path) -> tuple[str, float]:
    """Write the claims' columns to ``path`` with the database's own CSV tool: its name
    and wall time in seconds."""
    settings = connection.settings_dict
    query = " ".join(tool_query(connection.vendor).split())
    if connection.vendor == "sqlite":
        with open(path, "wb") as file:
            tool, _ = run_child(["sqlite3", "-csv", "-header", str(settings["NAME"]), query],
                                stdout=file)  # fmt: skip
        return "sqlite3 -csv", tool
    host, port = settings["HOST"] or "127.0.0.1", str(settings["PORT"] or 5432)
    copy = f"\\copy ({query}) TO '{path}' WITH CSV HEADER"
    tool, _ = run_child(
        ["psql", "-q", "-h", host, "-p", port, "-U", settings["USER"], "-d", settings["NAME"],
         "-c", copy],
    )  # fmt: skip
    return "psql \\copy", tool


def csv_rows(path: Path):
    with open(path, encoding="utf-8", newline="") as file:
        yield from csv.reader(file)


def same_cells(ours: Path, tool: Path) -> int:
    """Check that the two files hold the same cells once the app's neutralising is undone
    (the tool quotes differently and adds no apostrophes): the number of records compared,
    or SystemExit at the first difference."""
    number, pairs = 0, itertools.zip_longest(csv_rows(ours), csv_rows(tool))
    for number, (row, tool_row) in enumerate(pairs, start=1):
        if row is None or tool_row is None or [restore(cell) for cell in row] != tool_row:
            raise SystemExit(f"Record {number} differs:\n  app:  {row}\n  tool: {tool_row}")
    return number


def compare_with_tool(runs: int = 3) -> list[Row]:
    """The claims export by ``manage.py export_annotations`` against the database's CSV
    tool writing the same cells (checked), each run ``runs`` times, alternately: one row
    each (medians, not held to a target)."""
    rows = Claim.objects.count()
    out = Path(tempfile.mkdtemp())
    ours, tool, memory = [], [], []
    for _ in range(runs):
        seconds, peak = run_child(
            [sys.executable, str(ROOT / "manage.py"), "export_annotations", "--dataset",
             "claims", "--output", str(out / "crosscheck.csv")],
            env=os.environ,
        )  # fmt: skip
        ours.append(seconds)
        memory.append(peak)
        tool_name, seconds = export_with_tool(out / "tool.csv")
        tool.append(seconds)
    compared = same_cells(out / "crosscheck.csv", out / "tool.csv")
    size = (out / "crosscheck.csv").stat().st_size / 1e6
    ours_s, tool_s = median(ours), median(tool)
    return [
        Row(f"claims export: export_annotations command, {rows:,} rows",
            [s * 1000 for s in ours], [],
            f"{rows / ours_s:,.0f} rows/s, {size:.0f} MB, peak memory {max(memory):.0f} MB; "
            f"{tool_s / ours_s:.2f} of the tool's speed", target=False),
        Row(f"claims export: {tool_name}, same cells ({compared - 1:,} rows checked)",
            [s * 1000 for s in tool], [], f"{rows / tool_s:,.0f} rows/s", target=False),
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
