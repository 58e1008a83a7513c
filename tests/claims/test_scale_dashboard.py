"""The dashboard's agreement figures come from verdicts grouped by the database; they must
equal the pure functions of ``claims.agreement`` applied to every link's verdicts, and the
grouped forms of those functions must equal the plain ones."""

import random
from collections import Counter, defaultdict

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.agreement import (
    cohen_kappa,
    cohen_kappa_of_table,
    krippendorff_alpha_nominal,
    krippendorff_alpha_nominal_of_tallies,
    observed_agreement,
    observed_agreement_of_tallies,
    pairwise_kappas,
    tallies_of,
)
from claims.dashboard import KAPPA_MINIMUM_OVERLAP, dashboard_figures
from claims.models import Review
from tests.factories import make_evidence, make_link, make_review, make_user

C, R, N = "confirmed", "rejected", "needs_evidence"


def test_grouped_units_give_the_same_figures_as_the_units():
    rng = random.Random(5)
    units = [[rng.choice("abc") for _ in range(rng.randint(1, 5))] for _ in range(300)]
    tallies = Counter(tuple(sorted(Counter(unit).items())) for unit in units)
    grouped = [(dict(counts), number) for counts, number in tallies.items()]
    assert observed_agreement_of_tallies(grouped) == observed_agreement(units)
    assert krippendorff_alpha_nominal_of_tallies(grouped) == krippendorff_alpha_nominal(units)
    assert observed_agreement_of_tallies(tallies_of(units)) == observed_agreement(units)


def test_grouped_units_ignore_labels_counted_zero_times():
    with_zeros = [({"a": 2, "b": 0, "c": 0}, 3), ({"a": 1, "b": 1, "c": 0}, 2)]
    units = [["a", "a"]] * 3 + [["a", "b"]] * 2
    assert observed_agreement_of_tallies(with_zeros) == observed_agreement(units)
    assert krippendorff_alpha_nominal_of_tallies(with_zeros) == krippendorff_alpha_nominal(units)


def test_kappa_of_a_contingency_table_is_kappa_of_its_pairs():
    rng = random.Random(6)
    pairs = [(rng.choice("xyz"), rng.choice("xy")) for _ in range(200)]
    assert cohen_kappa_of_table(Counter(pairs)) == cohen_kappa(pairs)
    assert cohen_kappa_of_table({}) == cohen_kappa([])
    assert cohen_kappa_of_table({("x", "x"): 4}).value is None


@pytest.mark.django_db
def test_the_dashboard_agrees_with_the_pure_functions_over_every_link():
    """Eight reviewers give random verdicts, some changed, on 40 links with 0 to 5 reviews
    each; one "needs evidence" is answered by evidence (which changes no verdict)."""
    rng = random.Random(7)
    author = make_user("annotator")
    reviewers = [make_user("reviewer", username=f"rev{n}") for n in (3, 1, 7, 2, 8, 5, 4, 6)]
    for _ in range(40):
        link = make_link(user=author)
        for reviewer in rng.sample(reviewers, rng.choice([0, 1, 2, 2, 3, 5])):
            if rng.random() < 0.2:
                make_review(link, rng.choice([C, R, N]), user=reviewer)  # replaced below
            make_review(link, rng.choice([C, R, N]), user=reviewer)
    make_evidence(link=link)

    ratings = defaultdict(dict)
    for link_id, name, verdict in Review.objects.current().values_list(
        "link_id", "reviewer__username", "verdict"
    ):
        ratings[link_id][name] = verdict
    shared = {link: by for link, by in ratings.items() if len(by) >= 2}
    units = [list(by.values()) for by in shared.values()]

    figures = dashboard_figures()
    assert figures["observed"] == observed_agreement(units)
    assert figures["alpha"] == krippendorff_alpha_nominal(units)
    expected = sorted(pairwise_kappas(shared, minimum_overlap=KAPPA_MINIMUM_OVERLAP).items())
    assert figures["kappas"] == expected
    assert expected, "some pairs of reviewers share enough links"
    assert [row["reviewer"] for row in figures["per_reviewer"]] == sorted(
        reviewer.username for reviewer in reviewers
    )


@pytest.mark.django_db
def test_the_dashboard_runs_five_queries_whatever_the_reviews():
    author = make_user("annotator")
    reviewers = [make_user("reviewer") for _ in range(4)]

    def count() -> int:
        cache.clear()  # computed, not read from the cache
        with CaptureQueriesContext(connection) as captured:
            dashboard_figures()
        return len(captured)

    def add_links(numbers: range) -> None:
        for number in numbers:
            link = make_link(user=author)
            for reviewer in reviewers[: 1 + number % 4]:
                make_review(link, [C, R, N][number % 3], user=reviewer)

    add_links(range(2))
    few = count()
    add_links(range(2, 14))
    assert count() == few == 5
