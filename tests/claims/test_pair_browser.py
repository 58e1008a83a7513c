"""The claim pair browser (/links/): every pair for anyone signed in, its filters, orders,
pages and fixed query counts; and the counts and links that lead to it (the claims list's
link and evidence counts, the sources' "pairs involving this source")."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from claims import views
from claims.filters import PairFilter
from claims.models import ClaimLink, Topic
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

URL = "/links/"
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
_numbers = itertools.count()


def proposed_at(link: ClaimLink, when: datetime, **fields) -> ClaimLink:
    ClaimLink.objects.filter(pk=link.pk).update(created_at=when, **fields)
    link.refresh_from_db()
    return link


def listed(client, query: dict | None = None) -> list[str]:
    """The rationales of the pairs on the page, in order."""
    response = client.get(URL, query or {})
    assert response.status_code == 200
    return [link.rationale for link in response.context["page"].object_list]


@pytest.fixture
def pairs(annotator):
    """Three pairs across three sources, with topics, states and two proposers:
    "tax" (Pravda–Times, contradicts, pending, oldest), "army" (Times–Izvestia,
    corroborates, confirmed) and "exile" (Izvestia–Pravda, qualifies, rejected, newest)."""
    pravda, times, izvestia = (
        make_source(name="Pravda"),
        make_source(name="The Times"),
        make_source(name="Izvestia"),
    )
    olga = make_user("annotator", username="olga")

    def claim(source, statement, topics=()):
        document = make_document(f"{statement} Said on day {next(_numbers)}.", source=source)
        return make_claim(document, user=annotator, quote=statement, statement=statement,
                          topics=list(topics))  # fmt: skip

    tax = make_link(
        claim(pravda, "Taxes were cut.", ["Economy"]), claim(times, "Taxes rose."),
        relation="contradicts", rationale="tax", user=annotator,
    )  # fmt: skip
    army = make_link(
        claim(times, "The army moved north."), claim(izvestia, "Troops went north.", ["War"]),
        relation="corroborates", rationale="army", user=olga,
    )  # fmt: skip
    exile = make_link(
        claim(izvestia, "Exiled in 1928."), claim(pravda, "Expelled in 1929.", ["Economy"]),
        relation="qualifies", rationale="exile", user=annotator,
    )  # fmt: skip
    return {
        "tax": proposed_at(tax, T0),
        "army": proposed_at(army, T0 + timedelta(days=1), review_state="confirmed"),
        "exile": proposed_at(exile, T0 + timedelta(days=2), review_state="rejected"),
        "sources": {"pravda": pravda, "times": times, "izvestia": izvestia},
        "olga": olga,
    }


def test_the_pair_browser_has_its_address():
    assert reverse("claims:links") == URL


def test_anonymous_users_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "client_fixture", ["no_role_client", "annotator_client", "reviewer_client", "editor_client"]
)
def test_everyone_signed_in_sees_every_pair_newest_first(request, client_fixture, pairs):
    client = request.getfixturevalue(client_fixture)
    assert listed(client) == ["exile", "army", "tax"]


def test_each_row_shows_both_statements_sources_relation_state_and_proposer(no_role_client, pairs):
    link = pairs["tax"]
    html = no_role_client.get(URL).content.decode()
    for text in ("Taxes were cut.", "Taxes rose.", "Pravda", "The Times", "contradict each other",
                 "pending review", "rejected", "2024-03-01", "olga"):  # fmt: skip
        assert text in html
    assert f'href="{link.get_absolute_url()}"' in html
    assert "Open pair 3: Taxes were cut." in html


def test_a_qualifies_pair_reads_from_the_claim_that_narrows_the_other(no_role_client, annotator):
    older = make_claim(make_document("Exiled to Alma Ata."), user=annotator, statement="Older.")
    newer = make_claim(make_document("Expelled abroad."), user=annotator, statement="Newer.")
    link = make_link(newer, older, user=annotator, relation="qualifies")  # newer narrows
    assert (link.left, link.qualifier) == (older, newer)
    html = no_role_client.get(URL).content.decode()
    assert "qualifies the other claim" in html
    assert html.index("Newer.") < html.index("Older.")
    assert "Open pair 1: Newer." in html


def test_each_statement_links_to_its_passage_in_its_document(no_role_client, pairs):
    html = no_role_client.get(URL).content.decode()
    for claim in (pairs["tax"].left, pairs["tax"].right):
        document = reverse("claims:document", args=[claim.document_id])
        fragment = f"#span={claim.start}-{claim.end}&amp;claim={claim.public_id}"
        assert f'href="{document}{fragment}"' in html


def test_statements_and_names_are_escaped(no_role_client, annotator):
    hostile = "<script>alert(1)</script>"
    make_link(
        make_claim(make_document(f"A {hostile} B"), quote=hostile, statement=f"<b>{hostile}"),
        make_claim(source_document := make_document("Plain text here.")),
        user=annotator,
    )
    source_document.source.name = "<i>Source</i>"
    source_document.source.save()
    html = no_role_client.get(URL).content.decode()
    assert hostile not in html and "<i>Source</i>" not in html
    assert escape(f"<b>{hostile}") in html and escape("<i>Source</i>") in html


def test_with_no_pairs_it_says_how_to_make_one(no_role_client):
    html = no_role_client.get(URL).content.decode()
    assert "0 pairs" in html
    assert "No claims have been linked yet." in html


def test_with_no_match_it_says_so(no_role_client, pairs):
    html = no_role_client.get(URL, {"q": "nowhere to be found"}).content.decode()
    assert "No claim pairs match these filters." in html


# --- Filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"relation": "qualifies"}, ["exile"]),
        ({"state": "pending"}, ["tax"]),
        ({"state": "confirmed"}, ["army"]),
        ({"q": "TAXES"}, ["tax"]),  # in either claim, ignoring case
        ({"q": "north"}, ["army"]),  # both claims hold it: listed once
        ({"q": "1929"}, ["exile"]),  # in the right-hand claim
        ({"q": "exiled 1928"}, ["exile"]),  # every word, in one claim
        ({"q": "exiled 1929"}, []),  # the words are in different claims
        ({"q": "   "}, ["exile", "army", "tax"]),
    ],
)
def test_it_filters_by_relation_state_and_words_of_either_claim(
    no_role_client, pairs, query, expected
):
    assert listed(no_role_client, query) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [("pravda", ["exile", "tax"]), ("times", ["army", "tax"]), ("izvestia", ["exile", "army"])],
)
def test_the_source_filter_matches_either_side(no_role_client, pairs, source, expected):
    assert listed(no_role_client, {"source": pairs["sources"][source].pk}) == expected


def test_the_topic_filter_matches_either_side(no_role_client, pairs):
    economy, war = Topic.objects.get(name="Economy"), Topic.objects.get(name="War")
    assert listed(no_role_client, {"topic": economy.pk}) == ["exile", "tax"]
    assert listed(no_role_client, {"topic": war.pk}) == ["army"]


def test_the_proposer_filter_offers_only_people_who_proposed_pairs(no_role_client, pairs):
    make_user("annotator", username="bystander")
    response = no_role_client.get(URL, {"annotator": pairs["olga"].pk})
    assert [link.rationale for link in response.context["page"].object_list] == ["army"]
    proposers = response.content.decode().split('name="annotator"')[1].split("</select>")[0]
    assert ">olga<" in proposers and "bystander" not in proposers


def test_filters_combine(no_role_client, pairs):
    query = {"source": pairs["sources"]["pravda"].pk, "relation": "contradicts", "q": "cut"}
    assert listed(no_role_client, query) == ["tax"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["exile", "army", "tax"]),
        ("oldest", ["tax", "army", "exile"]),
        ("relation", ["tax", "army", "exile"]),  # contradicts, corroborates, qualifies
        ("state", ["army", "tax", "exile"]),  # confirmed, pending, rejected
    ],
)
def test_it_sorts_by_date_relation_or_state(no_role_client, pairs, sort, expected):
    assert listed(no_role_client, {"sort": sort}) == expected


def test_ties_in_a_sort_go_newest_first(no_role_client, pairs, annotator):
    later = proposed_at(make_link(user=annotator, rationale="later"), T0 + timedelta(days=9))
    assert later.relation == "contradicts"
    assert listed(no_role_client, {"sort": "relation"})[:2] == ["later", "tax"]


@pytest.mark.parametrize(
    "query",
    [
        {"relation": "nonsense"},
        {"state": "x"},
        {"source": "-1"},
        {"topic": "abc"},
        {"annotator": "\x00"},
        {"sort": "pk"},
        {"q": "x" * 5000},
        {"page": "abc"},
        {"page": str(2**70)},
    ],  # fmt: skip
    ids=lambda query: "-".join(f"{key}={value[:8]!r}" for key, value in query.items()),
)
def test_a_bad_filter_value_is_explained_not_a_crash(no_role_user, pairs, query):
    client = Client(raise_request_exception=False)
    client.force_login(no_role_user)
    response = client.get(URL, query)
    assert response.status_code == 200
    if "page" not in query:
        assert '<div class="errors" role="alert">' in response.content.decode()


def test_pages_keep_the_filters_and_say_more_than_past_the_count_limit(
    no_role_client, annotator, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_LIMIT", 4)
    for number in range(6):
        proposed_at(make_link(user=annotator, rationale=f"pair {number}"),
                    T0 + timedelta(hours=number))  # fmt: skip
    first = no_role_client.get(URL, {"relation": "contradicts"})
    html = first.content.decode()
    assert [link.rationale for link in first.context["page"].object_list] == ["pair 5", "pair 4"]
    assert "More than 4 pairs" in html and "Page 1 of more than 2" in html
    assert 'href="?relation=contradicts&amp;page=2" rel="next"' in html
    last = no_role_client.get(URL, {"relation": "contradicts", "page": 3})
    assert [link.rationale for link in last.context["page"].object_list] == ["pair 1", "pair 0"]
    assert "6 pairs" in last.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"q": "taxes"}, {"q": "north"}, {"source": "pravda"}, {"topic": "Economy"}],
)
def test_listing_and_counting_find_the_same_pairs(pairs, query):
    """The two ways a filter is written (``CountableFilterSet``) hold the same rows."""
    if "source" in query:
        query = {"source": pairs["sources"][query["source"]].pk}
    if "topic" in query:
        query = {"topic": Topic.objects.get(name=query["topic"]).pk}
    filterset = PairFilter(query, queryset=ClaimLink.objects.order_by("-created_at", "-pk"))
    assert filterset.is_valid()
    assert list(filterset.qs) == list(filterset.qs_gathered())
    assert filterset.qs.count() > 0


@pytest.mark.parametrize("q", ["taxes", "north", "exiled 1928", "1929", "nowhere"])
def test_a_search_lists_gathers_and_counts_the_same_pairs(pairs, q):
    """Listed in order, gathered through the claims that hold the words, and counted in
    two parts (left claim matches; right claim matches and left one does not): the same
    pairs (tests/claims/test_pair_search_counting.py tries pairs matching on both sides)."""
    filterset = PairFilter({"q": q}, queryset=ClaimLink.objects.order_by("-created_at", "-pk"))
    listed_rows = list(filterset.qs)
    counted = [set(part) for part in filterset.qs_counted()]
    assert listed_rows == list(filterset.qs_gathered())
    assert len(counted) == 2 and not counted[0] & counted[1]
    assert counted[0] | counted[1] == set(listed_rows)
    assert [link.rationale for link in listed_rows] == {
        "taxes": ["tax"], "north": ["army"], "exiled 1928": ["exile"], "1929": ["exile"],
        "nowhere": [],
    }[q]  # fmt: skip


# --- Queries ----------------------------------------------------------------------------------


def add_pairs(count: int) -> None:
    """``count`` pairs across new sources, documents, proposers and topics."""
    proposers = [make_user("annotator") for _ in range(2)]
    for number in range(count):
        sides = [
            make_claim(
                make_document(f"Side {side} of pair {next(_numbers)} says taxes rose."),
                user=proposers[number % 2], quote="taxes rose",
                statement=f"Taxes rose ({side}).", topics=[f"Topic {number % 3}"],
            )
            for side in "AB"
        ]  # fmt: skip
        link = make_link(*sides, user=proposers[number % 2], relation="qualifies")
        make_evidence(link=link)
        make_evidence(sides[0])


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "taxes"},
        {"source": "first"},
        {"topic": "Topic 0"},
        {"sort": "relation"},
        {"relation": "qualifies", "state": "pending", "page": "2"},
    ],  # fmt: skip
    ids=["all", "text", "source", "topic", "sorted", "filtered-page-2"],
)
def test_the_query_count_does_not_grow_with_the_number_of_pairs(
    no_role_client, django_assert_num_queries, query
):
    add_pairs(2)
    if "source" in query:
        query = {"source": ClaimLink.objects.earliest("pk").left.document.source_id}
    if "topic" in query:
        query = {"topic": Topic.objects.get(name=query["topic"]).pk}
    no_role_client.get(URL)  # what a first request loads once
    with CaptureQueriesContext(connection) as few:
        assert no_role_client.get(URL, query).status_code == 200
    add_pairs(25)
    with django_assert_num_queries(len(few)):
        response = no_role_client.get(URL, query)
    assert response.context["page"].object_list, "the larger list shows pairs"


# --- What leads to it -------------------------------------------------------------------------


def test_the_claims_list_shows_each_claims_link_and_evidence_counts(no_role_client, annotator):
    make_claim(make_document("Alone here."), user=annotator, statement="Alone.")
    busy = make_claim(make_document("Busy here."), user=annotator, statement="Busy.")
    for _ in range(2):
        make_link(busy, make_claim(), user=annotator)  # busy on the left (the older claim)
    make_link(make_claim(), busy, user=annotator)
    make_evidence(busy)
    make_evidence(link=busy.links_as_left.first())  # on a link, not on the claim
    response = no_role_client.get(reverse("claims:list"), {"annotator": annotator.pk})
    cards = {claim.statement: claim for claim in response.context["page"].object_list}
    assert (cards["Busy."].link_count, cards["Busy."].evidence_count) == (3, 1)
    assert (cards["Alone."].link_count, cards["Alone."].evidence_count) == (0, 0)
    html = response.content.decode()
    assert "3 links · 1 evidence item<" in html and "0 links · 0 evidence items" in html


def test_the_claims_list_counts_cost_no_query_per_claim(no_role_client, django_assert_num_queries):
    add_pairs(2)
    no_role_client.get(reverse("claims:list"))
    with CaptureQueriesContext(connection) as few:
        no_role_client.get(reverse("claims:list"))
    add_pairs(20)
    with django_assert_num_queries(len(few)):
        no_role_client.get(reverse("claims:list"))


def test_the_sources_list_links_to_the_pairs_involving_each_source(no_role_client, pairs):
    pravda = pairs["sources"]["pravda"]
    html = no_role_client.get(reverse("corpus:sources")).content.decode()
    assert f'href="{URL}?source={pravda.pk}" aria-label="Pairs involving Pravda">Pairs</a>' in html


def test_a_documents_page_links_to_the_pairs_involving_its_source(no_role_client, pairs):
    document = pairs["tax"].left.document
    html = no_role_client.get(document.get_absolute_url()).content.decode()
    assert f'href="{URL}?source={document.source_id}">Pairs involving Pravda</a>' in html
