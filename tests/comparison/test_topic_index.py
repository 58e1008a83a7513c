"""Every topic with its number of claims (/compare/topics/), each topic leading to its
side-by-side page; the filter by name and the sort; pagination; a number of queries that
does not grow with the topics; the way there from the contradiction map and back from a
topic's page; who may read it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Topic
from comparison import topic_views
from comparison.topic_views import TopicRow, topic_page
from tests.factories import (
    make_claim,
    make_document,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

INDEX = "/compare/topics/"


@pytest.fixture
def corpus():
    """ "Exile": four claims from three sources (one tagged "exile": the same topic), with
    links among them; "Famine": one claim; "Archive" and "Économie": no claims."""
    user = make_user("annotator")
    red, blog = make_source(name="Red Paper", kind="political"), make_source(name="Blog")
    encyclopedia = make_source(name="Encyclopedia", kind="encyclopedia")
    red1 = make_document("Red one\n\nExiled. Banished.", source=red)
    red2 = make_document("Red two\n\nDeported.", source=red)
    blog1 = make_document("Blog\n\nExpelled. Starved.", source=blog)
    blog2 = make_document("Blog two\n\nElsewhere.", source=blog)
    enc1 = make_document("Encyclopedia\n\nExiled in 1929.", source=encyclopedia)

    def claim(document, quote, *topics):
        return make_claim(document, user=user, quote=quote, topics=list(topics))

    r1, r2, r3 = (
        claim(red1, "Exiled", "Exile"),
        claim(red1, "Banished"),
        claim(red2, "Deported", "Exile"),
    )
    b1 = claim(blog1, "Expelled", "Exile")
    claim(blog1, "Starved", "Famine")
    elsewhere, e1 = claim(blog2, "Elsewhere"), claim(enc1, "Exiled in 1929", "exile")
    make_link(r1, b1, user=user)  # counted
    make_link(e1, r1, user=user, relation="corroborates")  # counted
    make_review(make_link(r3, b1, user=user), "rejected")  # rejected: not counted
    make_link(r1, r3, user=user)  # one source's two documents: not across sources
    make_link(e1, elsewhere, user=user)  # the other claim is not on the topic
    make_link(r2, b1, user=user)  # nor is this one
    Topic.objects.create(name="Archive")
    Topic.objects.create(name="Économie")
    return {"user": user, "exile": Topic.objects.get(name="Exile")}


def _rows(response) -> list[tuple[str, int]]:
    return [(row.topic.name, row.claims) for row in response.context["rows"]]


def test_it_lists_every_topic_with_its_figures_most_claims_first(reviewer_client, corpus):
    response = reviewer_client.get(INDEX)

    assert response.status_code == 200
    assert _rows(response) == [("Exile", 4), ("Famine", 1), ("Archive", 0), ("Économie", 0)]
    html = response.content.decode()
    assert "4 topics" in html
    page = reverse("comparison:topic", args=["Exile"])
    assert f'<a href="{page}">Exile</a>' in html
    assert reviewer_client.get(page).status_code == 200
    assert f'<a href="{reverse("comparison:topic", args=["Économie"])}">Économie</a>' in html


def test_they_can_be_sorted_by_name(reviewer_client, corpus):
    response = reviewer_client.get(INDEX, {"sort": "name"})
    assert [name for name, *_ in _rows(response)][:3] == ["Archive", "Exile", "Famine"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [("xil", ["Exile"]), ("ÉCON", ["Économie"]), ("i", ["Exile", "Famine", "Archive", "Économie"]),
     ("100%", [])],
)  # fmt: skip
def test_the_filter_keeps_the_topics_whose_name_contains_the_words(
    reviewer_client, corpus, search, expected
):
    response = reviewer_client.get(INDEX, {"q": search})
    assert [name for name, *_ in _rows(response)] == expected
    if not expected:
        assert "No topic matches these filters." in response.content.decode()


def test_an_invalid_filter_is_explained_and_left_out(reviewer_client, corpus):
    response = reviewer_client.get(INDEX, {"q": "x" * 201, "sort": "size"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in html
    assert "Select a valid choice" in html
    assert len(response.context["rows"]) == 4


def test_the_topics_are_paged_without_repeating_or_skipping_one(
    reviewer_client, corpus, monkeypatch
):
    monkeypatch.setattr(topic_views, "PAGE_SIZE", 3)
    first = reviewer_client.get(INDEX, {"sort": "name"})
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?sort=name&amp;page=2" rel="next"' in html
    second = reviewer_client.get(INDEX, {"sort": "name", "page": 2})
    names = [name for name, *_ in _rows(first) + _rows(second)]
    assert sorted(names) == ["Archive", "Exile", "Famine", "Économie"]
    assert len(set(names)) == 4
    # A page past the end is the last one.
    assert _rows(reviewer_client.get(INDEX, {"page": 99})) == _rows(
        reviewer_client.get(INDEX, {"page": 2})
    )


def test_the_page_makes_as_many_queries_whatever_the_topics(reviewer_client, corpus):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reviewer_client.get(INDEX).status_code == 200
        return len(captured)

    queries()  # warms the session
    before = queries()
    user = corpus["user"]
    for number in range(12):
        topic = f"Topic {number}"
        left = make_claim(make_document(source=make_source(name=f"Left {number}")), user=user,
                          topics=[topic])  # fmt: skip
        right = make_claim(make_document(source=make_source(name=f"Right {number}")), user=user,
                           topics=[topic, "Exile"])  # fmt: skip
        make_link(left, right, user=user)
    assert queries() == before
    # The session and user; the count and the page; the menu's permissions and inbox.
    assert before <= 7
    assert ("Topic 3", 2) in _rows(reviewer_client.get(INDEX))


def test_topic_page_reads_two_queries(corpus, django_assert_num_queries):
    with django_assert_num_queries(2):
        page, rows = topic_page("", "claims", 1)
    assert page.paginator.count == 4
    assert rows[0] == TopicRow(corpus["exile"], 4)


def test_the_map_links_to_the_chosen_topics_page_only(reviewer_client, corpus):
    exile = corpus["exile"]
    chosen = reviewer_client.get(reverse("comparison:map"), {"topic": exile.pk}).content.decode()
    page = reverse("comparison:topic", args=["Exile"])
    assert f'<a href="{page}">See “Exile” side by side</a>' in chosen
    unfiltered = reviewer_client.get(reverse("comparison:map")).content.decode()
    assert "See “" not in unfiltered
    assert f'<a href="{INDEX}">Topics side by side</a>' in unfiltered


def test_a_topics_page_links_back_to_every_topic(reviewer_client, corpus):
    html = reviewer_client.get(reverse("comparison:topic", args=["Exile"])).content.decode()
    assert f'<a href="{INDEX}">all topics side by side</a>' in html


def test_whoever_reads_the_map_reads_the_topics(client, no_role_client, corpus):
    assert reverse("comparison:topics") == INDEX
    for url in (reverse("comparison:map"), INDEX):
        signed_out = client.get(url)
        assert signed_out.status_code == 302
        assert signed_out["Location"].startswith(reverse("login"))
        assert no_role_client.get(url).status_code == 200
    assert no_role_client.post(INDEX).status_code == 405
