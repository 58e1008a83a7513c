"""The claim pair page (/links/<uuid>/): both claims in context side by side, their
sources, the relation and rationale, and all evidence, escaped, in a fixed number of
queries."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.views import CONTEXT_CHARACTERS
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_source,
)

pytestmark = pytest.mark.django_db

QUOTE = "the minister announced a tax cut"
OUTSIDE_BEFORE = "Long report\n\nFar before the claim: OUTSIDEBEFORE."
INSIDE_BEFORE = ("INSIDEBEFORE " + "alpha " * 60)[:CONTEXT_CHARACTERS]
INSIDE_AFTER = (" " + "omega " * 60)[: CONTEXT_CHARACTERS - len("INSIDEAFTER")] + "INSIDEAFTER"
OUTSIDE_AFTER = "OUTSIDEAFTER: far after the claim."
LONG_TEXT = OUTSIDE_BEFORE + INSIDE_BEFORE + QUOTE + INSIDE_AFTER + OUTSIDE_AFTER
SHORT_TEXT = "Taxes stayed the same, the opposition says."


def page_url(link) -> str:
    return reverse("claims:link", args=[link.public_id])


@pytest.fixture
def left(annotator):
    source = make_source(name="Ministry Gazette", author="Ann Official", date="2024-03")
    return make_claim(
        make_document(LONG_TEXT, source=source),
        user=annotator,
        quote=QUOTE,
        statement="The minister announced a tax cut.",
    )


@pytest.fixture
def right(left):
    source = make_source(name="Daily Ledger", author="Bob Writer")
    return make_claim(
        make_document(SHORT_TEXT, source=source),
        quote="Taxes stayed the same",
        statement="Taxes did not change.",
    )


@pytest.fixture
def link(left, right, annotator):
    return make_link(
        right, left, user=annotator, relation="contradicts", rationale="A cut is not the same."
    )


def get_page(client, link) -> str:
    response = client.get(page_url(link))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(link):
    url = page_url(link)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "client_fixture", ["reviewer_client", "annotator_client", "no_role_client"]
)
def test_any_signed_in_user_sees_the_page(request, client_fixture, link):
    content = get_page(request.getfixturevalue(client_fixture), link)
    assert "<h1>Claim pair</h1>" in content
    assert "<title>Claim pair: contradicts · Crosscheck</title>" in content


def test_an_unknown_link_is_not_found(reviewer_client):
    response = reviewer_client.get(reverse("claims:link", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert reviewer_client.get("/links/not-a-uuid/").status_code == 404


def test_the_page_answers_only_get(annotator_client, link):
    assert annotator_client.post(page_url(link)).status_code == 405
    assert annotator_client.delete(page_url(link)).status_code == 405


def test_a_quote_is_shown_with_300_characters_of_context_either_side_and_ellipses(
    reviewer_client, link
):
    content = get_page(reviewer_client, link)
    assert len(INSIDE_BEFORE) == len(INSIDE_AFTER) == CONTEXT_CHARACTERS
    assert (
        f'<div class="in-context">…{INSIDE_BEFORE}<mark>{QUOTE}</mark>{INSIDE_AFTER}…</div>'
        in content
    )
    assert "INSIDEBEFORE" in content and "INSIDEAFTER" in content
    assert "OUTSIDEBEFORE" not in content and "OUTSIDEAFTER" not in content
    assert ".INSIDEBEFORE" not in content, "the character just outside is cut"
    assert "INSIDEAFTERO" not in content


def test_a_quote_near_the_edges_of_a_short_document_has_all_its_context_and_no_ellipsis(
    reviewer_client, link
):
    content = get_page(reviewer_client, link)
    rest = SHORT_TEXT[len("Taxes stayed the same") :]
    assert f'<div class="in-context"><mark>Taxes stayed the same</mark>{rest}</div>' in content


def test_the_left_side_is_the_claim_with_the_smaller_id(reviewer_client, link, left, right):
    content = get_page(reviewer_client, link)
    assert content.index("Ministry Gazette") < content.index("Daily Ledger")
    assert content.index(f"<mark>{QUOTE}</mark>") < content.index("<mark>Taxes stayed")


def test_the_page_shows_both_sources_statements_relation_and_rationale(
    reviewer_client, link, left, right
):
    content = get_page(reviewer_client, link)
    for text in ("Ministry Gazette", "Ann Official", "2024-03", "Daily Ledger", "Bob Writer"):
        assert text in content
    assert '<strong class="relation relation-contradicts">contradicts</strong>' in content
    assert "<p>A cut is not the same.</p>" in content
    assert '<p class="claim-statement">The minister announced a tax cut.</p>' in content
    assert '<p class="claim-statement">Taxes did not change.</p>' in content
    for claim in (left, right):
        assert f'href="{claim.get_absolute_url()}"' in content
        assert f"<em>{claim.document.title}</em>" in content
        assert f"(characters {claim.start}–{claim.end})" in content
        assert claim.created_by.username in content


def test_line_breaks_in_the_rationale_are_kept(reviewer_client, left, right, annotator):
    link = make_link(left, right, user=annotator, rationale="First line.\nSecond line.")
    assert "<p>First line.<br>Second line.</p>" in get_page(reviewer_client, link)


def test_the_page_lists_the_evidence_of_the_link_and_of_each_claim_in_place(
    reviewer_client, link, left, right
):
    passage_document = make_document("Budget annex\n\nThe annex lists a cut of two percent.")
    make_evidence(link=link, citation="LINK-CITATION, 2024.")
    make_evidence(
        link=link,
        kind="passage",
        bearing="refutes",
        document=passage_document,
        start=passage_document.text.index("a cut of two percent"),
        end=passage_document.text.index("a cut of two percent") + len("a cut of two percent"),
        quote="a cut of two percent",
    )
    make_evidence(left, kind="url", url="https://example.com/left-evidence", citation="Left doc")
    make_evidence(right, kind="quote", bearing="refutes", quote="RIGHT-QUOTE", citation="TV")
    make_evidence(make_claim(), citation="UNRELATED-EVIDENCE")
    content = get_page(reviewer_client, link)
    pair = content.index('<div class="pair">')
    right_side = content.index('id="side-2-title"')
    assert content.index("LINK-CITATION, 2024.") < pair
    assert content.index('<blockquote class="claim-quote">a cut of two percent</blockquote>') < pair
    assert f'href="{passage_document.get_absolute_url()}">{passage_document.title}</a>' in content
    assert pair < content.index("Left doc") < right_side
    assert right_side < content.index("RIGHT-QUOTE")
    assert "UNRELATED-EVIDENCE" not in content
    assert content.count("✗ Refutes") == 2
    assert content.count("✓ Supports") == 2
    assert "No evidence attached" not in content


def test_without_evidence_the_page_says_so(reviewer_client, link):
    content = get_page(reviewer_client, link)
    assert "No evidence attached to the pair." in content
    assert content.count("No evidence attached to this claim.") == 2


def test_evidence_web_addresses_open_in_a_new_tab_without_referrer_or_endorsement(
    reviewer_client, link, left
):
    make_evidence(link=link, kind="url", url="https://example.com/a?b=1&c=2", citation="Report")
    make_evidence(left, kind="url", url="http://example.org/untitled")
    content = get_page(reviewer_client, link)
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" '
        'rel="noopener noreferrer nofollow">Report</a>'
    ) in content
    assert (
        '<a href="http://example.org/untitled" target="_blank" '
        'rel="noopener noreferrer nofollow">http://example.org/untitled</a>'
    ) in content


def test_html_and_scripts_in_user_text_are_shown_as_text(reviewer_client, annotator):
    def script(name: str) -> str:
        return f"<script>alert('{name}')</script>"

    def escaped(name: str) -> str:
        return f"&lt;script&gt;alert(&#x27;{name}&#x27;)&lt;/script&gt;"

    left_source = make_source(name=script("source"), author=script("author"))
    left = make_claim(
        make_document(f"Report\n\nIt says {script('quote')} here.", source=left_source),
        user=annotator,
        quote=script("quote"),
        statement=script("statement"),
    )
    right = make_claim(make_document(f"Other\n\n{script('context')} and then Taxes rose."))
    link = make_link(left, right, user=annotator, rationale=script("rationale"))
    make_evidence(link=link, citation=script("citation"))
    make_evidence(left, kind="quote", quote=script("evidence-quote"), citation=script("from"))
    make_evidence(right, kind="url", url="https://example.com/", citation=script("title"))
    content = get_page(reviewer_client, link)
    assert "<script>alert" not in content
    names = ["source", "author", "quote", "statement", "context", "rationale", "citation"]
    for name in [*names, "evidence-quote", "from", "title"]:
        assert escaped(name) in content, name
    assert f"<mark>{escaped('quote')}</mark>" in content


def count_page_queries(client, link) -> int:
    with CaptureQueriesContext(connection) as context:
        get_page(client, link)
    return len(context.captured_queries)


def pair_with_evidence(count: int):
    """A new link with ``count`` evidence items of every kind, by different annotators,
    spread over the link and its two claims."""
    link = make_link()
    passage_document = make_document(f"Annex {uuid.uuid4()}\n\nA passage to cite.")
    targets = [{"link": link}, {"claim": link.left}, {"claim": link.right}]
    kinds = [
        {"kind": "citation"},
        {"kind": "url"},
        {"kind": "quote"},
        {
            "kind": "passage",
            "document": passage_document,
            "start": passage_document.text.index("A passage"),
            "end": len(passage_document.text) - 1,
            "quote": "A passage to cite",
        },
    ]
    for index in range(count):
        make_evidence(**targets[index % 3], **kinds[index % 4])
    return link


@pytest.mark.parametrize("client_fixture", ["reviewer_client", "editor_client"])
def test_the_query_count_does_not_depend_on_the_amount_of_evidence(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    few = pair_with_evidence(1)
    many = pair_with_evidence(10)
    get_page(client, few)  # warm up what a first request loads once
    assert count_page_queries(client, few) == count_page_queries(client, many)
