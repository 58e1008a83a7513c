"""Benchmark: the admin's export of claims (django-import-export) in CSV, XLSX and JSON.

Builds claims across the seed documents (default 100,000, anchored like real ones, two
topics each) in a throwaway SQLite database unless DATABASE_URL is set (use a scratch
database), then posts the admin's export form as an editor and reports, per format, the
time, the SQL queries (they must not grow with the rows) and, in a second export, the peak
of memory Python allocated (tracemalloc slows Python down, so it is not on while timing).

    .venv/bin/python bench/admin_export.py [--claims 100000] [--formats csv,xlsx,json]
"""

import argparse
import random
import time
import tracemalloc

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
    print("| format | seconds | rows/s | SQL queries | peak Python memory (MB) | bytes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in arguments.formats.split(","):
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
