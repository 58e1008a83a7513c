"""What the page modules share (claims/static/claims/api.js): the text helpers, the
choices the server hands the forms, and the keyboard shortcuts' rules, in a real browser."""

import pytest
from playwright.sync_api import expect

from claims.models import Bearing, Relation, Review
from tests.browser.conftest import click_text, open_document, sign_in
from tests.browser.test_reviewing import make_pairs
from tests.factories import make_claim, make_document, make_user

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "First sentence of the text. Second sentence of the text."


def open_with_a_claim(page) -> None:
    """An annotator opens a document with one claim, "The first", on "First sentence"."""
    document = make_document(TEXT)
    annotator = make_user("annotator", username="ann")
    make_claim(document, user=annotator, quote="First sentence", statement="The first")
    sign_in(page, "ann")
    open_document(page, document)


def test_the_text_helpers_count_words_and_cut_text_with_an_ellipsis(page):
    make_user(username="reader")  # any signed-in user
    sign_in(page, "reader")
    results = page.evaluate(
        """async () => {
          const { plural, shorten } = await import("/static/claims/api.js");
          return [plural(0, "claim", "claims"), plural(1, "claim", "claims"),
                  plural(2, "evidence item", "evidence items"),
                  shorten("abcdef", 4), shorten("abcd", 4), shorten("", 4)];
        }"""
    )
    assert results == ["0 claims", "1 claim", "2 evidence items", "abc…", "abcd", ""]


def test_the_panel_offers_the_relations_and_bearings_the_server_defines(page):
    open_with_a_claim(page)
    click_text(page, "First sentence")
    panel = page.get_by_role("complementary", name="Claims and document details")

    panel.get_by_role("button", name="Link to claim… (from claim: The first)").click()
    relation = panel.get_by_role("combobox", name="Relation")
    expect(relation.locator("option")).to_have_text([label for _, label in Relation.choices])
    expect(relation).to_have_value(Relation.values[0])

    panel.get_by_role("button", name="Add evidence to claim: The first").click()
    bearing = panel.get_by_role("combobox", name="Bearing")
    expect(bearing.locator("option")).to_have_text([label for _, label in Bearing.choices])

    panel.get_by_role("button", name="Use a passage as evidence for claim: The first").click()
    passage = page.get_by_role("region", name="Evidence mode").get_by_label("The passage")
    expect(passage.locator("option")).to_have_text([label for _, label in Bearing.choices])


def test_page_shortcuts_wait_while_the_list_of_shortcuts_is_open(page):
    open_with_a_claim(page)
    status = page.locator("#annotate-status")

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    page.keyboard.press("j")  # handled at once, before press() returns
    expect(status).to_have_text("")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("j")
    expect(status).to_have_text("Claim 1 of 1: The first")


def test_review_shortcuts_go_both_ways_and_leave_a_note_being_typed_alone(page):
    author = make_user("annotator", username="ann")
    make_pairs(2, author)
    make_user("reviewer", username="reviewer")
    sign_in(page, "reviewer")
    page.goto("/review/")
    page.keyboard.press("j")  # like n: start with the oldest pair
    expect(page.get_by_text("Counts differ (0)")).to_be_visible()

    note = page.get_by_role("textbox", name="Note (optional)")
    note.fill("")
    note.press_sequentially("c j")
    expect(note).to_have_value("c j")
    expect(page.get_by_text("Counts differ (0)")).to_be_visible()
    assert not Review.objects.exists()

    note.blur()
    page.keyboard.press("j")
    expect(page.get_by_text("Counts differ (1)")).to_be_visible()
    page.keyboard.press("k")
    expect(page.get_by_text("Counts differ (0)")).to_be_visible()
    page.keyboard.press("p")
    expect(page.get_by_text("First pair in the queue")).to_be_visible()
