"""Small things users hit, in a real browser: a second claim on the same passage leads to
the first; controls are announced by the words they show; filters say "Any"; the Export
page explains its columns; the admin's import shows row errors without hovering; and "?"
lists only the shortcuts that work for the user."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.services import evidence_add
from corpus.demo import demo_accounts_create
from tests.browser.axe import assert_accessible, violations, watch_accessibility
from tests.browser.conftest import click_text, open_document, select_with_mouse, sign_in
from tests.browser.test_reviewing import make_pairs
from tests.factories import PASSWORD, make_claim, make_document, make_link, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/h9")
TEXT = "Taxes rose by five percent last year. Spending fell by two percent."


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_second_claim_on_the_same_passage_opens_the_first(page):
    annotator = make_user("annotator", username="ann")
    document = make_document(TEXT)
    make_claim(document, user=annotator, quote="Taxes rose by five percent",
               statement="Taxes went up five percent.")  # fmt: skip
    sign_in(page, "ann")
    open_document(page, document)
    select_with_mouse(page, "Taxes rose by five percent")
    page.get_by_role("button", name="New claim").click()
    page.get_by_role("textbox", name="Statement").fill("Taxes increased.")
    page.get_by_role("button", name="Save claim").click()
    refusal = page.locator("#claim-form-error")
    expect(refusal).to_contain_text("You already have a claim on exactly this passage")
    shot(page, "duplicate-refused")
    refusal.get_by_role("button", name="Open your claim on this passage").click()
    expect(page.locator("#claim-form")).to_be_hidden()
    card = page.locator(".claim-card").filter(has_text="Taxes went up five percent.")
    expect(card).to_be_visible()
    expect(card).to_be_focused()
    expect(
        card.get_by_role("button", name="Edit claim: Taxes went up five percent.")
    ).to_be_visible()
    shot(page, "duplicate-opened")


def test_controls_are_announced_by_the_words_they_show(page):
    annotator = make_user("annotator", username="ann")
    document = make_document(TEXT)
    claim = make_claim(document, user=annotator, quote="Taxes rose", statement="The first")
    evidence_add(claim=claim, kind="citation", bearing="supports", citation="A report, 2024.",
                 user=annotator)  # fmt: skip
    make_link(claim, user=annotator, relation="corroborates")
    watch_accessibility(page)
    sign_in(page, "ann")
    open_document(page, document)
    click_text(page, "Taxes rose")
    panel = page.get_by_role("complementary", name="Claims and document details")
    link_to = panel.get_by_role("button", name="Link to claim… (from claim: The first)")
    expect(link_to).to_have_text("Link to claim…")
    mark = panel.get_by_role("button", name="Mark as refuting: A report, 2024.")
    expect(mark).to_have_text("Mark as refuting")
    remove = panel.get_by_role("button", name="Remove evidence: A report, 2024.")
    expect(remove).to_have_text("Remove")
    assert_accessible(page)
    link_to.click()
    expect(panel.get_by_role("combobox", name="Find a claim in another document")).to_be_focused()
    assert_accessible(page)
    shot(page, "accessible-names")

    # The rule is on: a control announced by other words than it shows is caught.
    page.evaluate("""() => {
      const button = document.createElement("button");
      button.textContent = "Link to claim…";
      button.setAttribute("aria-label", "Link claim to another claim");
      document.querySelector(".card-actions").append(button);
    }""")
    assert "label-content-name-mismatch" in {found["id"] for found in violations(page)}


def test_filters_say_any_and_the_export_page_explains_its_columns(page):
    make_user("reviewer", username="rev")
    make_link(relation="qualifies")
    watch_accessibility(page)
    sign_in(page, "rev")
    page.goto("/claims/")
    source = page.get_by_role("combobox", name="Source")
    expect(source.locator("option:checked")).to_have_text("Any")
    expect(page.get_by_role("option", name="---------")).to_have_count(0)
    shot(page, "filters-any")

    page.goto("/export/")
    pairs = page.get_by_role("region", name="Claim pairs")
    expect(pairs.get_by_role("combobox", name="Relation").locator("option:checked")).to_have_text(
        "Any"
    )
    columns = pairs.get_by_role("group").filter(has_text="columns of claim pairs")
    expect(columns.get_by_text("left_qualifies_right", exact=False)).to_be_hidden()
    pairs.get_by_text("The 21 columns of claim pairs").click()
    expect(columns.get_by_text("direction", exact=True)).to_be_visible()
    expect(
        columns.get_by_text("For qualifies, which claim narrows the other", exact=False)
    ).to_be_visible()
    assert_accessible(page)
    pairs.scroll_into_view_if_needed()
    shot(page, "export-columns")


BAD_LINKS = """public_id,left,right,relation,rationale
00000000-0000-4000-8000-000000000001,{a},{b},qualifies,Narrower.
"""


def test_the_admin_shows_import_row_errors_without_hovering(page, tmp_path):
    demo_accounts_create(PASSWORD)
    document = make_document(TEXT)
    first = make_claim(document, quote="Taxes rose")
    second = make_claim(document, quote="Spending fell")  # the same document: refused
    upload = tmp_path / "links.csv"
    upload.write_text(BAD_LINKS.format(a=first.public_id, b=second.public_id), encoding="utf-8")
    sign_in(page, "editor")
    page.goto("/admin/claims/claimlink/import/")
    page.get_by_label("File to import").set_input_files(upload)
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Some rows failed to validate")).to_be_visible()
    page.mouse.move(0, 0)  # pointing at nothing
    error = page.locator(".validation-error-container").first
    expect(error).to_contain_text("Both claims are in the same document")
    expect(error).to_have_css("opacity", "1")
    expect(error).to_have_css("position", "static")
    shot(page, "admin-import-errors")


def shortcut_terms(page: Page) -> list[str]:
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    terms = dialog.locator("dd:visible").all_inner_texts()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    return terms


def test_the_shortcuts_list_offers_only_what_works_for_the_user(page):
    author = make_user("annotator", username="ann")
    make_user("reviewer", username="rev")
    (link,) = make_pairs(1, author)
    document = link.left.document

    sign_in(page, "rev")  # reads, reviews, but does not annotate
    open_document(page, document)
    terms = shortcut_terms(page)
    assert "new claim from the selection" not in terms
    assert not any("extend the selection" in term for term in terms)
    assert "next / previous claim" in terms
    page.goto("/review/")
    terms = shortcut_terms(page)
    assert "confirm the pair" not in terms and "reject the pair" not in terms
    assert "next pair (on the queue: start reviewing)" in terms
    page.get_by_role("link", name="Start reviewing (n)").click()
    page.wait_for_load_state()  # the page's shortcuts are set up
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text(
        "confirm the pair"
    )
    shot(page, "shortcuts-reviewer")
    page.keyboard.press("Escape")

    page.context.clear_cookies()
    sign_in(page, "ann")  # annotates; proposed this pair, so gives it no verdict
    open_document(page, document)
    assert "new claim from the selection" in shortcut_terms(page)
    page.goto(link.get_absolute_url())
    terms = shortcut_terms(page)
    assert terms == ["show this list"]
    page.keyboard.press("?")
    shot(page, "shortcuts-proposer")
