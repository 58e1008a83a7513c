"""Counting only as far as the pages need (``claims.views.CappedPaginator``): the claims list
and the review queue say "more than N" instead of counting every row, exact totals below
the limit, pages that still step, and a count written the way a database counts fastest
(``CountableFilterSet.qs_gathered``) that holds the same rows as the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import views
from claims.filters import ClaimFilter, LinkFilter
from claims.models import Claim, ClaimLink
from claims.reviewing import review_queue
from tests.factories import make_claim, make_document, make_link, make_source, make_user

pytestmark = pytest.mark.django_db

CLAIMS_URL = "/claims/"
QUEUE_URL = "/review/"


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 rows, counted up to 4 rows past the page shown."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_LIMIT", 4)


def add_claims(count: int) -> list[Claim]:
    document = make_document(" ".join(f"word{n}" for n in range(count)))
    author = make_user("annotator")
    return [
        make_claim(document, user=author, quote=f"word{n}", statement=f"Claim {n}")
        for n in range(count)
    ]


def shown(response) -> list[str]:
    return [claim.statement for claim in response.context["page"].object_list]


def test_past_the_limit_the_list_says_more_than_and_pages_on(reviewer_client, small_pages):
    add_claims(5)
    response = reviewer_client.get(CLAIMS_URL)
    html = response.content.decode()
    assert "More than 4 claims" in html
    assert "Page 1 of more than 2" in html
    assert 'href="?page=2" rel="next"' in html
    assert shown(response) == ["Claim 4", "Claim 3"]


def test_the_last_page_knows_the_exact_total(reviewer_client, small_pages):
    add_claims(5)
    response = reviewer_client.get(CLAIMS_URL, {"page": 3})
    html = response.content.decode()
    assert shown(response) == ["Claim 0"]
    assert "5 claims" in html and "More than" not in html
    assert "Page 3 of 3" in html
    assert 'rel="next"' not in html and 'href="?page=2" rel="prev"' in html


def test_a_deeper_page_counts_further(reviewer_client, small_pages):
    add_claims(11)
    html = reviewer_client.get(CLAIMS_URL, {"page": 3}).content.decode()
    # Page 3 ends at row 6: counted up to the next multiple of 4, 8 rows, and more exist.
    assert "More than 8 claims" in html
    assert "Page 3 of more than 4" in html


def test_at_the_limit_the_total_is_exact(reviewer_client, small_pages):
    add_claims(4)
    html = reviewer_client.get(CLAIMS_URL).content.decode()
    assert "4 claims" in html and "More than" not in html
    assert "Page 1 of 2" in html


def test_a_page_past_the_end_shows_the_last_page(reviewer_client, small_pages):
    add_claims(5)
    response = reviewer_client.get(CLAIMS_URL, {"page": 40})
    assert shown(response) == ["Claim 0"]
    assert response.context["page"].number == 3
    assert "Page 3 of 3" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-2", "", str(2**70)])
def test_a_page_number_that_is_not_a_page_shows_a_page(reviewer_client, small_pages, page):
    add_claims(5)
    response = reviewer_client.get(CLAIMS_URL, {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number in (1, 3)


def test_the_review_queue_says_more_than_past_the_limit(reviewer_client, small_pages):
    author = make_user("annotator")
    for _ in range(5):
        make_link(user=author)
    html = reviewer_client.get(QUEUE_URL).content.decode()
    assert "More than 4 pairs waiting for your review" in html
    assert "Page 1 of more than 2" in html
    html = reviewer_client.get(QUEUE_URL, {"page": 3}).content.decode()
    assert "5 pairs waiting for your review" in html and "More than" not in html


def queries(client, url: str, query: dict | None = None) -> int:
    client.get(url, query or {})  # warm up per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query or {}).status_code == 200
    return len(captured)


def test_the_claims_list_runs_the_same_queries_below_and_past_the_limit(
    reviewer_client, small_pages
):
    add_claims(3)
    below = queries(reviewer_client, CLAIMS_URL)
    add_claims(9)
    assert queries(reviewer_client, CLAIMS_URL) == below


def test_the_queue_runs_the_same_queries_below_and_past_the_limit(reviewer_client, small_pages):
    author = make_user("annotator")
    for _ in range(3):
        make_link(user=author)
    below = queries(reviewer_client, QUEUE_URL, {"relation": "contradicts"})
    for _ in range(9):
        make_link(user=author)
    assert queries(reviewer_client, QUEUE_URL, {"relation": "contradicts"}) == below


# --- The counted rows are the listed rows ----------------------------------------------------


@pytest.fixture
def pairs():
    """Links with the wanted source or topic on the left, the right, both sides or neither."""
    wanted = make_source(name="Wanted")

    def claim(wanted_source: bool, topics: list[str]):
        document = make_document(source=wanted if wanted_source else make_source())
        return make_claim(document, topics=topics)

    author = make_user("annotator")
    for left, right in [(True, False), (False, True), (True, True), (False, False)]:
        make_link(claim(left, ["floods"] if left else []),
                  claim(right, ["floods"] if right else ["roads"]), user=author)  # fmt: skip
    return wanted


@pytest.mark.parametrize("field", ["source", "topic", "both"])
def test_the_queue_counts_the_links_it_lists(pairs, field):
    reviewer = make_user("reviewer")
    topic = Claim.topics.through.objects.filter(topic__key="floods").first().topic
    data = {
        "source": {"source": pairs.pk},
        "topic": {"topic": topic.pk},
        "both": {"source": pairs.pk, "topic": topic.pk, "relation": "contradicts"},
    }[field]
    filterset = LinkFilter(data, queryset=review_queue(reviewer))
    listed = list(filterset.qs)
    assert len(listed) == 3
    assert sorted(filterset.qs_gathered().values_list("pk", flat=True)) == sorted(
        link.pk for link in listed
    )
    assert filterset.qs_gathered().count() == 3


def test_the_claims_list_counts_the_claims_it_lists(pairs):
    filterset = ClaimFilter({"source": pairs.pk}, queryset=Claim.objects.all())
    listed = set(filterset.qs)
    assert len(listed) == 4
    assert set(filterset.qs_gathered()) == listed


def test_an_invalid_filter_counts_like_it_lists(pairs):
    filterset = LinkFilter({"source": "abc"}, queryset=ClaimLink.objects.all())
    assert filterset.qs_gathered().count() == filterset.qs.count() == 4
