"""Feedback reaches people, in headless Chromium: a reviewer discusses a pair (escaped,
edited, mentioning someone) and rejects it; the proposer and the person mentioned find it
in their inboxes, counted in the navigation, and mark it read; an editor removes a comment;
the review queue counts comments."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from discussion.models import Comment, InboxItem
from tests.browser.conftest import sign_in
from tests.factories import make_claim, make_document, make_link, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/h10")


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=full_page)


def nav_inbox(page: Page):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox")


@pytest.fixture
def pair(db):
    pat = make_user("annotator", username="pat")
    left = make_claim(
        make_document("Pravda\n\nKirov was shot on 1 December 1934."),
        user=pat, quote="Kirov was shot on 1 December 1934", statement="Shot on 1 December",
    )  # fmt: skip
    right = make_claim(
        make_document("Memoir\n\nKirov died on 2 December."),
        user=pat, quote="Kirov died on 2 December", statement="Died on 2 December",
    )  # fmt: skip
    return make_link(left, right, user=pat, rationale="The dates differ.")


def test_a_discussion_reaches_the_proposer_and_the_person_mentioned(page, pair):
    make_user("reviewer", username="rita")
    make_user("reviewer", username="maya")
    make_user("editor", username="ed")

    # Rita discusses the pair, mentioning Maya, then rejects it.
    sign_in(page, "rita")
    page.goto(pair.get_absolute_url())
    thread = page.get_by_role("region", name="Discussion")
    expect(thread.get_by_text("No comments yet.")).to_be_visible()
    thread.get_by_role("textbox", name="Add a comment").fill(
        "<b>Dates</b> differ by a day — @maya, which is right?"
    )
    thread.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Comment posted.")).to_be_visible()
    comment = thread.get_by_role("article", name="rita")
    expect(comment).to_contain_text("<b>Dates</b> differ by a day — @maya, which is right?")
    comment.get_by_text("Edit comment").click()
    comment.get_by_role("textbox", name="Your comment").fill(
        "<b>Dates</b> differ by a day — @maya, which source is right?"
    )
    comment.get_by_role("button", name="Save comment").click()
    expect(page.get_by_text("Comment saved.")).to_be_visible()
    expect(comment).to_contain_text("which source is right?")
    expect(comment).to_contain_text("edited")
    shoot(page, "discussion-on-the-pair-page", full_page=True)
    page.keyboard.press("r")
    expect(page.get_by_text("Recorded: rejected.")).to_be_visible()

    # Pat, who proposed it, has two unread items: the comment and the rejection.
    sign_in(page, "pat")
    expect(nav_inbox(page)).to_have_accessible_name("Inbox 2 unread")
    nav_inbox(page).click()
    expect(page.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("2 unread items")
    rejected = page.get_by_role("article", name="Your pair was rejected")
    commented = page.get_by_role("article", name="rita commented on a pair you follow")
    expect(rejected).to_contain_text("Shot on 1 December")
    expect(commented).to_contain_text("<b>Dates</b> differ by a day")
    shoot(page, "inbox-of-the-proposer")
    rejected.get_by_role("button", name="Mark read").click()
    expect(nav_inbox(page)).to_have_accessible_name("Inbox 1 unread")
    expect(page.get_by_role("status")).to_have_text("1 unread item")
    page.get_by_role("button", name="Mark all read").click()
    expect(nav_inbox(page)).to_have_accessible_name("Inbox")
    expect(page.get_by_text("Nothing unread.")).to_be_visible()
    page.get_by_role("link", name="All", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("2 items")

    # Maya, mentioned, opens the comment from her inbox; her items are hers alone.
    sign_in(page, "maya")
    expect(nav_inbox(page)).to_have_accessible_name("Inbox 1 unread")
    nav_inbox(page).click()
    mention = page.get_by_role("article", name="rita mentioned you")
    mention.get_by_role("link", name="Open the pair").click()
    saved = Comment.objects.get()
    expect(page).to_have_url(f"{pair.get_absolute_url()}#comment-{saved.public_id}")
    expect(page.get_by_role("article", name="rita")).to_be_in_viewport()
    assert InboxItem.objects.filter(recipient__username="maya", read_at=None).count() == 1
    assert InboxItem.objects.filter(recipient__username="pat", read_at=None).count() == 0

    # The queue counts the comment; an editor may delete it, and it is gone from the page.
    sign_in(page, "ed")
    page.goto("/review/")
    row = page.get_by_role("row").filter(has_text="Shot on 1 December")
    expect(row.get_by_role("cell").nth(5)).to_have_text("1")
    shoot(page, "review-queue-comment-count")
    page.goto(pair.get_absolute_url())
    thread = page.get_by_role("region", name="Discussion")
    expect(thread.get_by_text("Edit comment")).to_have_count(0)  # not the editor's own
    thread.get_by_role("button", name="Delete comment").click()
    expect(page.get_by_text("Comment deleted.")).to_be_visible()
    expect(thread.get_by_text("No comments yet.")).to_be_visible()
    assert not Comment.objects.exists()
    assert Comment.history.filter(history_type="-").exists()
