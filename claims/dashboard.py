"""The review dashboard's figures: counts by state and relation, verdicts per reviewer, and
agreement between reviewers on links with two or more current reviews."""

from collections import defaultdict

from django.db.models import Count

from claims.agreement import (
    krippendorff_alpha_nominal,
    observed_agreement,
    pairwise_kappas,
)
from claims.models import ClaimLink, Relation, Review, ReviewState, Verdict

KAPPA_MINIMUM_OVERLAP = 5


def dashboard_figures() -> dict:
    """Four aggregate queries and one pass over the multiply-reviewed links' verdicts."""
    by_state_relation = defaultdict(int)
    for row in ClaimLink.objects.values("review_state", "relation").annotate(n=Count("pk")):
        by_state_relation[(row["review_state"], row["relation"])] = row["n"]
    states = [
        {
            "label": label,
            "counts": [by_state_relation[(state, relation)] for relation in Relation.values],
            "total": sum(by_state_relation[(state, relation)] for relation in Relation.values),
        }
        for state, label in ReviewState.choices
    ]
    relation_totals = [
        sum(by_state_relation[(state, relation)] for state in ReviewState.values)
        for relation in Relation.values
    ]

    per_reviewer = defaultdict(lambda: dict.fromkeys(Verdict.values, 0))
    reviewer_rows = (
        Review.objects.current()
        .values("reviewer__username", "verdict")
        .annotate(n=Count("pk"))
        .order_by("reviewer__username")
    )
    for row in reviewer_rows:
        per_reviewer[row["reviewer__username"]][row["verdict"]] = row["n"]

    shared = (
        Review.objects.current()
        .values("link")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values("link")
    )
    ratings: dict[int, dict[str, str]] = defaultdict(dict)
    verdicts = Review.objects.current().filter(link__in=shared)
    for link_id, reviewer, verdict in verdicts.values_list(
        "link_id", "reviewer__username", "verdict"
    ).iterator(chunk_size=2000):
        ratings[link_id][reviewer] = verdict
    units = [list(by_reviewer.values()) for by_reviewer in ratings.values()]
    return {
        "relations": Relation.labels,
        "states": states,
        "relation_totals": relation_totals,
        "total_links": sum(relation_totals),
        "verdicts": Verdict.labels,
        "per_reviewer": [
            {
                "reviewer": name,
                "counts": [counts[v] for v in Verdict.values],
                "total": sum(counts.values()),
            }
            for name, counts in per_reviewer.items()
        ],  # fmt: skip
        "observed": observed_agreement(units),
        "alpha": krippendorff_alpha_nominal(units),
        "kappas": sorted(pairwise_kappas(ratings, minimum_overlap=KAPPA_MINIMUM_OVERLAP).items()),
        "kappa_minimum_overlap": KAPPA_MINIMUM_OVERLAP,
    }
