"""Benchmark: the claims export at 1,000,000 claims, against the database's own CSV tool.

Builds the claims (10,000 generated and anchored like real ones, then copied in SQL under
other annotators), runs ``manage.py export_annotations --dataset claims`` in a child
process and reports its rows per second and peak memory (maximum resident set size), then
exports the same columns with the ``sqlite3`` command-line tool (or ``psql \\copy`` when
DATABASE_URL points at PostgreSQL) from the same database.

    .venv/bin/python bench/export.py [--claims 1000000]

Uses a throwaway SQLite database unless DATABASE_URL is set (use a scratch database).
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Claim, Document, analyze, connection, make_claims, make_user, prepare

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


def peak_child_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    args = parser.parse_args()

    started = time.perf_counter()
    build(args.claims)
    rows = Claim.objects.count()
    print(f"built {rows:,} claims in {time.perf_counter() - started:.0f} s ({connection.vendor})")
    out = Path(tempfile.mkdtemp())

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "export_annotations", "--dataset", "claims",
         "--output", str(out / "crosscheck.csv")],
        check=True, env=os.environ,
    )  # fmt: skip
    ours = time.perf_counter() - started
    memory = peak_child_memory_mb()

    settings = connection.settings_dict
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with open(out / "tool.csv", "wb") as file:
            subprocess.run(["sqlite3", "-csv", "-header", str(settings["NAME"]),
                            f"SELECT {SQL_COLUMNS};"], check=True, stdout=file)  # fmt: skip
        tool_name = "sqlite3 -csv"
    else:
        query = " ".join(f"SELECT {SQL_COLUMNS}".split())
        host, port = settings["HOST"] or "127.0.0.1", str(settings["PORT"] or 5432)
        copy = f"\\copy ({query}) TO '{out / 'tool.csv'}' WITH CSV HEADER"
        subprocess.run(
            ["psql", "-q", "-h", host, "-p", port, "-U", settings["USER"], "-d", settings["NAME"],
             "-c", copy],
            check=True,
        )  # fmt: skip
        tool_name = "psql \\copy"
    tool = time.perf_counter() - started

    size = (out / "crosscheck.csv").stat().st_size / 1e6
    print(f"| export of {rows:,} claims | seconds | rows/s | peak memory |")
    print("| --- | --- | --- | --- |")
    print(f"| export_annotations ({size:.0f} MB) | {ours:.1f} | {rows / ours:,.0f} | "
          f"{memory:.0f} MB |")  # fmt: skip
    print(f"| {tool_name} | {tool:.1f} | {rows / tool:,.0f} | |")
    print(f"ours / tool speed: {tool / ours:.2f}")


if __name__ == "__main__":
    main()
