"""Relations say what they mean, in a real browser: linking asks which claim of a
*qualifies* link narrows the other (with a swap), and the card, the claim pair page and the
review queue read it the same way, whatever the claims' stored order; the symmetric
relations read of both claims; a link whose direction was never recorded says so and its
author sets it."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.models import ClaimLink, Direction
from claims.services import link_create
from tests.browser.axe import assert_accessible, watch_accessibility
from tests.browser.conftest import click_text, open_document, sign_in
from tests.factories import make_claim, make_document, make_source, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/h9")
EXPELLED = "Trotsky was expelled from the Soviet Union in 1929, after years of struggle."
EXILED = "In January 1928 Stalin sent Trotsky into internal exile at Alma Ata."
OLDER = "Trotsky was expelled from the country in 1929."  # made first: stored on the left
NEWER = "Trotsky was first exiled within the country, in 1928."


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def two_claims(author):
    encyclopedia = make_document(EXPELLED, source=make_source(name="Encyclopedia"))
    appeal = make_document(EXILED, source=make_source(name="Socialist Appeal"))
    older = make_claim(encyclopedia, user=author, quote="Trotsky was expelled", statement=OLDER)
    newer = make_claim(appeal, user=author, quote="internal exile", statement=NEWER)
    return encyclopedia, appeal, older, newer


def test_linking_asks_which_claim_narrows_the_other_and_every_page_reads_it_so(page):
    author = make_user("annotator", username="ann")
    make_user("reviewer", username="rev")
    _, appeal, older, newer = two_claims(author)
    watch_accessibility(page)
    sign_in(page, "ann")
    open_document(page, appeal)
    panel = page.get_by_role("complementary", name="Claims and document details")

    # Link the newer claim to the older one: by default the claim linked from narrows.
    click_text(page, "internal exile")
    panel.get_by_role("button", name="Link to claim…", exact=False).click()
    panel.get_by_role("combobox", name="Find a claim in another document").fill("expelled")
    panel.get_by_role("option", name=OLDER, exact=False).click()
    direction = panel.get_by_role("group", name="Which claim narrows the other")
    expect(direction).to_be_hidden()  # contradicts, the first choice, goes both ways
    panel.get_by_role("combobox", name="Relation").select_option("qualifies")
    expect(direction).to_contain_text(f"“{NEWER}” narrows “{OLDER}”")
    direction.get_by_role("button", name="Swap direction").click()
    expect(direction).to_contain_text(f"“{OLDER}” narrows “{NEWER}”")
    direction.get_by_role("button", name="Swap direction").click()
    expect(direction).to_contain_text(f"“{NEWER}” narrows “{OLDER}”")
    panel.get_by_role("textbox", name="Rationale").fill("Internal exile came a year first.")
    assert_accessible(page)
    shot(page, "relation-link-form")
    panel.get_by_role("button", name="Save link").click()
    expect(panel.get_by_text("This claim qualifies (narrows) the other")).to_be_visible()
    link = ClaimLink.objects.get()
    assert (link.left, link.right) == (older, newer)  # stored order: the older claim left
    assert link.direction == Direction.RIGHT_QUALIFIES_LEFT
    shot(page, "relation-card")

    # The pair page reads it from the qualifying (newer, right-hand) claim.
    panel.get_by_role("link", name="Claim pair").click()
    summary = page.locator(".relation-summary")
    expect(summary).to_contain_text(f"“{NEWER}” qualifies (narrows) “{OLDER}”")
    sides = page.locator(".pair-side")
    expect(sides.first.get_by_role("heading", level=2)).to_have_text("Socialist Appeal")
    expect(sides.first).to_contain_text("Qualifies (narrows) the other claim")
    expect(sides.nth(1)).to_contain_text("Qualified (narrowed) by the other claim")
    assert_accessible(page)
    shot(page, "relation-pair-page")

    # Turned round in the card's edit form; the card reads it from the other side now.
    page.go_back()
    expect(page.locator("#document-text[data-ready=true]")).to_be_attached()
    click_text(page, "internal exile")
    panel.get_by_role("button", name=f"Edit link with: {OLDER}").click()
    panel.get_by_role("group", name="Which claim narrows the other").get_by_role(
        "button", name="Swap direction"
    ).click()
    panel.get_by_role("button", name="Save link").click()
    expect(panel.get_by_text("The other claim qualifies (narrows) this one")).to_be_visible()
    link.refresh_from_db()
    assert (link.direction, link.version) == (Direction.LEFT_QUALIFIES_RIGHT, 2)

    # The reviewer's queue: the qualifying claim's quote first.
    page.context.clear_cookies()
    sign_in(page, "rev")
    page.goto("/review/")
    row = page.get_by_role("row").filter(has_text="qualifies the other claim")
    expect(row.get_by_role("cell").nth(1)).to_contain_text("Trotsky was expelled")
    expect(row.get_by_role("cell").nth(2)).to_contain_text("internal exile")
    assert_accessible(page)
    shot(page, "relation-queue")


def test_symmetric_relations_read_of_both_claims(page):
    author = make_user("annotator", username="ann")
    encyclopedia, _, older, newer = two_claims(author)
    link_create(claim=older, other=newer, relation="contradicts", rationale="Which year?",
                user=author)  # fmt: skip
    sign_in(page, "ann")
    open_document(page, encyclopedia)
    panel = page.get_by_role("complementary", name="Claims and document details")
    click_text(page, "Trotsky was expelled")
    expect(panel.get_by_text("These claims contradict each other")).to_be_visible()
    panel.get_by_role("link", name="Claim pair").click()
    expect(page.locator(".relation-summary")).to_contain_text(
        "contradicts — these claims contradict each other", ignore_case=True
    )
    expect(page.get_by_role("group", name="Which claim narrows the other")).to_have_count(0)


def test_a_link_whose_direction_was_not_recorded_says_so_and_its_author_sets_it(page):
    author = make_user("annotator", username="ann")
    make_user("reviewer", username="rev")
    encyclopedia, _, older, newer = two_claims(author)
    link = link_create(claim=older, other=newer, relation="qualifies", rationale="Dates",
                       user=author)  # fmt: skip
    # As the migration leaves the qualifies links made before directions were recorded.
    ClaimLink.objects.filter(pk=link.pk).update(direction=Direction.UNKNOWN)
    watch_accessibility(page)

    sign_in(page, "rev")  # a reviewer reads that it is missing, and cannot set it
    page.goto(link.get_absolute_url())
    expect(page.locator(".relation-summary")).to_contain_text("direction not recorded")
    expect(page.get_by_role("link", name="set it")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, "ann")
    open_document(page, encyclopedia)
    panel = page.get_by_role("complementary", name="Claims and document details")
    click_text(page, "Trotsky was expelled")
    expect(panel.get_by_text("direction not recorded")).to_be_visible()
    expect(panel.get_by_role("button", name="Set the direction", exact=False)).to_be_visible()
    shot(page, "relation-unknown-card")

    page.goto(link.get_absolute_url())
    page.get_by_role("link", name="set it").click()
    form = page.get_by_role("group", name="Direction not recorded: which claim narrows the other?")
    expect(form).to_be_visible()
    assert_accessible(page)
    shot(page, "relation-unknown-pair-page")
    form.get_by_role("radio", name=f"“{NEWER}” qualifies “{OLDER}”").check()
    page.get_by_role("button", name="Record the direction").click()
    expect(page.get_by_text(f"Direction recorded: “{NEWER}” qualifies “{OLDER}”")).to_be_visible()
    expect(page.locator(".relation-summary")).to_contain_text(
        f"“{NEWER}” qualifies (narrows) “{OLDER}”"
    )
    link.refresh_from_db()
    assert link.direction == Direction.RIGHT_QUALIFIES_LEFT
    shot(page, "relation-recorded")
