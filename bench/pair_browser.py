"""Benchmark: the claim pair browser (/links/) with many links.

Generates claims across the seed documents and links between claims of different
documents (default 100,000), as bench/review_queue.py does, then times the pair browser:
the first page, each filter, each order, a later page: median and 95th percentile server
time and SQL queries per request.

    .venv/bin/python bench/pair_browser.py [--links 100000] [--runs 20]
    .venv/bin/python bench/pair_browser.py --generated [--scale 1.0] [--runs 20]

Uses a throwaway SQLite database unless DATABASE_URL is set (use a scratch database). With
``--generated`` it measures the corpus of bench/generate.py (20,000 links at scale 1).
"""

import argparse
import time

import generate
import review_queue
from django.test import Client

from common import (
    Claim,
    ClaimLink,
    Document,
    Review,
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


def browser_pages() -> dict[str, str]:
    """The pair browser's requests to time, by name: unfiltered, each filter, each order."""
    source = Document.objects.defer("text").order_by("pk").values_list("source_id", flat=True)[0]
    topic = Claim.topics.through.objects.order_by("pk").values_list("topic_id", flat=True).first()
    proposer = ClaimLink.objects.order_by("pk").values_list("created_by_id", flat=True)[0]
    pages = {
        "pair browser, first page": "/links/",
        "pair browser, page 100": "/links/?page=100",
        "pair browser, relation=qualifies": "/links/?relation=qualifies",
        "pair browser, state=confirmed": "/links/?state=confirmed",
        f"pair browser, source={source}": f"/links/?source={source}",
        f"pair browser, proposer={proposer}": f"/links/?annotator={proposer}",
        "pair browser, q=trotsky": "/links/?q=trotsky",
        "pair browser, q=bukharin confession": "/links/?q=bukharin+confession",
        "pair browser, sort=relation": "/links/?sort=relation",
        "pair browser, sort=state, page 20": "/links/?sort=state&page=20",
        "pair browser, oldest first": "/links/?sort=oldest",
    }
    if topic is not None:
        pages[f"pair browser, topic={topic}"] = f"/links/?topic={topic}"
    return pages


def measure_browser(client: Client, runs: int) -> list[Row]:
    return [measure(client, name, url, runs) for name, url in browser_pages().items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
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
        users = [make_user("annotator", username=f"bench-pb-{i}") for i in range(10)]
        reviewers = [make_user("reviewer", username=f"bench-pbr-{i}") for i in range(10)]
        for number, document in enumerate(documents):
            make_claims(document, args.links // len(documents), seed=number, users=users)
        review_queue.make_links(args.links, users)
        review_queue.make_reviews(0.25, reviewers)
        generate.review_states_refresh()
        analyze()
        counts = (Claim.objects.count(), ClaimLink.objects.count(), Review.objects.count())
        elapsed = time.perf_counter() - started
        print("generated {:,} claims, {:,} links, {:,} reviews".format(*counts),
              f"in {elapsed:.0f} s")  # fmt: skip
        client = signed_in_client("annotator")
    print(f"The pair browser with {ClaimLink.objects.count():,} links ({connection.vendor})")
    print(markdown_table(measure_browser(client, args.runs)))


if __name__ == "__main__":
    main()
