"""suggestions.ranking: BM25, spelling variants, what two passages share and where they
differ, and the fused score — tables of cases."""

import math

import pytest

from suggestions import ranking
from suggestions.text import PEOPLE


@pytest.mark.parametrize(
    ("passages", "holding", "expected"),
    [
        (100, 1, math.log(1 + 99.5 / 1.5)),
        (100, 100, math.log(1 + 0.5 / 100.5)),
        (1, 1, math.log(1 + 0.5 / 1.5)),
    ],
)
def test_idf(passages, holding, expected):
    assert ranking.idf(passages, holding) == pytest.approx(expected)
    assert ranking.idf(passages, holding) > 0


@pytest.mark.parametrize(
    ("count", "length", "average", "expected"),
    [
        (1, 10, 10.0, 1.0),  # one occurrence in an average passage: 1
        (2, 10, 10.0, 2 * 2.2 / (2 + 1.2)),
        (1, 20, 10.0, 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2))),  # a longer passage: less
    ],
)
def test_bm25_term(count, length, average, expected):
    assert ranking.bm25_term(count, length, average) == pytest.approx(expected)


def test_bm25_sums_the_query_terms_the_passage_holds():
    weights = {"kirov": 2.0, "shot": 1.0, "absent": 5.0}
    counts = {"kirov": 1, "shot": 1, "other": 3}
    assert ranking.bm25(counts, 10, weights, 10.0) == pytest.approx(3.0)
    assert ranking.bm25({}, 10, weights, 10.0) == 0.0


def test_bm25_saturates():
    low = ranking.bm25({"a": 1}, 10, {"a": 1.0}, 10.0)
    high = ranking.bm25({"a": 100}, 10, {"a": 1.0}, 10.0)
    assert low < high < ranking.K1 + 1


@pytest.mark.parametrize(
    ("a", "b", "at_least", "at_most"),
    [
        ("nikolaev", "nikolaev", 1.0, 1.0),
        ("nikolaev", "nicolaiev", 1.0, 1.0),
        ("nikolaev", "nikolayev", 1.0, 1.0),
        ("zinoviev", "zinovievist", 0.6, 0.9),
        ("kirov", "kamenev", 0.0, 0.0),
        ("trotski", "trotskist", 0.5, 0.8),
    ],
)
def test_similarity(a, b, at_least, at_most):
    assert at_least <= ranking.similarity(a, b) <= at_most


@pytest.mark.parametrize(
    ("query", "candidate", "shared"),
    [
        (["Nikolaev"], ["Nikolayev"], ["Nikolaev"]),
        (["S. M. Kirov", "Leningrad"], ["Sergei Kirov"], ["Kirov"]),
        (["Kirov's"], ["Kirov"], ["Kirov"]),
        (["Kamenev"], ["Kirov"], []),
        # A lone first name is not the same person; beside the surname it is shown.
        (["Sergei Kirov"], ["Sergei Mrachkovsky"], []),
        (["Sergei Kirov"], ["Sergei Kirov"], ["Sergei", "Kirov"]),
        (["Sergei Kirov"], ["Sergei", "Mrachkovsky"], ["Sergei"]),
        (["Soviet Union"], ["Soviet Russia", "Stalin"], []),
        (["Leningrad Centre"], ["Leningrad"], ["Leningrad"]),
    ],
)
def test_shared_names(query, candidate, shared):
    assert ranking.shared_names(query, candidate) == shared


@pytest.mark.parametrize(
    ("query", "candidate", "shared"),
    [
        (
            [["1934-12-01", "1 December 1934"]],
            [["1934-12-01", "December 1, 1934"]],
            ["1 December 1934"],
        ),
        ([["1934-12-01", "1 December 1934"]], [["1934-12", "December 1934"]], ["December 1934"]),
        ([["1934", "1934"]], [["1934-12-01", "December 1, 1934"]], ["1934"]),
        ([["1934", "1934"]], [["1936", "1936"]], []),
    ],
)
def test_shared_dates(query, candidate, shared):
    assert ranking.shared_dates(query, candidate) == shared


@pytest.mark.parametrize(
    ("query", "candidate", "differs"),
    [
        (
            [["1934-12-01", "1 December"]],
            [["1934-12-02", "2 December"]],
            ["1 December here, 2 December there"],
        ),
        ([["1934-12-01", "1 December"]], [["1934-12", "December"]], []),  # compatible
        ([["1934-12-01", "a"]], [["1935-12-02", "b"]], []),  # another year: another event
        ([["1934", "1934"]], [["1934-12-02", "b"]], []),  # a year alone never differs
    ],
)
def test_differing_dates(query, candidate, differs):
    assert ranking.differing_dates(query, candidate) == differs


@pytest.mark.parametrize(
    ("query", "candidate", "differs"),
    [
        ([[13, PEOPLE, "13"]], [[15, PEOPLE, "15"]], ["13 here, 15 there"]),
        ([[13, PEOPLE, "13"]], [[14, PEOPLE, "fourteen"]], ["13 here, fourteen there"]),
        ([[13, PEOPLE, "13"]], [[13, PEOPLE, "thirteen"]], []),  # the same count
        ([[13, PEOPLE, "13"]], [[14, "rifl", "14"]], []),  # not the same thing
        ([[13, "", "13"]], [[14, "", "14"]], []),  # nothing counted: cannot tell
    ],
)
def test_differing_numbers(query, candidate, differs):
    assert ranking.differing_numbers(query, candidate) == differs


def test_shared_numbers():
    assert ranking.shared_numbers([[13, PEOPLE, "13"]], [[13, PEOPLE, "thirteen"]]) == ["13"]


KIROV_13 = {
    "names": ["Kirov", "Zinovievists"],
    "numbers": [[13, PEOPLE, "13"]],
    "dates": [["1934-12", "December 1934"]],
}


@pytest.mark.parametrize(
    ("candidate", "shared", "differs"),
    [
        (  # the same event with another count: what a reader hunts for
            {
                "names": ["Kirov"],
                "numbers": [[15, PEOPLE, "15"]],
                "dates": [["1934-12", "December 1934"]],
            },
            ["Kirov", "December 1934"],
            ["13 here, 15 there"],
        ),
        (  # another count, but nothing says it is about the same people
            {"names": ["Tukhachevsky"], "numbers": [[15, PEOPLE, "15"]], "dates": []},
            [],
            [],
        ),
        ({"names": [], "numbers": [], "dates": []}, [], []),
        ({}, [], []),
    ],
)
def test_compare(candidate, shared, differs):
    comparison = ranking.compare(KIROV_13, candidate)
    assert comparison.shared == shared
    assert comparison.differs == differs


def test_fuse_prefers_the_counterpart_that_shares_and_differs():
    counterpart = ranking.compare(KIROV_13, {"names": ["Kirov"], "numbers": [[15, PEOPLE, "15"]]})
    unrelated = ranking.compare(KIROV_13, {"names": ["Trotsky"]})
    # Somewhat lower BM25, but the same people and another count: ranked first.
    assert ranking.fuse(8.0, 10.0, counterpart, KIROV_13) > ranking.fuse(
        10.0, 10.0, unrelated, KIROV_13
    )
    assert ranking.fuse(10.0, 10.0, unrelated, KIROV_13) == pytest.approx(1.0)
    assert ranking.fuse(0.0, 0.0, unrelated, {}) == 0.0
