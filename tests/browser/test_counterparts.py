"""Counterparts on the document page (issue 18): an annotator selects a passage about how many
were tried for Kirov's murder, sees where another source gives its own number, and makes the
claim there and links it, from the keyboard alone; dismissing a suggestion is remembered.

The only step not made with keys is where the caret starts: headless Chromium has no caret
browsing, so a script puts a collapsed caret before the sentence's first word; the selection
itself is then made with Ctrl+Shift+→, as a reader of the page does."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.models import Claim, ClaimLink
from corpus.models import Document
from corpus.seeds import load_seeds
from suggestions.models import Dismissal
from suggestions.services import index_document
from tests.browser.axe import IMPACTS, watch_accessibility
from tests.browser.conftest import open_document, select_with_mouse, sign_in
from tests.factories import make_claim, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/crosscheck-screenshots"))
# The encyclopedia overview: 15 tried and executed.
FIFTEEN = (
    "In December 1934, Sergei Kirov was assassinated and, subsequently 15 defendants were found "
    "guilty of direct, or indirect, involvement in the crime and were executed."
)
# Socialist Appeal: "a group of 13 … shot".
THIRTEEN = (
    "Originally the perpetrators of the murder were declared to be a group of 13 "
    "'Zinovievists', shot in December 1934."
)
# Where the other sources give their number (bench/gold/counterparts.json, kirov-trial-count-15).
COUNTERPARTS = [
    "a group of 13",  # Socialist Appeal
    "All twelve accused",  # the myth-busting blog
    "Kotolnyov and 10 other defendants",  # the myth-busting blog
]

PUT_CARET = """(needle) => {
  const container = document.getElementById("document-text");
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    document.getSelection().collapse(node, at);
    node.parentElement.scrollIntoView({ block: "center" });
    container.focus({ preventScroll: true });
    return true;
  }
  return false;
}"""
SELECTED = "() => document.getSelection().toString()"
# axe-core on the suggestions sections only (the rest of the page has its own audit,
# tests/browser/test_accessibility.py).
AXE_SECTIONS = """async () => {
  const results = await axe.run({ include: [[".counterparts"]] }, {
    rules: { "label-content-name-mismatch": { enabled: true } },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((node) => node.target.join(" ")) }));
}"""


@pytest.fixture
def page(browser, live_server):
    """The page at the size of a common laptop screen (1366×768), with axe-core loaded;
    no script error and no Content-Security-Policy complaint allowed."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_accessibility(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def seeds():
    load_seeds()
    for document in Document.objects.all():
        index_document(document)
    return {document.source.slug: document for document in Document.objects.all()}


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"counterparts-{name}.png"))


def select_by_keyboard(page: Page, sentence: str) -> None:
    """A caret before ``sentence`` (by script, see the module's docstring), then the
    sentence selected word by word with Ctrl+Shift+→ in the focused text."""
    assert page.evaluate(PUT_CARET, sentence.split()[0] + " " + sentence.split()[1])
    for _ in range(len(sentence.split()) + 5):
        if page.evaluate(SELECTED).rstrip(".") == sentence.rstrip("."):
            break
        page.keyboard.press("Control+Shift+ArrowRight")
    if not page.evaluate(SELECTED).endswith("."):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate(SELECTED) == sentence


def assert_parts_accessible(page: Page) -> None:
    found = [
        violation
        for violation in page.evaluate(AXE_SECTIONS)
        if violation["impact"] in IMPACTS or violation["id"] == "label-content-name-mismatch"
    ]
    assert not found, found


