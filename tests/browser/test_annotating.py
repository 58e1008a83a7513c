"""Annotating in a real browser: select → new claim → highlight, on any text."""

import pytest
from playwright.sync_api import expect

from claims.models import Claim
from corpus.seeds import load_seeds
from tests.browser.conftest import (
    click_text,
    open_document,
    painted,
    select_with_mouse,
    sign_in,
)
from tests.factories import make_claim, make_document, make_user

pytestmark = pytest.mark.django_db(transaction=True)

UNICODE_TEXT = (
    "Unicode test\n\n"
    "The “café” was closed 😀 on 1 December 1934 at 16:30.\n"
    "Cafe\u0301 noir and x\u0301 marks, with\u00a0non-breaking spaces and 🇷🇺 flags.\n\n"
    "A second paragraph — with “curly quotes” — ends here."
)


def create_claim_from_selection(page, statement: str, topics: str = "") -> None:
    page.get_by_role("button", name="New claim").click()
    page.get_by_label("Statement").fill(statement)
    if topics:
        page.get_by_label("Topics").fill(topics)
    page.get_by_role("button", name="Save claim").click()
    expect(page.get_by_role("status").filter(has_text="Claim saved.")).to_be_visible()


def test_an_annotator_highlights_a_sentence_of_a_seed_and_it_is_still_there_after_reload(page):
    load_seeds()
    annotator = make_user("annotator", username="ann")
    sign_in(page, "ann")
    document = Claim._meta.get_field("document").related_model.objects.get(
        source__slug="encyclopedia-overview"
    )
    sentence = "Trotsky was expelled from the Soviet Union in 1929"
    open_document(page, document)

    select_with_mouse(page, sentence)
    create_claim_from_selection(page, "Trotsky was expelled abroad in 1929.", "exile, Trotsky")

    claim = Claim.objects.get()
    assert claim.quote == sentence
    assert document.text[claim.start : claim.end] == sentence
    assert claim.created_by == annotator
    assert sorted(topic.name for topic in claim.topics.all()) == ["Trotsky", "exile"]
    expect(page.get_by_role("button", name="New claim")).to_be_hidden()

    page.reload()
    open_document(page, document)
    assert painted(page)["claim-depth-1"] == [sentence]
    expect(page.get_by_text("1 claim in this document.")).to_be_visible()


def test_offsets_are_right_with_emoji_combining_accents_and_curly_quotes(page):
    document = make_document(UNICODE_TEXT)
    make_user("annotator", username="ann")
    sign_in(page, "ann")
    open_document(page, document)

    # From just after an emoji to the end of a letter with a combining accent.
    select_with_mouse(page, "on 1 December", "x\u0301")
    create_claim_from_selection(page, "Closed on 1 December 1934.")
    # Across the paragraph break, starting inside the first claim and ending at an emoji flag.
    select_with_mouse(page, "noir and", "“curly quotes”")
    create_claim_from_selection(page, "A second claim overlapping the first.")

    first, second = Claim.objects.order_by("start")
    text = document.text
    assert first.quote == text[first.start : first.end]
    assert first.quote.startswith("on 1 December 1934") and first.quote.endswith("x\u0301")
    assert second.quote.startswith("noir and") and second.quote.endswith("“curly quotes”")
    assert "\n\n" in second.quote, "the selection spans two paragraphs"
    assert first.start == text.index("on 1 December") and second.end == text.index(" — ends")

    page.reload()
    open_document(page, document)
    texts = painted(page)
    overlap = text[second.start : first.end]
    assert texts["claim-depth-2"] == [overlap], "darker where the two claims stack"
    assert "".join(texts["claim-depth-1"]) == (
        text[first.start : second.start] + text[first.end : second.end]
    )


def test_a_selection_inside_an_emoji_or_between_a_letter_and_its_accent_is_widened(page):
    document = make_document(UNICODE_TEXT)
    make_user("annotator", username="ann")
    sign_in(page, "ann")
    open_document(page, document)
    # Ask the page's own code for the span of a selection cut through the middle of the
    # flag emoji and between x and its accent.
    span = page.evaluate(
        """async () => {
          const { buildIndex, spanFromSelection } = await import("/static/claims/anchoring.js");
          const text = document.getElementById("document-text").textContent;
          const from = text.indexOf("x\\u0301") + 1;   // between x and the accent
          const to = text.indexOf("🇷🇺") + 1;           // inside the first regional indicator
          return spanFromSelection(text, buildIndex(text), from, to);
        }"""
    )
    text = document.text  # stored NFC: "Cafe\u0301" is now "Café", "x\u0301" stays two
    start = text.index("x\u0301")
    end = text.index("🇷🇺") + len("🇷🇺")
    assert (span["start"], span["end"]) == (start, end)
    assert span["quote"] == text[start:end]


