"""Reviewing claim pairs in a real browser, by keyboard only."""

import pytest
from playwright.sync_api import expect

from claims.models import ClaimLink, Review
from claims.services import link_create
from tests.browser.conftest import sign_in
from tests.factories import make_claim, make_document, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def make_pairs(count: int, author) -> list[ClaimLink]:
    links = []
    for number in range(count):
        sides = []
        for name, shot in (("A", number), ("B", number + 2)):
            document = make_document(f"Source {name} says {shot} were shot.")
            quote = f"{shot} were shot"
            sides.append(
                make_claim(document, user=author, quote=quote, statement=f"{name}: {shot}")
            )
        link = link_create(
            claim=sides[0],
            other=sides[1],
            relation="contradicts",
            rationale=f"Counts differ ({number})",
            user=author,
        )
        links.append(link)
    return links


def test_a_reviewer_works_through_three_pairs_with_the_keyboard_only(page):
    author = make_user("annotator", username="ann")
    first, second, third = make_pairs(3, author)
    make_user("reviewer", username="reviewer")
    sign_in(page, "reviewer")

    page.goto("/review/")
    expect(page.get_by_text("3 pairs waiting for your review")).to_be_visible()
    page.keyboard.press("n")  # start with the oldest pair
    expect(page.get_by_text("Counts differ (0)")).to_be_visible()
    page.keyboard.press("c")
    expect(page.get_by_text("Recorded: confirmed.")).to_be_visible()
    expect(page.get_by_text("Counts differ (1)")).to_be_visible()
    page.keyboard.press("r")
    expect(page.get_by_text("Counts differ (2)")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("e")
    expect(page.get_by_text("0 pairs waiting for your review")).to_be_visible()

    states = {link.pk: link.review_state for link in ClaimLink.objects.all()}
    assert states == {first.pk: "confirmed", second.pk: "rejected", third.pk: "needs_evidence"}
    assert Review.objects.filter(reviewer__username="reviewer", is_current=True).count() == 3

    page.get_by_role("link", name="See the dashboard").click()
    table = page.get_by_role("table").first
    expect(table.get_by_role("row", name="Confirmed")).to_contain_text("1")
    expect(table.get_by_role("row", name="Rejected")).to_contain_text("1")
    expect(table.get_by_role("row", name="Needs evidence")).to_contain_text("1")
    reviewer_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="reviewer", exact=True)
    )
    expect(reviewer_row.get_by_role("cell")).to_have_text(["1", "1", "1", "3"])


def test_the_author_and_an_annotator_see_no_verdict_buttons(page):
    author = make_user("annotator", username="ann")
    (link,) = make_pairs(1, author)
    sign_in(page, "ann")
    page.goto(link.get_absolute_url())
    expect(page.get_by_text("You proposed this link")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm (c)")).to_have_count(0)
    page.keyboard.press("c")
    assert not Review.objects.exists()
