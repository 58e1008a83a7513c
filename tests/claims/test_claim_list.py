"""The claims list page: who sees it, what it shows, its filters and its queries."""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from claims import views
from claims.models import Topic
from tests.factories import make_claim, make_document, make_source, make_user

pytestmark = pytest.mark.django_db
URL = reverse("claims:list")

_numbers = itertools.count()
TEXT = "Budget report\n\nThe mayor said that taxes rose by five percent last year."


def shown(response) -> list[str]:
    """The statements on the page, in order."""
    return [claim.statement for claim in response.context["page"].object_list]


@pytest.fixture
def claims(annotator):
    """Three claims in two sources, by two annotators, with topics."""
    pravda, times = make_source(name="Pravda"), make_source(name="The Times")
    first_doc = make_document(TEXT, source=pravda)
    second_doc = make_document("Critics disputed the figure of five percent.", source=times)
    other = make_user("annotator", username="olga")
    return {
        "taxes": make_claim(
            first_doc,
            user=annotator,
            quote="taxes rose",
            statement="Taxes went up.",
            topics=["Economy"],
        ),
        "mayor": make_claim(
            first_doc,
            user=other,
            quote="The mayor said",
            statement="The mayor made a statement.",
            topics=["Politics"],
        ),
        "critics": make_claim(
            second_doc,
            user=other,
            quote="Critics disputed",
            statement="Critics objected.",
            topics=["Economy", "Politics"],
        ),
    }


def test_anonymous_users_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "client_fixture", ["annotator_client", "reviewer_client", "editor_client", "no_role_client"]
)
def test_every_signed_in_user_sees_the_list(request, client_fixture, claims):
    response = request.getfixturevalue(client_fixture).get(URL)
    assert response.status_code == 200
    assert len(shown(response)) == 3


def test_it_shows_statement_quote_author_topics_and_a_link_to_the_claim_in_its_document(
    reviewer_client, claims, annotator
):
    claim = claims["taxes"]
    response = reviewer_client.get(URL)
    html = response.content.decode()
    assert "Taxes went up." in html
    assert "“taxes rose”" in html
    link = reverse("claims:document", args=[claim.document.pk]) + f"#claim-{claim.public_id}"
    assert claim.get_absolute_url() == link
    assert f'href="{link}"' in html
    assert annotator.username in html
    topic_page = reverse("comparison:topic", args=["Economy"])
    assert f'<a class="topic" href="{topic_page}"' in html
    assert ">Economy</a>" in html
    assert "Pravda" in html
    assert "3 claims" in html


def test_the_newest_claims_come_first(reviewer_client, claims):
    assert shown(reviewer_client.get(URL)) == [
        "Critics objected.",
        "The mayor made a statement.",
        "Taxes went up.",
    ]


def test_statements_and_quotes_are_escaped(reviewer_client):
    document = make_document("Note <script>alert(1)</script> here.")
    make_claim(document, quote="<script>alert(1)</script>", statement="<b>bold</b> & co")
    html = reviewer_client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert escape("<script>alert(1)</script>") in html
    assert escape("<b>bold</b> & co") in html


def test_an_empty_list_says_so(reviewer_client):
    response = reviewer_client.get(URL)
    assert response.status_code == 200
    assert "No claims match these filters." in response.content.decode()


def test_filter_by_source(reviewer_client, claims):
    source = claims["critics"].document.source
    assert shown(reviewer_client.get(URL, {"source": source.pk})) == ["Critics objected."]


def test_filter_by_document(reviewer_client, claims):
    document = claims["taxes"].document
    assert sorted(shown(reviewer_client.get(URL, {"document": document.pk}))) == [
        "Taxes went up.",
        "The mayor made a statement.",
    ]


def test_filter_by_topic(reviewer_client, claims):
    topic = Topic.objects.get(name="Politics")
    assert sorted(shown(reviewer_client.get(URL, {"topic": topic.pk}))) == [
        "Critics objected.",
        "The mayor made a statement.",
    ]


def test_filter_by_annotator(reviewer_client, claims, annotator):
    assert shown(reviewer_client.get(URL, {"annotator": annotator.pk})) == ["Taxes went up."]


