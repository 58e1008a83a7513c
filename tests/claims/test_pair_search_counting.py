"""A search of claim pairs (``q``: every word in the left claim or every word in the right
one) reads its rows three ways (``claims.filters.EitherClaimSearch``): listed in the page's
order, gathered for a short list, and counted as two parts (the pairs whose left claim
matches, and those whose right claim matches and left one does not) that
``claims.views.CappedPaginator`` adds up. All three must find the same pairs, and the parts
must never share one: a pair matching on both sides is counted once. (My verdicts, a few
thousand rows at most, tests each row all three ways.)"""

import uuid

import pytest
from django.test import Client

from claims import views
from claims.filters import MyVerdictFilter, PairFilter, ReviewQueueFilter
from claims.models import ClaimLink, Review
from claims.reviewing import review_queue
from tests.factories import make_claim, make_document, make_link, make_review, make_user

pytestmark = pytest.mark.django_db


def pair(left: str, right: str, *, relation: str = "contradicts", user=None) -> ClaimLink:
    """A pair whose left claim (made first) says ``left`` and right one ``right``."""
    first = make_claim(statement=left)
    second = make_claim(make_document(f"Other {uuid.uuid4()}\n\nIt says so."), statement=right)
    link = make_link(first, second, relation=relation, user=user)
    assert (link.left.statement, link.right.statement) == (left, right)
    return link


@pytest.fixture
def pairs():
    """Pairs naming Radek on the left, the right, both sides or neither; one with the two
    words of "radek trial" split across its sides (no match for both words); a qualifies
    pair naming him on both sides."""
    return {
        "left": pair("Radek spoke at the trial.", "Nothing here."),
        "right": pair("Nothing here.", "RADEK wrote it."),
        "both": pair("Radek first.", "Radek second."),
        "neither": pair("Pyatakov spoke.", "Sokolnikov wrote."),
        "split": pair("Radek spoke.", "The trial ended."),
        "both qualifies": pair("Radek at the trial.", "The trial of Radek.", relation="qualifies"),
    }


def read_three_ways(filterset) -> tuple[list, set, list[set]]:
    """The rows listed, gathered, and the ids of each counted part."""
    assert filterset.is_valid(), filterset.errors
    parts = [set(part.values_list("pk", flat=True)) for part in filterset.qs_counted()]
    return list(filterset.qs), set(filterset.qs_gathered()), parts


def assert_same_rows(listed, gathered, parts, expected: set, *, split: bool = True) -> None:
    assert set(listed) == gathered == expected
    assert len(listed) == len(expected), "a row listed twice"
    if not split:  # the rows are tested one by one, counted as one part
        assert parts == [{row.pk for row in expected}]
        return
    assert len(parts) == 2, "a search is counted in two parts"
    assert not parts[0] & parts[1], "a row counted in both parts"
    assert parts[0] | parts[1] == {row.pk for row in expected}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("radek", {"left", "right", "both", "split", "both qualifies"}),
        ("RADEK trial", {"left", "both qualifies"}),
        ("spoke", {"left", "neither", "split"}),
        ("nowhere", set()),
    ],
)
def test_the_pair_browser_lists_gathers_and_counts_the_same_pairs(pairs, q, expected):
    filterset = PairFilter({"q": q}, queryset=ClaimLink.objects.order_by("-created_at", "-pk"))
    assert_same_rows(*read_three_ways(filterset), {pairs[name] for name in expected})


def test_the_parts_keep_the_other_filters(pairs):
    filterset = PairFilter(
        {"q": "radek", "relation": "qualifies"},
        queryset=ClaimLink.objects.order_by("-created_at", "-pk"),
    )
    assert_same_rows(*read_three_ways(filterset), {pairs["both qualifies"]})


def test_without_words_the_count_is_one_part(pairs):
    filterset = PairFilter({"q": "   "}, queryset=ClaimLink.objects.order_by("-created_at", "-pk"))
    assert filterset.is_valid()
    assert len(filterset.qs_counted()) == 1
    assert filterset.qs_counted()[0].count() == len(pairs)


def test_the_review_queue_counts_what_it_lists(pairs):
    reviewer = make_user("editor")  # who may propose pairs too
    make_review(pairs["both"], "confirmed", user=reviewer)  # reviewed: out of the queue
    proposed = pair("Radek proposed this.", "Nothing.", user=reviewer)  # theirs: out too
    filterset = ReviewQueueFilter({"q": "radek"}, queryset=review_queue(reviewer))
    listed, gathered, parts = read_three_ways(filterset)
    expected = {pairs[name] for name in ("left", "right", "split", "both qualifies")}
    assert_same_rows(listed, gathered, parts, expected)
    assert proposed not in gathered
    assert listed == sorted(expected, key=lambda link: (link.created_at, link.pk))


def test_my_verdicts_count_what_they_list(pairs):
    reviewer = make_user("reviewer")
    mine = {name: make_review(pairs[name], "rejected", user=reviewer) for name in pairs}
    make_review(pairs["left"], "confirmed")  # someone else's verdict on a matching pair
    queryset = Review.objects.current().filter(reviewer=reviewer).order_by("-created_at", "-pk")
    filterset = MyVerdictFilter({"q": "radek"}, queryset=queryset)
    listed, gathered, parts = read_three_ways(filterset)
    expected = {mine[name] for name in ("left", "right", "both", "split", "both qualifies")}
    assert_same_rows(listed, gathered, parts, expected, split=False)
    assert listed == sorted(expected, key=lambda review: (review.created_at, review.pk))[::-1]


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 rows, counted up to 4 rows past the page shown."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_LIMIT", 4)


def browse(query: dict) -> str:
    client = Client()
    client.force_login(make_user())
    response = client.get("/links/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_count_adds_both_parts_up_to_the_limit(pairs, small_pages):
    """At a limit of 4: "radek trial" matches 2 pairs, both on the left; with two more that
    match on the right only, 4 pairs (exact); with a third, more than 4."""
    assert "2 pairs" in browse({"q": "radek trial"})
    pair("Nothing.", "Radek at his trial.")
    pair("Nothing either.", "The trial, Radek said.")
    html = browse({"q": "radek trial"})
    assert "4 pairs" in html and "More than" not in html
    pair("Still nothing.", "Radek's trial.")
    assert "More than 4 pairs" in browse({"q": "radek trial"})
