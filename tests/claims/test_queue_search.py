"""The review queue shows both claims' statements and searches either claim's statement or
quote (``q``), keeping the search through the queue's steps; fixed query counts."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.filters import ReviewQueueFilter
from claims.models import ClaimLink
from claims.reviewing import review_queue
from tests.factories import (
    make_claim,
    make_comment,
    make_document,
    make_link,
    make_review,
    make_user,
)

pytestmark = pytest.mark.django_db

QUEUE_URL = "/review/"


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


def pair(left_statement: str, right_statement: str, *, right_quote: str = "says") -> ClaimLink:
    left = make_claim(statement=left_statement)
    document = make_document(f"Another text {uuid.uuid4()}\n\nIt {right_quote} so.")
    right = make_claim(document, quote=right_quote, statement=right_statement)
    return make_link(left, right)


def listed(client, query: dict) -> list[ClaimLink]:
    response = client.get(QUEUE_URL, query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_each_row_shows_both_statements(reviewer_client):
    pair("Kirov was shot on 1 December.", "Kirov died on 2 December.")
    html = reviewer_client.get(QUEUE_URL).content.decode()
    assert "Kirov was shot on 1 December." in html
    assert "Kirov died on 2 December." in html


def test_the_search_matches_a_statement_on_either_side(reviewer_client):
    on_left = pair("Zinoviev confessed.", "Nothing here.")
    on_right = pair("Nothing there.", "ZINOVIEV recanted.")
    pair("Kamenev confessed.", "Bukharin recanted.")
    assert set(listed(reviewer_client, {"q": "zinoviev"})) == {on_left, on_right}


def test_the_search_matches_a_quote_and_needs_every_word_in_one_claim(reviewer_client):
    quoted = pair("First.", "Second.", right_quote="shot at dawn")
    pair("shot", "dawn")  # the words on different sides: no match
    assert listed(reviewer_client, {"q": "dawn shot"}) == [quoted]


def test_the_search_keeps_the_queues_other_rules():
    me = make_user("editor")
    client = Client()
    client.force_login(me)
    mine = make_link(
        make_claim(statement="Radek spoke."), make_claim(statement="Radek wrote."), user=me
    )
    theirs = pair("Radek testified.", "Nothing.")
    assert pair("Radek again.", "Nothing.") in listed(client, {"q": "radek"})
    make_review(theirs, "confirmed", user=me)
    found = listed(client, {"q": "radek"})
    assert mine not in found and theirs not in found and len(found) == 1


def test_listing_and_counting_find_the_same_pairs(reviewer):
    matching = [pair(f"Yagoda {n}.", "Other.") for n in range(3)]
    matching += [pair("Other.", f"yagoda {n}.") for n in range(2)]
    pair("Nobody.", "Nothing.")
    filterset = ReviewQueueFilter({"q": "Yagoda"}, queryset=review_queue(reviewer))
    listed_rows = list(filterset.qs)  # tested row by row, in the queue's order
    gathered = set(filterset.qs_gathered())  # gathered through the search index
    assert listed_rows == sorted(matching, key=lambda link: (link.created_at, link.pk))
    assert gathered == set(matching)


def test_the_next_pair_after_a_verdict_is_the_next_match(reviewer_client):
    first = pair("Trotsky left.", "A.")
    pair("Unrelated.", "B.")
    third = pair("C.", "Trotsky stayed.")
    url = f"{first.get_absolute_url()}review/?queue=1&q=trotsky"
    response = reviewer_client.post(url, {"verdict": "confirmed"})
    assert response["Location"] == f"{third.get_absolute_url()}?queue=1&q=trotsky"


def test_the_queue_shows_each_pairs_comment_count(reviewer_client):
    pair("Quiet.", "Pair.")
    talked = pair("Talked.", "Pair.")
    make_comment(talked)
    make_comment(talked)
    html = reviewer_client.get(QUEUE_URL).content.decode()
    assert '<th scope="col" class="num">Comments</th>' in html
    rows = {row.split("</td>")[1]: row for row in html.split("<tr>")[2:]}
    talked_row = next(row for cell, row in rows.items() if "Talked." in cell)
    quiet_row = next(row for cell, row in rows.items() if "Quiet." in cell)
    assert '<td class="num">2</td>' in talked_row
    assert '<td class="num">0</td>' in quiet_row


def count_queries(client, query: dict) -> int:
    client.get(QUEUE_URL, query)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE_URL, query)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", [{"q": "Pyatakov"}, {}], ids=["searched", "plain"])
def test_the_queue_runs_the_same_queries_for_2_and_20_matching_pairs(reviewer_client, query):
    for n in range(2):
        make_comment(pair(f"Pyatakov {n}.", "Other."))
    few = count_queries(reviewer_client, query)
    for n in range(18):
        link = pair("Other.", f"Pyatakov {n}.")
        make_comment(link)
        make_comment(link)
    assert count_queries(reviewer_client, query) == few