def test_the_annotator_filter_offers_only_people_who_made_claims(reviewer_client, claims):
    bystander = make_user("annotator", username="bystander")
    html = reviewer_client.get(URL).content.decode()
    assert ">olga<" in html
    assert f'value="{bystander.pk}"' not in html.split('name="annotator"')[1].split("</select>")[0]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("TAXES ROSE", ["Taxes went up."]),  # in the quote, ignoring case
        ("objected", ["Critics objected."]),  # in the statement
        ("the mayor", ["The mayor made a statement."]),
        ("nowhere to be found", []),
    ],
)
def test_filter_by_text_in_quote_or_statement(reviewer_client, claims, q, expected):
    assert shown(reviewer_client.get(URL, {"q": q})) == expected


def test_filters_combine(reviewer_client, claims):
    economy = Topic.objects.get(name="Economy")
    source = claims["taxes"].document.source
    response = reviewer_client.get(URL, {"topic": economy.pk, "source": source.pk, "q": "went"})
    assert shown(response) == ["Taxes went up."]


def test_a_claim_with_two_matching_topics_is_listed_once(reviewer_client, claims):
    response = reviewer_client.get(URL, {"q": "Critics"})
    assert shown(response) == ["Critics objected."]
    assert response.context["page"].paginator.count == 1


@pytest.mark.parametrize(
    "params",
    [
        {"document": "abc"},
        {"document": "987654"},
        {"document": str(2**70)},
        {"source": "-1"},
        {"topic": "1.5"},
        {"annotator": "nobody"},
        {"annotator": "\x00"},
        {"page": "abc"},
        {"page": "99999"},
        {"page": str(2**70)},
        {"q": "\x00"},
        {"q": "x" * 5000},
    ],
    ids=lambda params: "-".join(f"{key}={value[:10]!r}" for key, value in params.items()),
)
def test_an_invalid_filter_value_shows_an_error_instead_of_crashing(reviewer, claims, params):
    client = Client(raise_request_exception=False)
    client.force_login(reviewer)
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    key, value = next(iter(params.items()))
    if key in {"document", "source", "topic", "annotator"}:
        assert '<div class="errors" role="alert">' in html
        message = "Null characters are not allowed." if value == "\x00" else "Select a valid choice"
        assert message in html


def test_the_list_is_paginated_keeping_the_filters(reviewer_client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    document = make_document("one two three four five")
    author = make_user("annotator")
    for index, word in enumerate(["one", "two", "three", "four", "five"]):
        make_claim(document, user=author, quote=word, statement=f"Claim {index}")
    first = reviewer_client.get(URL, {"q": "claim"})
    assert shown(first) == ["Claim 4", "Claim 3"]
    html = first.content.decode()
    assert "Page 1 of 3" in html
    assert 'href="?q=claim&amp;page=2" rel="next"' in html
    assert shown(reviewer_client.get(URL, {"q": "claim", "page": 3})) == ["Claim 0"]
    assert shown(reviewer_client.get(URL, {"q": "claim", "page": 99})) == ["Claim 0"]


def make_claims(count: int) -> None:
    """``count`` claims spread over new documents, sources, annotators and topics."""
    annotators = [make_user("annotator") for _ in range(3)]
    documents = [
        make_document(" ".join(f"w{next(_numbers)}x{i}" for i in range(40))) for _ in range(3)
    ]
    for index in range(count):
        document = documents[index % 3]
        make_claim(
            document,
            user=annotators[index % 3],
            quote=f"x{index}",
            topics=[f"Topic {index % 4}", f"Extra {index}"],
        )


def count_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "passage"}, {"topic": "Topic 0"}])
def test_the_query_count_does_not_grow_with_the_number_of_claims(reviewer, params):
    client = Client()
    client.force_login(reviewer)
    make_claims(2)
    if "topic" in params:
        params = {"topic": Topic.objects.get(name=params["topic"]).pk}
    client.get(URL)  # warm up what a first request loads once
    with_two = count_queries(client, params)
    make_claims(18)
    with_twenty = count_queries(client, params)
    assert with_two == with_twenty
