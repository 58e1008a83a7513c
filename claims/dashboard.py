"""The review dashboard's figures: counts by state and relation, verdicts per reviewer, and
agreement between reviewers on links with two or more current reviews.

Every figure is aggregated by the database, so the page reads a few hundred rows whatever
the number of links and reviews (four queries; at 100,000 links and 50,000 reviews the
earlier pass over every multiply-reviewed link's verdicts in Python took 0.5 s)."""

from collections import Counter, defaultdict
from itertools import combinations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Q, Sum

from claims.agreement import (
    Agreement,
    cohen_kappa_of_table,
    krippendorff_alpha_nominal_of_tallies,
    observed_agreement_of_tallies,
)
from claims.models import ClaimLink, Relation, Review, ReviewState, Verdict

KAPPA_MINIMUM_OVERLAP = 5
AGREEMENT_CACHE_SECONDS = 60 * 60
# Current reviews by link, reviewer and verdict (Review.Meta.indexes): read alone, without
# the table. SQLite's planner would take the link foreign key's index instead.
CURRENT_REVIEWS_INDEX = "review_current_link_idx"


def dashboard_figures() -> dict:
    """Four queries: links by state and relation, current verdicts per reviewer, those
    reviewers' names, and the sets of current verdicts of multiply-reviewed links."""
    by_state_relation = defaultdict(int)
    rows = ClaimLink.objects.order_by().values("review_state", "relation").annotate(n=Count("*"))
    for row in rows:
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

    per_reviewer: defaultdict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(Verdict.values, 0)
    )
    reviewer_rows = (
        Review.objects.current().order_by().values("reviewer", "verdict").annotate(n=Count("*"))
    )
    for row in reviewer_rows:
        per_reviewer[row["reviewer"]][row["verdict"]] = row["n"]
    agreement = _agreement()
    reviewers = set(per_reviewer) | agreement["reviewers"]
    names = dict(get_user_model().objects.filter(pk__in=reviewers).values_list("pk", "username"))
    return {
        "relations": Relation.labels,
        "states": states,
        "relation_totals": relation_totals,
        "total_links": sum(relation_totals),
        "verdicts": Verdict.labels,
        "per_reviewer": sorted(
            (
                {
                    "reviewer": names[reviewer],
                    "counts": [counts[v] for v in Verdict.values],
                    "total": sum(counts.values()),
                }
                for reviewer, counts in per_reviewer.items()
            ),
            key=lambda row: row["reviewer"],
        ),
        "observed": agreement["observed"],
        "alpha": agreement["alpha"],
        "kappas": sorted(
            (tuple(sorted((names[first], names[second]))), kappa)
            for (first, second), kappa in agreement["kappas"]
        ),
        "kappa_minimum_overlap": KAPPA_MINIMUM_OVERLAP,
    }


def _current_verdict_sets() -> list[tuple[dict[int, str], int]]:
    """Each distinct set of current verdicts that links with two or more current reviews
    have, as ({reviewer id: verdict}, number of links with it).

    The database writes each review as one number (reviewer id × number of verdicts +
    the verdict's place in ``Verdict``), joins a link's numbers into a text ("31,46") and
    counts the links per text: one pass over the reviews (SQLite 37 ms at 50,000), and a
    few hundred rows however many links (one per combination of reviewers and verdicts).
    """
    quote = connection.ops.quote_name
    fields = {field.name: field for field in Review._meta.concrete_fields}
    column = {name: quote(fields[name].column) for name in
              ("link", "reviewer", "verdict", "is_current")}  # fmt: skip
    verdicts = Verdict.values  # computed on each access
    kinds = len(verdicts)
    places = " ".join(f"WHEN %s THEN {place}" for place in range(kinds))
    review = f"{column['reviewer']} * {kinds} + CASE {column['verdict']} {places} END"
    joined = (
        f"STRING_AGG(CAST({review} AS TEXT), ',')"
        if connection.vendor == "postgresql"
        else f"GROUP_CONCAT({review}, ',')"
    )
    table = quote(Review._meta.db_table)
    if connection.vendor == "sqlite":
        table += f" INDEXED BY {quote(CURRENT_REVIEWS_INDEX)}"
    sql = (
        f"SELECT reviews, COUNT(*) FROM (SELECT {joined} AS reviews "
        f"FROM {table} WHERE {column['is_current']} "
        f"GROUP BY {column['link']} HAVING COUNT(*) >= 2) per_link GROUP BY reviews"
    )
    sets = []
    with connection.cursor() as cursor:
        cursor.execute(sql, verdicts)
        for reviews, links in cursor.fetchall():
            by_reviewer = {}
            for number in reviews.split(","):
                reviewer, place = divmod(int(number), kinds)
                by_reviewer[reviewer] = verdicts[place]
            sets.append((by_reviewer, links))
    return sets


def _tallies(verdict_sets) -> list[tuple[Counter, int]]:
    """The units of the agreement measures: (how many of each verdict, how many links)."""
    return [(Counter(by_reviewer.values()), links) for by_reviewer, links in verdict_sets]


def _agreement() -> dict:
    """Observed agreement, alpha and the pairwise kappas (by reviewer ids), and who is in
    them; cached until the reviews change.

    At 50,000 reviews by 20 reviewers there are about 10,000 distinct sets of current
    verdicts, and computing from them takes 0.2 s. Reviews are only ever added (a changed
    verdict is a new row, the old one no longer current) or deleted (with their link), so
    the number of reviews, of current ones, and the largest and the sum of their ids
    change whenever the current verdicts can have; an hour's expiry bounds what a restored
    backup (which may reuse ids) could show stale."""
    state = Review.objects.aggregate(
        count=Count("pk"), current=Count("pk", filter=Q(is_current=True)), last=Max("pk"),
        ids=Sum("pk"),
    )  # fmt: skip
    key = "claims:agreement:{count}:{current}:{last}:{ids}".format(**state)
    agreement = cache.get(key)
    if agreement is None:
        verdict_sets = _current_verdict_sets()
        tallies = _tallies(verdict_sets)
        agreement = {
            "observed": observed_agreement_of_tallies(tallies),
            "alpha": krippendorff_alpha_nominal_of_tallies(tallies),
            "kappas": _kappas(verdict_sets),
            "reviewers": set().union(*(by_reviewer for by_reviewer, _ in verdict_sets)),
        }
        cache.set(key, agreement, AGREEMENT_CACHE_SECONDS)
    return agreement


def _kappas(verdict_sets) -> list[tuple[tuple[int, int], Agreement]]:
    """Cohen's kappa for each pair of reviewers (by id, smaller first) with
    ``KAPPA_MINIMUM_OVERLAP`` or more links in common (kappa does not depend on which of
    the two is first)."""
    tables: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for by_reviewer, links in verdict_sets:
        ordered = sorted(by_reviewer.items())
        for (first, first_verdict), (second, second_verdict) in combinations(ordered, 2):
            tables[(first, second)][(first_verdict, second_verdict)] += links
    return [
        (pair, cohen_kappa_of_table(table))
        for pair, table in tables.items()
        if table.total() >= KAPPA_MINIMUM_OVERLAP
    ]