def test_an_annotator_links_a_counterpart_in_another_source_without_the_mouse(page, seeds):
    annotator = make_user("annotator", username="ann")
    encyclopedia = seeds["encyclopedia-overview"]
    sign_in(page, "ann")
    open_document(page, encyclopedia)
    panel = page.get_by_role("complementary", name="Claims and document details")

    select_by_keyboard(page, FIFTEEN)
    section = panel.get_by_role("region", name="Possibly about the same thing in other sources")
    suggestions = section.get_by_role("list", name="Possibly about the same thing in other sources")
    expect(suggestions.get_by_role("listitem").first).to_be_visible()
    expect(section.locator(".counterparts-status")).to_have_text(
        re.compile(r"\d+ passages? in \d+ other sources?\.")
    )
    shoot(page, "1-selection")
    assert_parts_accessible(page)

    # "s" goes to the suggestions; ↓ to the first that gives another number.
    page.keyboard.press("s")
    expect(suggestions.get_by_role("listitem").first).to_be_focused()
    texts = suggestions.get_by_role("listitem").all_inner_texts()
    wanted = next(i for i, text in enumerate(texts) if any(c in text for c in COUNTERPARTS))
    for _ in range(wanted):
        page.keyboard.press("ArrowDown")
    chosen = suggestions.get_by_role("listitem").nth(wanted)
    expect(chosen).to_be_focused()
    other_source = chosen.locator(".counterpart-source strong").inner_text()
    assert other_source != encyclopedia.source.name
    shoot(page, "2-focused")

    # "c": first the selection's own claim, with the page's new-claim form.
    page.keyboard.press("c")
    expect(page.get_by_role("textbox", name="Statement", exact=True)).to_be_focused()
    page.keyboard.type("15 were found guilty of Kirov's murder and executed.")
    page.keyboard.press("Tab")  # Topics
    page.keyboard.press("Tab")  # Save claim
    expect(page.get_by_role("button", name="Save claim")).to_be_focused()
    page.keyboard.press("Enter")
    theirs = panel.get_by_role("textbox", name="Statement of the claim there")

    # Then the counterpart's form, its statement the passage, ready to edit.
    expect(theirs).to_be_focused()
    passage = theirs.input_value()
    assert any(c in passage for c in COUNTERPARTS), passage
    shoot(page, "3-counterpart-form")
    assert_parts_accessible(page)
    page.keyboard.press("Control+a")
    page.keyboard.type("Another number of those tried for Kirov's murder.")
    page.keyboard.press("Tab")  # Relation
    expect(panel.get_by_role("combobox", name="Relation")).to_be_focused()
    page.keyboard.press("Home")  # Contradicts, the first choice
    expect(panel.get_by_role("combobox", name="Relation")).to_have_value("contradicts")
    page.keyboard.press("Tab")  # Rationale (the direction is for qualifies only)
    expect(panel.get_by_role("textbox", name="Rationale")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("15 tried and executed here; another count there.")
    page.keyboard.press("Control+Enter")

    expect(page.get_by_role("status").filter(has_text="linked: contradicts")).to_be_visible()
    expect(panel.get_by_text("Links (1)")).to_be_visible()
    expect(panel.get_by_text("Another number of those tried for Kirov's murder.")).to_be_visible()
    shoot(page, "4-linked")

    selection_claim = Claim.objects.get(document=encyclopedia)
    counterpart = Claim.objects.exclude(document=encyclopedia).get()
    assert selection_claim.quote == FIFTEEN and selection_claim.created_by == annotator
    assert counterpart.document.source.name == other_source
    assert counterpart.quote == counterpart.document.text[counterpart.start : counterpart.end]
    assert any(c in counterpart.quote for c in COUNTERPARTS)
    assert counterpart.statement == "Another number of those tried for Kirov's murder."
    link = ClaimLink.objects.get()
    assert {link.left, link.right} == {selection_claim, counterpart}
    assert (link.relation, link.rationale, link.created_by) == (
        "contradicts", "15 tried and executed here; another count there.", annotator,
    )  # fmt: skip


def test_a_dismissed_passage_is_not_suggested_for_the_claim_again(page, seeds):
    annotator = make_user("annotator", username="ann")
    encyclopedia = seeds["encyclopedia-overview"]
    claim = make_claim(encyclopedia, user=annotator, quote=FIFTEEN, statement="15 executed.")
    sign_in(page, "ann")
    open_document(page, encyclopedia)
    panel = page.get_by_role("complementary", name="Claims and document details")

    page.locator("#document-text").focus()
    page.keyboard.press("j")  # to the claim: its card, and its suggestions
    suggestions = panel.get_by_role("list", name="Possibly about the same thing in other sources")
    expect(suggestions.get_by_role("listitem").first).to_be_visible()
    before = suggestions.get_by_role("listitem").count()
    page.keyboard.press("s")
    first = suggestions.get_by_role("listitem").first
    expect(first).to_be_focused()
    dismissed = first.locator("mark").inner_text()
    page.keyboard.press("x")

    expect(page.get_by_role("status").filter(has_text="no longer suggested")).to_be_visible()
    expect(suggestions.get_by_role("listitem")).to_have_count(before - 1)
    expect(suggestions.get_by_role("listitem").first).to_be_focused()  # the next one
    shoot(page, "5-dismissed")
    assert_parts_accessible(page)
    dismissal = Dismissal.objects.get()
    assert (dismissal.claim, dismissal.dismissed_by) == (claim, annotator)
    assert dismissal.document.text[dismissal.start : dismissal.end] == dismissed

    page.reload()
    open_document(page, encyclopedia)
    page.locator("#document-text").focus()
    page.keyboard.press("j")
    expect(suggestions.get_by_role("listitem").first).to_be_visible()
    assert dismissed not in suggestions.locator("mark").all_inner_texts()


def test_a_reader_sees_the_claim_already_there_but_no_actions(page, seeds):
    make_user(username="rea")
    annotator = make_user("annotator", username="ann")
    appeal, encyclopedia = seeds["socialist-appeal"], seeds["encyclopedia-overview"]
    make_claim(encyclopedia, user=annotator, quote=FIFTEEN, statement="15 executed.")
    there = make_claim(appeal, user=annotator, quote=THIRTEEN, statement="13 were shot.")
    sign_in(page, "rea")
    open_document(page, encyclopedia)
    page.locator("#document-text").focus()
    page.keyboard.press("j")
    panel = page.get_by_role("complementary", name="Claims and document details")
    suggestions = panel.get_by_role("list", name="Possibly about the same thing in other sources")
    expect(suggestions.get_by_role("listitem").first).to_be_visible()
    expect(suggestions.get_by_role("button")).to_have_count(0)
    item = suggestions.get_by_role("listitem").filter(has_text="a group of 13")
    expect(item).to_contain_text("Claimed there: 13 were shot.")
    expect(item.get_by_role("link", name="Open the claim there")).to_have_attribute(
        "href", there.get_absolute_url()
    )

    # The keys are listed in the page's shortcuts help.
    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_contain_text("make a claim on the focused passage and link it")
    expect(shortcuts).to_contain_text("not related")
    shoot(page, "6-shortcuts")


def test_with_the_mouse_the_selection_stays_while_its_suggestion_is_chosen(page, seeds):
    make_user("annotator", username="ann")
    sign_in(page, "ann")
    open_document(page, seeds["encyclopedia-overview"])
    select_with_mouse(page, FIFTEEN)
    panel = page.get_by_role("complementary", name="Claims and document details")
    suggestions = panel.get_by_role("list", name="Possibly about the same thing in other sources")
    suggestions.get_by_role("button", name="Claim and link").first.click()
    expect(page.get_by_role("textbox", name="Statement", exact=True)).to_be_focused()
    expect(page.locator("#claim-form-quote")).to_have_text(FIFTEEN)
