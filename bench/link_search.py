"""Benchmark: the "Link to claim…" typeahead over many claims.

Fills the five seed documents with generated claims (default 100,000 in all), then times
GET /api/claims/search/ for typical queries: median and 95th percentile server time, and
SQL queries per request.

    .venv/bin/python bench/link_search.py [--claims 100000] [--runs 20]

Uses a throwaway SQLite database unless DATABASE_URL is set (use a scratch database).
"""

import argparse
import time
from urllib.parse import urlencode

from django.urls import reverse

from common import (
    Document,
    analyze,
    connection,
    make_claims,
    make_user,
    median,
    percentile,
    prepare,
    signed_in_client,
    time_requests,
)

QUERIES = [
    "Trotsky",  # common: many matches, the first ten found early
    "expelled 1929",  # two words
    "Kirov assassination",
    "zinoviev kamenev trial",
    "Alma Ata",  # rare
    "nothing matches this",  # no match: the whole table is read
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    prepare()
    started = time.perf_counter()
    documents = list(Document.objects.all())
    users = [make_user("annotator", username=f"bench-search-{i}") for i in range(20)]
    for number, document in enumerate(documents):
        make_claims(document, args.claims // len(documents), seed=number, users=users)
    analyze()
    print(f"generated {args.claims:,} claims in {time.perf_counter() - started:.0f} s")

    client = signed_in_client()
    exclude = documents[0].pk
    print(f"Link typeahead over {args.claims:,} claims ({connection.vendor})")
    print("| query | median ms | p95 ms | queries | results |")
    print("| --- | --- | --- | --- | --- |")
    for query in QUERIES:
        url = (
            reverse("claims:api-claim-search")
            + "?"
            + urlencode({"q": query, "exclude_document": exclude})
        )
        timings, queries, response = time_requests(client, url, args.runs)
        results = len(response.json()["results"])
        print(f"| {query} | {median(timings):.1f} | {percentile(timings, 0.95):.1f} | "
              f"{max(queries)} | {results} |")  # fmt: skip


if __name__ == "__main__":
    main()
