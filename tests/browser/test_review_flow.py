"""Reviewing as a team would, in headless Chromium at 1366×768: both claims in context first
with the verdict bar in reach, undo by key and by button, My verdicts to revisit and
change, and the queue's text search with both statements."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.models import ClaimLink, Review, ReviewState
from claims.services import link_create
from tests.browser.conftest import sign_in
from tests.factories import make_claim, make_document, make_evidence, make_review, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/h10")
SCREEN = {"width": 1366, "height": 768}

LEFT_TEXT = (
    "The Leningrad trial\n\n"
    "In the weeks after the murder the investigators questioned hundreds of party members "
    "in Leningrad, and the newspapers printed long accounts of the confessions. The accused "
    "were said to have met in secret for more than a year. According to the indictment, "
    "Kirov was shot in the Smolny corridor on 1 December 1934 by Leonid Nikolayev, who had "
    "waited for him outside his office. The court heard that Nikolayev acted on the orders "
    "of a Zinovievite centre, and fourteen men were sentenced to death within the month. "
    "Later historians doubted that any such centre existed, and pointed to the speed of the "
    "trial as a sign that its outcome had been decided in advance."
)
RIGHT_TEXT = (
    "A memoir from exile\n\n"
    "Trotsky, writing from his exile in France, rejected every part of the official story "
    "and said that the trial had been staged to strike at the old opposition. He noted that "
    "the first reports spoke of a lone gunman. In his account Kirov died on 2 December, a "
    "day after the shooting, in a hospital ward guarded by the NKVD. He asked why the "
    "guards had been withdrawn from the corridor that evening, and why the chief of the "
    "Leningrad security police had been given so light a sentence. These questions were "
    "repeated for decades by those who believed the murder had been arranged from above."
)


@pytest.fixture
def screen_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=SCREEN)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=full_page)


def kirov_pair(author, number: int = 0) -> ClaimLink:
    left_document = make_document(LEFT_TEXT.replace("trial", f"trial ({number})", 1))
    right_document = make_document(RIGHT_TEXT.replace("exile", f"exile ({number})", 1))
    left = make_claim(
        left_document,
        user=author,
        quote="Kirov was shot in the Smolny corridor on 1 December 1934",
        statement=f"Kirov was shot on 1 December ({number})",
    )
    right = make_claim(
        right_document,
        user=author,
        quote="Kirov died on 2 December",
        statement=f"Kirov died on 2 December ({number})",
    )
    return link_create(
        claim=left,
        other=right,
        relation="contradicts",
        rationale=f"The dates differ ({number}).",
        user=author,
    )


def in_window(page: Page, locator) -> dict:
    """The element's box, and whether it lies wholly inside the window."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box | {"inside": box["y"] >= 0 and box["y"] + box["height"] <= height}


def test_both_claims_in_context_come_first_and_the_verdict_bar_stays_in_reach(screen_page):
    page = screen_page
    author = make_user("annotator", username="ann")
    link = kirov_pair(author)
    for number in range(3):
        make_evidence(link=link, user=author, citation=f"A. Historian, Kirov, 2010, p. {number}.")
    make_evidence(link.left, user=author, citation="Pravda, 2 December 1934.")
    make_user("reviewer", username="rita")
    sign_in(page, "rita")
    page.goto("/review/")
    page.get_by_role("link", name="Start reviewing (n)").click()

    left = page.get_by_role("article").filter(has_text="Kirov was shot on 1 December")
    right = page.get_by_role("article").filter(has_text="Kirov died on 2 December")
    left_quote = left.locator("mark", has_text="Kirov was shot in the Smolny corridor")
    right_quote = right.locator("mark", has_text="Kirov died on 2 December")
    bar = page.get_by_role("form", name="Your verdict")
    confirm = bar.get_by_role("button", name="Confirm (c)")
    expect(confirm).to_be_visible()
    bar_top = in_window(page, bar)["y"]
    for quote in (left_quote, right_quote):
        box = in_window(page, quote)
        assert box["inside"] and box["y"] + box["height"] <= bar_top, "the quote is not in view"
    # Side by side: the same height on the page, the left one left of the right one.
    left_box, right_box = left.bounding_box(), right.bounding_box()
    assert abs(left_box["y"] - right_box["y"]) < 2
    assert left_box["x"] + left_box["width"] <= right_box["x"]
    # Each quote is shown with its context either side.
    expect(left.get_by_text("the investigators questioned hundreds", exact=False)).to_be_visible()
    expect(right.get_by_text("a hospital ward guarded by the NKVD", exact=False)).to_be_visible()
    for button in ("Confirm (c)", "Reject (r)", "Needs evidence (e)"):
        assert in_window(page, bar.get_by_role("button", name=button))["inside"]
    shoot(page, "pair-page-1366x768")

    page.get_by_role("heading", name="Discussion").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0
    for button in ("Confirm (c)", "Reject (r)", "Needs evidence (e)"):
        assert in_window(page, bar.get_by_role("button", name=button))["inside"]
    shoot(page, "pair-page-scrolled-verdict-bar")
    bar.get_by_role("button", name="Reject (r)").click()
    expect(page.get_by_text("Recorded: rejected.")).to_be_visible()
    assert Review.objects.get(reviewer__username="rita").verdict == "rejected"


