"""The timeline in headless Chromium: a claim dated from its card (one click on the date
found in its text) lands on the timeline; two linked claims dated 1928 and 1929 by two
sources appear as a date conflict, drawn and listed; a mark opens its claim in its
document; axe-core finds no serious or critical violation; no CSP violation."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.services import claim_date_set
from tests.browser.axe import IMPACTS, assert_accessible, violations, watch_accessibility
from tests.browser.conftest import click_text, open_document, sign_in
from tests.browser.test_csp import CspWatch
from tests.factories import make_claim, make_document, make_link, make_source, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/timeline")
EXILE_1928 = "In 1928 Trotsky was exiled to Alma Ata."
EXILE_1929 = "Trotsky was expelled from the Soviet Union in 1929."


@pytest.fixture
def exile():
    annotator = make_user("annotator", username="ann")
    red = make_document(f"Red Paper on the exile\n\n{EXILE_1928}",
                        source=make_source(name="Red Paper", kind="political"))  # fmt: skip
    blog = make_document(f"Blog archive\n\n{EXILE_1929} Kirov was shot on 1 December 1934.",
                         source=make_source(name="Blog Archive", kind="blog"))  # fmt: skip
    left = make_claim(
        red, user=annotator, quote=EXILE_1928, statement="Trotsky was exiled in 1928."
    )
    right = make_claim(blog, user=annotator, quote=EXILE_1929,
                       statement="Trotsky was expelled in 1929.")  # fmt: skip
    claim_date_set(claim=right, date={"year": 1929}, version=right.version, user=annotator)
    kirov = make_claim(blog, user=annotator, quote="Kirov was shot on 1 December 1934",
                       statement="Kirov was shot.")  # fmt: skip
    claim_date_set(claim=kirov, date={"year": 1934, "month": 12, "day": 1}, version=1,
                   user=annotator)  # fmt: skip
    link = make_link(left, right, user=annotator, relation="qualifies")
    return {"red": red, "left": left, "right": right, "link": link}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_date_accepted_in_the_card_makes_a_date_conflict_on_the_timeline(page: Page, exile):
    watch = CspWatch(page)
    watch_accessibility(page)
    sign_in(page, "ann")
    open_document(page, exile["red"])
    click_text(page, "exiled to Alma Ata")
    card = page.locator(".claim-card").first
    expect(card.get_by_text("Event date: not given")).to_be_visible()
    card.get_by_role("button", name="Use 1928", exact=False).click()
    expect(card.get_by_text("Event date: 1928")).to_be_visible()
    expect(card.get_by_role("button", name="Change date…", exact=False)).to_be_visible()
    assert_accessible(page)  # the card with its date controls
    shot(page, "card-dated")

    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", name="Date conflicts (1)")).to_be_visible()
    conflicts = page.get_by_role("table", name="Linked claims giving different dates")
    conflict = conflicts.get_by_role("row").filter(has_text="Red Paper")
    expect(conflict).to_contain_text("1928")
    expect(conflict).to_contain_text("1929")
    expect(conflict).to_contain_text("Blog Archive")
    expect(page.locator("svg line.conflict-line")).to_have_count(1)
    shot(page, "timeline")
    watch.settle()

    page.get_by_role("link", name="Red Paper, 1928: Trotsky was exiled in 1928.").click()
    expect(page).to_have_url(f"{exile['red'].get_absolute_url()}#claim-{exile['left'].public_id}")
    expect(page.locator(".claim-card").first).to_contain_text("Event date: 1928")
    watch.settle()
    watch.assert_clean()


def test_the_timeline_zooms_to_a_year_and_changes_date_in_the_card(page: Page, exile):
    sign_in(page, "ann")
    page.goto("/timeline/")
    page.get_by_role("link", name="Zoom into 1934").click()
    expect(
        page.get_by_text("counted in days", exact=False).or_(
            page.get_by_text("counted in months", exact=False)
        )
    ).to_be_visible()
    expect(
        page.get_by_role("link", name="Blog Archive, 1 December 1934: Kirov was shot.")
    ).to_be_visible()
    shot(page, "timeline-1934")
    page.get_by_role("link", name="Blog Archive, 1 December 1934: Kirov was shot.").click()
    card = page.locator(".claim-card").first
    expect(card).to_contain_text("Event date: 1 December 1934")
    card.get_by_role("button", name="Change date…", exact=False).click()
    card.get_by_label("Day").fill("31")
    card.get_by_label("Month").select_option("November")
    card.get_by_role("button", name="Save date").click()
    expect(card.get_by_role("alert")).to_have_text("November 1934 has no day 31.")
    card.get_by_label("Day").fill("30")
    card.get_by_role("checkbox", name="About", exact=False).check()
    card.get_by_role("button", name="Save date").click()
    expect(card).to_contain_text("Event date: about 30 November 1934")
    shot(page, "card-changed")


def test_the_timeline_has_no_serious_accessibility_violation(page: Page, exile):
    watch_accessibility(page)
    sign_in(page, "ann")
    page.goto("/timeline/")
    expect(page.get_by_role("heading", name="Timeline", level=1)).to_be_visible()
    found = violations(page)
    assert not found, found
    page.get_by_role("link", name="Zoom into 1929").click()
    expect(page.get_by_role("heading", name="Timeline", level=1)).to_be_visible()
    found = violations(page)
    assert not found, found
    assert IMPACTS == ("serious", "critical")
