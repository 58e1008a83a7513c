"""Benchmark: the review queue and the claim pair page with many links.

Generates claims across the seed documents, links between claims of different documents
(default 100,000) and reviews of some of them, then times the queue page (first page,
filtered, a later page), the claim pair page (alone and in queue mode) and the dashboard
for a reviewer who has reviewed some of the links (My verdicts lists theirs): median and
95th percentile server time and SQL queries per request.

    .venv/bin/python bench/review_queue.py [--links 100000] [--runs 20]
    .venv/bin/python bench/review_queue.py --generated [--scale 1.0] [--runs 20]

Uses a throwaway SQLite database unless DATABASE_URL is set (use a scratch database). With
``--generated`` it measures the corpus of bench/generate.py (20,000 links at scale 1,
reviews consistent with the links' states) as one of its reviewers.
"""

import argparse
import random
import time

import generate
from django.test import Client

from common import (
    Claim,
    ClaimLink,
    Document,
    Relation,
    Review,
    Row,
    Verdict,
    analyze,
    connection,
    make_claims,
    make_user,
    markdown_table,
    measure,
    prepare,
    signed_in_client,
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
        relation = rng.choice(Relation.values)
        links.append(
            ClaimLink(
                left_id=left, right_id=right, relation=relation,
                direction="unknown" if relation == Relation.QUALIFIES else "none",
                rationale="Generated pair", created_by=rng.choice(users),
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


def review_pages() -> dict[str, str]:
    """The review screens to time, by name: the queue with its filters and search, the
    reviewer's verdicts, the oldest pair and the dashboard."""
    documents = Document.objects.defer("text").order_by("pk")
    source = documents[0].source_id
    topic = Claim.topics.through.objects.order_by("pk").values_list("topic_id", flat=True).first()
    oldest = ClaimLink.objects.order_by("created_at", "pk").first()
    pages = {
        "review queue, first page": "/review/",
        "review queue, relation=qualifies": "/review/?relation=qualifies",
        "review queue, state=needs_evidence": "/review/?state=needs_evidence",
        f"review queue, source={source}": f"/review/?source={source}",
        "review queue, page 100": "/review/?page=100",
        "review queue, q=trotsky": "/review/?q=trotsky",
        "review queue, q=kirov shot": "/review/?q=kirov+shot",
        "my verdicts": "/review/mine/",
        "my verdicts, q=trotsky": "/review/mine/?q=trotsky",
        "my verdicts, verdict=rejected and state=disputed": (
            "/review/mine/?verdict=rejected&state=disputed"
        ),
        "claim pair page": oldest.get_absolute_url(),
        "claim pair page in queue mode": f"{oldest.get_absolute_url()}?queue=1",
        "review dashboard": "/review/dashboard/",
    }
    if topic is not None:
        pages[f"review queue, topic={topic}"] = f"/review/?topic={topic}"
    return pages


def measure_review(client: Client, runs: int) -> list[Row]:
    return [measure(client, name, url, runs) for name, url in review_pages().items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    generate.add_options(parser, optional=True)
    args = parser.parse_args()

    if args.generated:
        generate.ensure_from(args)
        client = signed_in_client(username="gen-reviewer-01")
    else:
        prepare()
        started = time.perf_counter()
        documents = list(Document.objects.all())
        users = [make_user("annotator", username=f"bench-rq-{i}") for i in range(10)]
        reviewers = [make_user("reviewer", username=f"bench-rv-{i}") for i in range(10)]
        for number, document in enumerate(documents):
            make_claims(document, args.links // len(documents), seed=number, users=users)
        make_links(args.links, users)
        make_reviews(0.25, reviewers)
        # Each link's state follows from its reviews, as the app's one rule computes it.
        generate.review_states_refresh()
        analyze()
        counts = (Claim.objects.count(), ClaimLink.objects.count(), Review.objects.count())
        elapsed = time.perf_counter() - started
        print("generated {:,} claims, {:,} links, {:,} reviews".format(*counts),
              f"in {elapsed:.0f} s")  # fmt: skip
        # One of the reviewers, so that My verdicts lists their verdicts (about 5,000).
        client = signed_in_client(username=reviewers[1].username)
    print(f"Review screens with {ClaimLink.objects.count():,} links ({connection.vendor})")
    print(markdown_table(measure_review(client, args.runs)))


if __name__ == "__main__":
    main()
