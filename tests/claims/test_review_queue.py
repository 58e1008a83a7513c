"""The review queue (/review/): which links wait for whom, in which order, its filters and
pages, the steps between pairs (``queue_neighbours``), and fixed query counts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import views
from claims.models import ClaimLink
from claims.reviewing import queue_neighbours, review_queue
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

QUEUE_URL = "/review/"
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def proposed_at(link, when: datetime):
    ClaimLink.objects.filter(pk=link.pk).update(created_at=when)
    link.refresh_from_db()
    return link


def queued(client, query: dict | None = None) -> list[ClaimLink]:
    response = client.get(QUEUE_URL, query or {})
    assert response.status_code == 200
    return list(response.context["page"].object_list)


@pytest.fixture
def author(db):
    return make_user("annotator")


def test_the_queue_url_is_named():
    assert reverse("claims:review-queue") == QUEUE_URL


# --- What waits, and in which order -----------------------------------------------------------


def test_the_queue_lists_links_of_others_without_my_current_review_oldest_first(author):
    me = make_user("editor")
    other_reviewer = make_user("reviewer")
    newest = proposed_at(make_link(user=author), T0 + timedelta(days=3))
    oldest = proposed_at(make_link(user=author), T0)
    reviewed_by_someone_else = proposed_at(make_link(user=author), T0 + timedelta(days=1))
    make_review(reviewed_by_someone_else, "confirmed", user=other_reviewer)
    reviewed_by_me = proposed_at(make_link(user=author), T0 + timedelta(days=2))
    make_review(reviewed_by_me, "needs_evidence", user=me)
    make_review(reviewed_by_me, "confirmed", user=me)  # changed: still has a current review
    mine = proposed_at(make_link(user=me), T0 - timedelta(days=1))

    client = Client()
    client.force_login(me)
    assert queued(client) == [oldest, reviewed_by_someone_else, newest]
    assert list(review_queue(me)) == [oldest, reviewed_by_someone_else, newest]
    assert mine not in review_queue(me) and reviewed_by_me not in review_queue(me)


def test_links_proposed_at_the_same_moment_are_in_id_order(reviewer_client, author):
    first, second = make_link(user=author), make_link(user=author)
    proposed_at(first, T0)
    proposed_at(second, T0)
    assert queued(reviewer_client) == [first, second]


def test_the_page_shows_the_pairs_with_links_that_keep_the_queue_in_the_query(
    reviewer_client, author
):
    left = make_claim(
        make_document("The river rose by two metres.", source=make_source(name="Valley Herald")),
        quote="rose by two metres",
    )
    right = make_claim(
        make_document("The river rose by half a metre.", source=make_source(name="Coast Times")),
        quote="rose by half a metre",
    )
    link = make_link(left, right, user=author)
    response = reviewer_client.get(QUEUE_URL, {"relation": "contradicts"})
    html = response.content.decode()
    assert "1 pair waiting for your review" in html
    assert "“rose by two metres”" in html and "“rose by half a metre”" in html
    assert "Valley Herald" in html and "Coast Times" in html
    assert f'href="{link.get_absolute_url()}?relation=contradicts&amp;queue=1"' in html


def test_an_empty_queue_says_so(reviewer_client):
    html = reviewer_client.get(QUEUE_URL).content.decode()
    assert "0 pairs waiting for your review" in html
    assert "Nothing is waiting for your review." in html
    assert 'id="start-review"' not in html


def test_a_reviewed_link_leaves_the_queue_and_a_replaced_review_does_not_bring_it_back(
    reviewer, reviewer_client, author
):
    link = make_link(user=author)
    assert queued(reviewer_client) == [link]
    make_review(link, "confirmed", user=reviewer)
    make_review(link, "rejected", user=reviewer)
    assert queued(reviewer_client) == []


@pytest.mark.parametrize("client_fixture", ["annotator_client", "no_role_client"])
def test_users_without_the_reviewer_role_get_403(request, client_fixture):
    assert request.getfixturevalue(client_fixture).get(QUEUE_URL).status_code == 403


def test_editors_have_a_queue(editor_client, author):
    link = make_link(user=author)
    assert queued(editor_client) == [link]


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(QUEUE_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={QUEUE_URL}"


def test_the_queue_answers_only_get(reviewer_client):
    assert reviewer_client.post(QUEUE_URL).status_code == 405


# --- Filters ----------------------------------------------------------------------------------


def test_the_relation_filter_narrows_the_queue(reviewer_client, author):
    contradicts = make_link(user=author, relation="contradicts")
    qualifies = make_link(user=author, relation="qualifies")
    make_link(user=author, relation="corroborates")
    assert queued(reviewer_client, {"relation": "contradicts"}) == [contradicts]
    assert queued(reviewer_client, {"relation": "qualifies"}) == [qualifies]


def test_the_state_filter_narrows_the_queue(reviewer_client, author):
    pending = make_link(user=author)
    disputed = make_link(user=author)
    make_review(disputed, "confirmed")
    make_review(disputed, "rejected")
    needs_evidence = make_link(user=author)
    make_review(needs_evidence, "needs_evidence")
    assert queued(reviewer_client, {"state": "pending"}) == [pending]
    assert queued(reviewer_client, {"state": "disputed"}) == [disputed]
    assert queued(reviewer_client, {"state": "needs_evidence"}) == [needs_evidence]
    assert queued(reviewer_client, {"state": "confirmed"}) == []


def test_the_source_filter_matches_either_side_of_the_pair(reviewer_client, author):
    wanted = make_source(name="Wanted Source")
    on_left = make_link(make_claim(make_document(source=wanted)), make_claim(), user=author)
    earlier = make_claim()
    on_right = make_link(earlier, make_claim(make_document(source=wanted)), user=author)
    make_link(user=author)
    assert on_left.left.document.source == wanted
    assert on_right.right.document.source == wanted
    assert queued(reviewer_client, {"source": wanted.pk}) == [on_left, on_right]


def test_the_source_filter_lists_a_link_with_the_source_on_both_sides_once(reviewer_client, author):
    wanted = make_source()
    both = make_link(
        make_claim(make_document(source=wanted)),
        make_claim(make_document(source=wanted)),
        user=author,
    )
    assert queued(reviewer_client, {"source": wanted.pk}) == [both]


def test_the_topic_filter_matches_either_claim_and_lists_each_link_once(reviewer_client, author):
    def claim(topics):
        return make_claim(topics=topics)

    on_left = make_link(claim(["floods", "weather"]), claim(["roads"]), user=author)
    first = claim([])
    on_right = make_link(first, claim(["Floods"]), user=author)
    on_both = make_link(claim(["floods"]), claim(["floods", "rivers"]), user=author)
    make_link(claim(["roads"]), claim([]), user=author)
    floods = on_left.left.topics.get(key="floods")
    assert queued(reviewer_client, {"topic": floods.pk}) == [on_left, on_right, on_both]


def test_the_annotator_filter_is_the_person_who_proposed_the_link(reviewer_client, author):
    other_author = make_user("annotator")
    by_author = make_link(make_claim(user=other_author), make_claim(user=other_author), user=author)
    by_other = make_link(make_claim(user=author), make_claim(user=author), user=other_author)
    assert queued(reviewer_client, {"annotator": author.pk}) == [by_author]
    assert queued(reviewer_client, {"annotator": other_author.pk}) == [by_other]


def test_the_annotator_filter_offers_only_people_who_proposed_links(reviewer_client, author):
    make_link(user=author)
    claims_only = make_user("annotator")
    make_claim(user=claims_only)
    form = reviewer_client.get(QUEUE_URL).context["filter"].form
    offered = set(form.fields["annotator"].queryset)
    assert author in offered and claims_only not in offered


def test_the_proposed_date_range_narrows_the_queue_and_includes_both_days(reviewer_client, author):
    january = proposed_at(make_link(user=author), datetime(2024, 1, 10, 12, tzinfo=UTC))
    february = proposed_at(make_link(user=author), datetime(2024, 2, 15, 23, 59, tzinfo=UTC))
    march = proposed_at(make_link(user=author), datetime(2024, 3, 1, 0, 0, tzinfo=UTC))
    between = {"proposed_after": "2024-02-01", "proposed_before": "2024-02-29"}
    assert queued(reviewer_client, between) == [february]
    same_days = {"proposed_after": "2024-02-15", "proposed_before": "2024-03-01"}
    assert queued(reviewer_client, same_days) == [february, march]
    assert queued(reviewer_client, {"proposed_after": "2024-02-16"}) == [march]
    assert queued(reviewer_client, {"proposed_before": "2024-02-14"}) == [january]


def test_filters_combine(reviewer_client, author):
    wanted = make_source()
    match = make_link(
        make_claim(make_document(source=wanted)), make_claim(), user=author, relation="qualifies"
    )
    make_link(make_claim(make_document(source=wanted)), make_claim(), user=author)
    make_link(user=author, relation="qualifies")
    assert queued(reviewer_client, {"source": wanted.pk, "relation": "qualifies"}) == [match]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("relation", "contradict"),
        ("relation", "\x00"),
        ("state", "open"),
        ("source", "abc"),
        ("source", "999999"),
        ("source", "99999999999999999999999"),
        ("source", "\x00"),
        ("topic", "-1"),
        ("topic", "1.5"),
        ("annotator", "nobody"),
        ("proposed_after", "2024-13-45"),
        ("proposed_before", "yesterday"),
        ("proposed_after", "\x00"),
    ],
)
def test_an_invalid_filter_value_shows_an_error_not_a_server_error(
    reviewer_client, author, field, value
):
    make_link(user=author)
    response = reviewer_client.get(QUEUE_URL, {field: value})
    assert response.status_code == 200
    form = response.context["filter"].form
    assert field.removesuffix("_after").removesuffix("_before") in form.errors
    assert 'class="errors" role="alert"' in response.content.decode()


def test_a_proposer_without_links_is_not_a_valid_annotator_filter(reviewer_client, author):
    make_link(user=author)
    response = reviewer_client.get(QUEUE_URL, {"annotator": make_user("annotator").pk})
    assert response.status_code == 200
    assert "annotator" in response.context["filter"].form.errors


# --- Pages ------------------------------------------------------------------------------------


def test_the_queue_is_paginated_keeping_the_order_and_the_filters(
    reviewer_client, author, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    links = [proposed_at(make_link(user=author), T0 + timedelta(hours=n)) for n in range(5)]
    make_link(user=author, relation="qualifies")
    query = {"relation": "contradicts"}
    first = reviewer_client.get(QUEUE_URL, query)
    assert list(first.context["page"].object_list) == links[:2]
    html = first.content.decode()
    assert "5 pairs waiting for your review" in html
    assert "Page 1 of 3" in html
    assert 'href="?relation=contradicts&amp;page=2" rel="next"' in html
    assert queued(reviewer_client, query | {"page": 2}) == links[2:4]
    assert queued(reviewer_client, query | {"page": 3}) == links[4:]


@pytest.mark.parametrize("page", ["0", "99", "abc", "-1"])
def test_an_out_of_range_or_invalid_page_number_shows_a_page_not_an_error(
    reviewer_client, author, monkeypatch, page
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(3):
        make_link(user=author)
    response = reviewer_client.get(QUEUE_URL, {"page": page})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) in (1, 2)


def test_the_page_number_is_not_carried_into_the_links_to_pairs(
    reviewer_client, author, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    make_link(user=author)
    second = make_link(user=author)
    html = reviewer_client.get(QUEUE_URL, {"page": 2}).content.decode()
    assert f'href="{second.get_absolute_url()}?queue=1"' in html


# --- Steps between pairs ----------------------------------------------------------------------


@pytest.fixture
def three(author):
    return [proposed_at(make_link(user=author), T0 + timedelta(hours=n)) for n in (2, 0, 1)]


def test_queue_neighbours_are_the_previous_and_next_links_oldest_first(reviewer, three):
    late, early, middle = three
    queue = review_queue(reviewer)
    assert queue_neighbours(queue, early) == (None, middle)
    assert queue_neighbours(queue, middle) == (early, late)
    assert queue_neighbours(queue, late) == (middle, None)


def test_queue_neighbours_work_after_the_link_left_the_queue(reviewer, three):
    late, early, middle = three
    make_review(middle, "confirmed", user=reviewer)
    queue = review_queue(reviewer)
    assert middle not in queue
    assert queue_neighbours(queue, middle) == (early, late)
    make_review(early, "confirmed", user=reviewer)
    assert queue_neighbours(review_queue(reviewer), middle) == (None, late)


def test_queue_neighbours_break_ties_of_the_same_moment_by_id(reviewer, author):
    links = [proposed_at(make_link(user=author), T0) for _ in range(3)]
    queue = review_queue(reviewer)
    assert queue_neighbours(queue, links[1]) == (links[0], links[2])


def test_queue_neighbours_follow_the_filtered_queue(reviewer, reviewer_client, three):
    late, early, middle = three
    ClaimLink.objects.filter(pk=middle.pk).update(relation="qualifies", direction="unknown")
    html = reviewer_client.get(
        early.get_absolute_url(), {"queue": "1", "relation": "contradicts"}
    ).content.decode()
    assert f'href="{late.get_absolute_url()}?queue=1&amp;relation=contradicts" rel="next"' in html
    assert "First pair in the queue" in html


def test_the_pair_page_from_the_queue_links_to_both_neighbours(reviewer_client, three):
    late, early, middle = three
    html = reviewer_client.get(middle.get_absolute_url(), {"queue": "1"}).content.decode()
    assert f'href="{early.get_absolute_url()}?queue=1" rel="prev"' in html
    assert f'href="{late.get_absolute_url()}?queue=1" rel="next"' in html
    assert f'href="{QUEUE_URL}?queue=1">Back to the queue' in html


def test_the_pair_page_shows_no_queue_steps_without_the_queue_parameter(reviewer_client, three):
    html = reviewer_client.get(three[2].get_absolute_url()).content.decode()
    assert 'aria-label="Review queue"' not in html


def test_the_pair_page_shows_no_queue_steps_to_annotators(annotator_client, three):
    response = annotator_client.get(three[2].get_absolute_url(), {"queue": "1"})
    assert response.status_code == 200
    assert 'aria-label="Review queue"' not in response.content.decode()


# --- A fixed number of queries ----------------------------------------------------------------


class Scenario:
    """Links proposed by ``author`` waiting for ``reviewer``; ``target`` also gathers
    evidence on itself and its claims and reviews (current and replaced) by others."""

    def __init__(self, author):
        self.author = author
        self.reviewer = make_user("reviewer")
        self.target = make_link(user=author)
        self.links = [self.target]
        self.extras = 0

    def grow(self, to: int) -> None:
        while len(self.links) < to:
            source = make_source()
            claim = make_claim(make_document(source=source), topics=[f"topic {len(self.links)}"])
            self.links.append(make_link(claim, make_claim(), user=make_user("annotator")))
        while self.extras < to:
            self.target.refresh_from_db()
            side = [self.target.left, self.target.right][self.extras % 2]
            make_evidence(claim=side)
            make_evidence(link=self.target, kind="url")
            other = make_user("reviewer")
            make_review(self.target, "rejected", user=other)
            make_review(self.target, "confirmed", user=other, note=f"Note {self.extras}")
            make_review(self.links[-1], "needs_evidence")
            self.extras += 1

    def count(self, url: str, query: dict) -> int:
        client = Client()
        client.force_login(self.reviewer)
        client.get(url, query)  # warm up: the session and content types are cached per process
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        assert response.status_code == 200
        return len(queries)


@pytest.mark.parametrize(
    "query", [{}, {"relation": "contradicts", "topic": "", "state": ""}], ids=["plain", "filtered"]
)
def test_the_queue_page_runs_the_same_queries_for_3_and_30_links(author, query):
    scenario = Scenario(author)
    scenario.grow(3)
    small = scenario.count(QUEUE_URL, query)
    scenario.grow(30)
    large = scenario.count(QUEUE_URL, query)
    assert len(review_queue(scenario.reviewer)) == 30
    assert small == large


def test_the_queue_page_filtered_by_topic_runs_the_same_queries_for_3_and_30_links(author):
    scenario = Scenario(author)
    scenario.grow(3)
    topic = scenario.links[1].left.topics.get()
    small = scenario.count(QUEUE_URL, {"topic": topic.pk})
    scenario.grow(30)
    assert small == scenario.count(QUEUE_URL, {"topic": topic.pk})


def test_the_pair_page_from_the_queue_runs_the_same_queries_for_3_and_30(author):
    scenario = Scenario(author)
    scenario.grow(3)
    url = scenario.target.get_absolute_url()
    small = scenario.count(url, {"queue": "1"})
    scenario.grow(30)
    large = scenario.count(url, {"queue": "1"})
    assert scenario.target.reviews.count() == 60
    assert scenario.target.evidence.count() == 30
    assert small == large
