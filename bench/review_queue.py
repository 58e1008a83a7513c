"""Benchmark: the review queue and the claim pair page with many links.

Generates claims across the seed documents, links between claims of different documents
(default 100,000) and reviews of some of them, then times the queue page (first page,
and filtered by relation and source) and the claim pair page in queue mode for a reviewer:
median and 95th percentile server time and SQL queries per request.

    .venv/bin/python bench/review_queue.py [--links 100000] [--runs 20]

Uses a throwaway SQLite database unless DATABASE_URL is set (use a scratch database).
"""

import argparse
import random
import time

from common import (
    Claim,
    ClaimLink,
    Document,
    Relation,
    Review,
    ReviewState,
    Verdict,
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


def make_links(count: int, users, seed: int = 7) -> None:
    rng = random.Random(seed)
    claims = list(Claim.objects.values_list("pk", "document_id"))
    links, seen = [], set()
    while len(links) < count:
        (one, one_doc), (two, two_doc) = rng.sample(claims, 2)
        if one_doc == two_doc:
            continue
        left, right = min(one, two), max(one, two)
        if (left, right) in seen:
            continue
        seen.add((left, right))
        links.append(
            ClaimLink(
                left_id=left, right_id=right, relation=rng.choice(Relation.values),
                rationale="Generated pair", created_by=rng.choice(users),
                review_state=rng.choice(ReviewState.values),
            )
        )  # fmt: skip
    ClaimLink.objects.bulk_create(links, batch_size=2000)


def make_reviews(share: float, reviewers, seed: int = 9) -> None:
    rng = random.Random(seed)
    reviews = []
    for link_id in ClaimLink.objects.values_list("pk", flat=True).iterator():
        if rng.random() < share:
            for reviewer in rng.sample(reviewers, 2):
                reviews.append(Review(link_id=link_id, reviewer=reviewer,
                                      verdict=rng.choice(Verdict.values)))  # fmt: skip
    Review.objects.bulk_create(reviews, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    prepare()
    started = time.perf_counter()
    documents = list(Document.objects.all())
    users = [make_user("annotator", username=f"bench-rq-{i}") for i in range(10)]
    reviewers = [make_user("reviewer", username=f"bench-rv-{i}") for i in range(10)]
    for number, document in enumerate(documents):
        make_claims(document, args.links // len(documents), seed=number, users=users)
    make_links(args.links, users)
    make_reviews(0.25, reviewers)
    analyze()
    counts = (Claim.objects.count(), ClaimLink.objects.count(), Review.objects.count())
    elapsed = time.perf_counter() - started
    print("generated {:,} claims, {:,} links, {:,} reviews".format(*counts), f"in {elapsed:.0f} s")

    client = signed_in_client("reviewer")
    source = documents[0].source_id
    oldest = ClaimLink.objects.order_by("created_at", "pk").first()
    pages = {
        "queue, first page": "/review/",
        "queue, relation=qualifies": "/review/?relation=qualifies",
        f"queue, source={source}": f"/review/?source={source}",
        "queue, page 100": "/review/?page=100",
        "pair page in queue mode": f"{oldest.get_absolute_url()}?queue=1",
        "dashboard": "/review/dashboard/",
    }
    print(f"Review screens with {args.links:,} links ({connection.vendor})")
    print("| page | median ms | p95 ms | queries |")
    print("| --- | --- | --- | --- |")
    for name, url in pages.items():
        timings, queries, _ = time_requests(client, url, args.runs)
        print(f"| {name} | {median(timings):.0f} | {percentile(timings, 0.95):.0f} | "
              f"{max(queries)} |")  # fmt: skip


if __name__ == "__main__":
    main()
