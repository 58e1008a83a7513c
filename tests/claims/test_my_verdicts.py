"""My verdicts (/review/mine/): a reviewer's current verdicts, newest first, filterable by
relation, verdict, the pair's state and words in either claim, each linking to its pair;
for reviewers and editors only; fixed query counts."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, ClaimLink, Review
from tests.factories import make_claim, make_document, make_link, make_review, make_user

pytestmark = pytest.mark.django_db

URL = "/review/mine/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pair(statement: str, *, relation: str = "contradicts") -> ClaimLink:
    """A new pair whose left claim (made first) says ``statement``."""
    claim = make_claim(statement=statement)
    other = make_claim(make_document(f"Other {uuid.uuid4()}\n\nIt says so."), statement="Other.")
    return make_link(claim, other, relation=relation)


def shown(client, query: dict | None = None) -> list[Review]:
    response = client.get(URL, query or {})
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_the_url_is_named():
    assert reverse("claims:my-verdicts") == URL


def test_it_lists_my_current_verdicts_newest_first_and_nobody_elses(reviewer):
    first = make_review(pair("Kirov."), "confirmed", user=reviewer)
    replaced = make_review(pair("Zinoviev."), "rejected", user=reviewer)
    changed = make_review(replaced.link, "needs_evidence", user=reviewer)
    make_review(pair("Not mine."), "confirmed")
    assert shown(client_for(reviewer)) == [changed, first]


def test_each_row_links_to_its_pair_and_says_my_verdict_and_the_state(reviewer):
    link = pair("Bukharin confessed.")
    make_review(link, "rejected", user=reviewer)
    html = client_for(reviewer).get(URL).content.decode()
    assert f'href="{link.get_absolute_url()}"' in html
    assert 'aria-label="Revisit pair 1: Bukharin confessed."' in html
    assert "<strong>Rejected</strong>" in html
    assert "Bukharin confessed." in html and "Other." in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"verdict": "rejected"}, ["rejected one"]),
        ({"relation": "qualifies"}, ["qualifying one"]),
        ({"state": "confirmed"}, ["confirmed one"]),
        ({"q": "QUALIFYING"}, ["qualifying one"]),
        ({"q": "one", "verdict": "confirmed"}, ["qualifying one", "confirmed one"]),
    ],
)
def test_the_filters(reviewer, query, expected):
    make_review(pair("confirmed one"), "confirmed", user=reviewer)
    make_review(pair("rejected one"), "rejected", user=reviewer)
    make_review(pair("qualifying one", relation="qualifies"), "confirmed", user=reviewer)
    other = make_user("reviewer")
    make_review(ClaimLink.objects.get(left__statement="qualifying one"), "rejected", user=other)
    rows = shown(client_for(reviewer), query)
    assert [review.link.left.statement for review in rows] == expected


def test_a_search_finds_my_verdicts_on_pairs_holding_the_words_on_either_side(reviewer):
    """Listed newest first; counted in two parts (the left claim holds the words; the right
    one does and the left does not), which the page's count adds up."""
    left = make_review(pair("Yezhov signed it"), "confirmed", user=reviewer)
    right_link = pair("Other words")
    other_claim = ClaimLink.objects.get(pk=right_link.pk).right
    Claim.objects.filter(pk=other_claim.pk).update(search_text="yezhov was there")
    right = make_review(right_link, "rejected", user=reviewer)
    make_review(pair("Yezhov again"), "confirmed")  # someone else's
    make_review(pair("Nobody"), "confirmed", user=reviewer)
    response = client_for(reviewer).get(URL, {"q": "YEZHOV"})
    assert list(response.context["page"].object_list) == [right, left]
    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_reviewers_and_editors_open_it(role):
    assert client_for(make_user(role)).get(URL).status_code == 200


@pytest.mark.parametrize("role", ["annotator", None])
def test_others_are_refused(role):
    assert client_for(make_user(role)).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_takes_only_get(reviewer):
    assert client_for(reviewer).post(URL).status_code == 405


def test_the_review_queue_links_to_it(reviewer):
    html = client_for(reviewer).get(reverse("claims:review-queue")).content.decode()
    assert f'<a href="{URL}">My verdicts</a>' in html


def count_queries(client, query: dict) -> int:
    client.get(URL, query)  # warm up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, query).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", [{}, {"q": "Pair", "relation": "contradicts"}])
def test_the_page_runs_the_same_queries_for_2_and_20_verdicts(reviewer, query):
    client = client_for(reviewer)
    for number in range(2):
        make_review(pair(f"Pair {number}"), "confirmed", user=reviewer)
    few = count_queries(client, query)
    for number in range(2, 20):
        make_review(pair(f"Pair {number}"), "rejected", user=reviewer)
    assert count_queries(client, query) == few