def test_the_owner_edits_and_deletes_a_claim_in_the_side_panel(page):
    document = make_document(UNICODE_TEXT)
    owner = make_user("annotator", username="ann")
    claim = make_claim(document, user=owner, quote="A second paragraph", statement="Old words")
    sign_in(page, "ann")
    open_document(page, document)

    click_text(page, "A second paragraph")
    panel = page.get_by_role("complementary", name="Claims and document details")
    expect(panel.get_by_text("Old words")).to_be_visible()
    panel.get_by_role("button", name="Edit claim: Old words").click()
    panel.get_by_role("textbox", name="Statement").fill("New words")
    panel.get_by_role("button", name="Save changes").click()
    expect(panel.get_by_text("New words")).to_be_visible()
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("New words", 2)

    panel.get_by_role("button", name="Delete claim: New words").click()
    panel.get_by_role("button", name="Delete claim", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Claim deleted.")).to_be_visible()
    assert not Claim.objects.exists()
    assert painted(page).get("claim-depth-1", []) == []


def test_a_second_editor_of_the_same_claim_gets_a_conflict_message_not_an_overwrite(
    browser, live_server
):
    document = make_document(UNICODE_TEXT)
    owner = make_user("annotator", username="ann")
    make_user("editor", username="ed")
    claim = make_claim(document, user=owner, quote="A second paragraph", statement="Original")
    pages = []
    for username in ("ann", "ed"):
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        sign_in(page, username)
        open_document(page, document)
        click_text(page, "A second paragraph")
        page.get_by_role("button", name="Edit claim: Original").click()
        pages.append(page)
    first, second = pages
    first.get_by_role("textbox", name="Statement").fill("First edit")
    first.get_by_role("button", name="Save changes").click()
    expect(first.get_by_text("First edit")).to_be_visible()

    second.get_by_role("textbox", name="Statement").fill("Second edit")
    second.get_by_role("button", name="Save changes").click()
    expect(second.get_by_role("alert")).to_contain_text("Someone else changed this claim")
    claim.refresh_from_db()
    assert claim.statement == "First edit"
    for page in pages:
        page.context.close()


def test_a_reviewer_sees_claims_without_edit_controls_and_a_forged_edit_is_refused(page):
    document = make_document(UNICODE_TEXT)
    claim = make_claim(document, user=make_user("annotator"), quote="A second paragraph")
    make_user("reviewer", username="rev")
    sign_in(page, "rev")
    open_document(page, document)

    select_with_mouse(page, "A second paragraph")
    expect(page.get_by_role("button", name="New claim")).to_be_hidden()
    click_text(page, "A second paragraph")
    expect(page.get_by_text(claim.statement)).to_be_visible()
    expect(page.get_by_role("button", name="Edit claim", exact=False)).to_have_count(0)
    expect(page.get_by_role("button", name="Delete claim", exact=False)).to_have_count(0)

    status = page.evaluate(
        """async (url) => {
          const token = document.querySelector('meta[name="csrf-token"]').content;
          const response = await fetch(url, {
            method: "PATCH", headers: {"Content-Type": "application/json", "X-CSRFToken": token},
            body: JSON.stringify({statement: "Forged", version: 1}),
          });
          return [response.status, (await response.json()).error];
        }""",
        f"/api/claims/{claim.public_id}/",
    )
    assert status[0] == 403
    assert "Only the annotator who made this claim" in status[1]
    claim.refresh_from_db()
    assert claim.statement != "Forged"


def test_keyboard_selection_new_claim_shortcut_and_next_previous_claim(page):
    document = make_document(UNICODE_TEXT)
    owner = make_user("annotator", username="ann")
    make_claim(document, user=owner, quote="Unicode test", statement="First claim")
    make_claim(document, user=owner, quote="A second paragraph", statement="Last claim")
    sign_in(page, "ann")
    open_document(page, document)

    text = page.get_by_role("document", name="Document text")
    text.focus()
    page.keyboard.press("j")
    expect(page.get_by_role("status").filter(has_text="Claim 1 of 2: First claim")).to_be_visible()
    page.keyboard.press("j")
    expect(page.get_by_role("status").filter(has_text="Claim 2 of 2: Last claim")).to_be_visible()
    page.keyboard.press("k")
    expect(page.get_by_role("status").filter(has_text="Claim 1 of 2: First claim")).to_be_visible()

    # The caret starts at the current claim ("Unicode test"); select its first word.
    text.focus()
    for _ in range(7):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("a")
    expect(page.get_by_label("Statement")).to_be_focused()
    page.get_by_label("Statement").fill("Typed from the keyboard")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Claim saved.")).to_be_visible()
    assert Claim.objects.filter(statement="Typed from the keyboard").get().quote == "Unicode"


def test_a_link_to_a_claim_scrolls_to_it_and_flashes_it(page):
    load_seeds()
    document = Claim._meta.get_field("document").related_model.objects.get(
        source__slug="myth-busting-blog"
    )
    last_words = "courage and professional competence"
    claim = make_claim(document, user=make_user("annotator"), quote=last_words)
    make_user("reviewer", username="rev")
    sign_in(page, "rev")
    page.goto("/claims/")
    page.get_by_role("link", name=last_words, exact=False).click()
    expect(page.locator("#document-text[data-ready=true]")).to_be_attached()
    assert painted(page)["claim-flash"] == [last_words]
    in_view = page.evaluate(
        """() => { const range = [...CSS.highlights.get("claim-current")][0];
                   const rect = range.getBoundingClientRect();
                   return rect.top >= 0 && rect.bottom <= window.innerHeight; }"""
    )
    assert in_view
    expect(page.get_by_text(claim.statement).first).to_be_visible()


def test_when_the_claims_cannot_load_the_page_says_so_and_makes_no_claim(page):
    annotator = make_user("annotator", username="ann")
    document = make_document("Unloaded\n\nThe claims of this text could not be loaded today.")
    make_claim(document, user=annotator, quote="could not be loaded")
    sign_in(page, "ann")
    claims_url = f"**/api/documents/{document.pk}/claims/"
    page.route(claims_url, lambda route: route.fulfill(status=503, body="Service Unavailable"))
    open_document(page, document)

    expect(page.get_by_role("alert")).to_have_text(
        "The claims could not be loaded: Crosscheck answered with error 503."
        " Reload the page to try again."
    )
    assert painted(page) == {}
    select_with_mouse(page, "The claims of this text")
    page.keyboard.press("a")
    expect(page.get_by_role("status")).to_have_text(
        "The claims have not loaded yet: new claims wait for them, so none is made twice."
    )
    expect(page.get_by_label("Statement")).to_be_hidden()
    assert Claim.objects.count() == 1