def test_undo_by_key_and_by_button_returns_to_the_pair_and_keeps_the_history(screen_page):
    page = screen_page
    author = make_user("annotator", username="ann")
    first, second = kirov_pair(author, 1), kirov_pair(author, 2)
    make_user("reviewer", username="rita")
    sign_in(page, "rita")
    page.goto("/review/")
    page.keyboard.press("n")
    expect(page.get_by_text("The dates differ (1).")).to_be_visible()

    page.keyboard.press("c")
    expect(page.get_by_text("The dates differ (2).")).to_be_visible()
    status = page.get_by_role("status").filter(has_text="Recorded: confirmed.")
    expect(status.get_by_role("button", name="Undo (u)")).to_be_visible()
    shoot(page, "recorded-with-undo")
    page.keyboard.press("u")

    expect(page.get_by_text("Withdrawn: your verdict “confirmed”.")).to_be_visible()
    expect(page.get_by_text("The dates differ (1).")).to_be_visible()
    expect(page.locator("#review-state")).to_have_text("Pending review")
    expect(page.get_by_role("navigation", name="Review queue")).to_be_visible()
    first.refresh_from_db()
    assert first.review_state == ReviewState.PENDING
    page.get_by_text("1 earlier verdict").click()
    expect(page.get_by_text("rita: confirmed")).to_contain_text("withdrawn")
    shoot(page, "after-undo-back-on-the-pair")

    page.keyboard.press("r")  # a new verdict on the first pair, then undo it by the button
    expect(page.get_by_text("The dates differ (2).")).to_be_visible()
    page.get_by_role("button", name="Undo (u)").click()
    expect(page.get_by_text("Withdrawn: your verdict “rejected”.")).to_be_visible()
    expect(page.get_by_text("The dates differ (1).")).to_be_visible()

    mine = Review.objects.filter(reviewer__username="rita", link=first)
    assert sorted(mine.values_list("verdict", "is_current")) == [
        ("confirmed", False),
        ("rejected", False),
    ]
    assert not Review.objects.filter(link=second).exists()


def test_my_verdicts_lists_filters_and_opens_a_pair_to_change_the_verdict(screen_page):
    page = screen_page
    author = make_user("annotator", username="ann")
    rita = make_user("reviewer", username="rita")
    links = [kirov_pair(author, number) for number in range(3)]
    for link, verdict in zip(links, ["confirmed", "rejected", "needs_evidence"], strict=True):
        make_review(link, verdict, user=rita)
    sign_in(page, "rita")
    page.get_by_role("link", name="Review", exact=True).click()
    page.get_by_role("link", name="My verdicts").click()
    expect(page.get_by_role("heading", name="My verdicts")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("3 verdicts")

    page.get_by_label("My verdict", exact=True).select_option("rejected")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 verdict")
    page.get_by_label("Either claim contains").fill("died on 2 december (1)")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 verdict")
    shoot(page, "my-verdicts-filtered")

    page.get_by_role("link", name="Revisit pair 1: Kirov was shot on 1 December (1)").click()
    expect(page.get_by_text("Your current verdict: rejected.", exact=False)).to_be_visible()
    page.keyboard.press("c")
    expect(page.get_by_text("Recorded: confirmed.")).to_be_visible()
    links[1].refresh_from_db()
    assert links[1].review_state == ReviewState.CONFIRMED

    page.goto("/review/mine/?verdict=confirmed")
    expect(page.get_by_role("status")).to_have_text("2 verdicts")


def test_the_queue_shows_both_statements_and_searches_either_claim(screen_page):
    page = screen_page
    author = make_user("annotator", username="ann")
    for number in range(3):
        kirov_pair(author, number)
    make_user("editor", username="ed")
    sign_in(page, "ed")
    page.goto("/review/")
    expect(page.get_by_text("3 pairs waiting for your review")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_text("Kirov was shot on 1 December (2)")).to_be_visible()
    expect(table.get_by_text("Kirov died on 2 December (2)")).to_be_visible()

    page.get_by_label("Either claim contains").fill("DIED on 2 December (1)")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 pair waiting for your review")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(2)  # the header and one pair
    shoot(page, "review-queue-search")
    page.keyboard.press("n")
    expect(page.get_by_text("The dates differ (1).")).to_be_visible()
    page.keyboard.press("e")
    expect(page.get_by_text("0 pairs waiting for your review")).to_be_visible()
