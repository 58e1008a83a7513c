"""Benchmark: the "Link to claim…" typeahead over many claims.

Times GET /api/claims/search/ for typical queries: median and 95th percentile server time,
and SQL queries per request; then the claims list searched for the same words
(GET /claims/?q=…), which matches words the same way (claims.search).

    .venv/bin/python bench/link_search.py [--claims 100000] [--runs 20]
    .venv/bin/python bench/link_search.py --generated [--scale 1.0] [--runs 20]

By default the five seed documents are filled with ``--claims`` generated claims in a
throwaway SQLite database unless DATABASE_URL is set (use a scratch database). With
``--generated`` it searches the corpus of bench/generate.py (100,000 claims at scale 1).
"""

import argparse
import time
from urllib.parse import urlencode

import generate
from django.test import Client
from django.urls import reverse

from common import (
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
    time_requests,
)

QUERIES = [
    "Trotsky",  # common: many matches, the first ten found early
    "expelled 1929",  # two words
    "Kirov assassination",
    "zinoviev kamenev trial",
    "Alma Ata",  # rare
    "nothing matches this",  # no match: without an index, every claim is read
    "that",  # in every claim: an index finds too many to gather them all
]


def measure_search(client: Client, exclude: Document, runs: int) -> list[Row]:
    """One row per query of ``QUERIES``, leaving out ``exclude``'s claims as the page does."""
    rows = []
    for query in QUERIES:
        url = (
            reverse("claims:api-claim-search")
            + "?"
            + urlencode({"q": query, "exclude_document": exclude.pk})
        )
        row, response = time_requests(client, url, runs, f"link typeahead: {query}")
        row.note = f"{len(response.json()['results'])} results"
        rows.append(row)
    return rows


def measure_list_search(client: Client, runs: int) -> list[Row]:
    """One row per query of ``QUERIES``: the first page of the claims list searched."""
    url = reverse("claims:list")
    return [
        measure(client, f"claims list: {query}", f"{url}?{urlencode({'q': query})}", runs)
        for query in QUERIES
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    generate.add_options(parser, optional=True)
    args = parser.parse_args()

    if args.generated:
        generate.ensure_from(args)
        client = signed_in_client(username="gen-annotator-01")
    else:
        prepare()
        started = time.perf_counter()
        documents = list(Document.objects.all())
        users = [make_user("annotator", username=f"bench-search-{i}") for i in range(20)]
        for number, document in enumerate(documents):
            make_claims(document, args.claims // len(documents), seed=number, users=users)
        analyze()
        print(f"generated {args.claims:,} claims in {time.perf_counter() - started:.0f} s")
        client = signed_in_client()
    exclude = Document.objects.defer("text").order_by("pk").first()
    print(f"Link typeahead over {Claim.objects.count():,} claims ({connection.vendor})")
    print(markdown_table(measure_search(client, exclude, args.runs)))
    print()
    print(markdown_table(measure_list_search(client, args.runs)))


if __name__ == "__main__":
    main()
