"""Each person's inbox: what reaches it (their pairs needing evidence, rejected or disputed;
new comments on pairs they proposed, reviewed or commented on; mentions), marking read
per person, the page and the unread count in the navigation, with fixed query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.reviewing import review_withdraw
from discussion.models import InboxItem, InboxKind
from discussion.services import comment_delete, comment_edit, inbox_mark_all_read
from tests.factories import (
    make_comment,
    make_evidence,
    make_link,
    make_review,
    make_user,
)

pytestmark = pytest.mark.django_db

INBOX = "/inbox/"


@pytest.fixture
def proposer(db):
    return make_user("annotator", username="pat")


@pytest.fixture
def link(proposer):
    return make_link(user=proposer)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inbox_of(user) -> list[tuple[str, str]]:
    """(kind, actor) of the user's items, oldest first."""
    items = InboxItem.objects.filter(recipient=user).order_by("pk")
    return [(item.kind, item.actor.username if item.actor else "") for item in items]


def unread(user) -> int:
    return InboxItem.objects.unread_for(user).count()


# --- What reaches whom ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdicts", "kind"),
    [
        (["needs_evidence"], InboxKind.NEEDS_EVIDENCE),
        (["rejected"], InboxKind.REJECTED),
        (["rejected", "confirmed"], InboxKind.DISPUTED),
    ],
)
def test_the_proposer_hears_when_their_pair_needs_evidence_is_rejected_or_disputed(
    link, proposer, verdicts, kind
):
    for verdict in verdicts:
        make_review(link, verdict)
    assert inbox_of(proposer)[-1][0] == kind
    assert unread(proposer) >= 1


def test_a_confirmed_pair_is_no_news(link, proposer):
    make_review(link, "confirmed")
    assert inbox_of(proposer) == []


def test_the_item_names_the_reviewer(link, proposer):
    reviewer = make_user("reviewer", username="rita")
    make_review(link, "rejected", user=reviewer)
    assert inbox_of(proposer) == [(InboxKind.REJECTED, "rita")]


def test_unread_news_of_a_state_the_pair_no_longer_has_is_replaced(link, proposer):
    make_review(link, "rejected")
    make_review(link, "confirmed")  # now disputed
    assert [kind for kind, _ in inbox_of(proposer)] == [InboxKind.DISPUTED]


def test_a_withdrawn_verdict_takes_back_its_unread_news(link, proposer):
    reviewer = make_user("reviewer")
    review = make_review(link, "rejected", user=reviewer)
    assert unread(proposer) == 1
    review_withdraw(review=review, user=reviewer)
    assert inbox_of(proposer) == []


def test_news_already_read_stays(link, proposer):
    reviewer = make_user("reviewer")
    review = make_review(link, "rejected", user=reviewer)
    inbox_mark_all_read(user=proposer)
    review_withdraw(review=review, user=reviewer)
    assert len(inbox_of(proposer)) == 1


def test_evidence_that_answers_needs_evidence_takes_the_news_back(link, proposer):
    make_review(link, "needs_evidence")
    assert unread(proposer) == 1
    make_evidence(link=link, user=proposer)
    assert unread(proposer) == 0


def test_a_comment_reaches_the_proposer_reviewers_and_earlier_commenters_not_its_author(link):
    reviewer = make_user("reviewer", username="rita")
    make_review(link, "confirmed", user=reviewer)
    earlier = make_user("annotator", username="earl")
    make_comment(link, "First.", user=earlier)
    outsider = make_user("annotator")
    author = make_user("editor", username="ed")

    make_comment(link, "Second.", user=author)

    assert inbox_of(link.created_by)[-1] == (InboxKind.COMMENT, "ed")
    assert inbox_of(reviewer)[-1] == (InboxKind.COMMENT, "ed")
    assert inbox_of(earlier) == [(InboxKind.COMMENT, "ed")]
    assert inbox_of(outsider) == [] and inbox_of(author) == []


def test_a_mention_reaches_anyone_once_as_a_mention(link, proposer):
    mentioned = make_user("reviewer", username="maya")
    make_user("reviewer", username="gone", is_active=False)
    author = make_user("annotator", username="al")
    make_comment(link, "@maya and @pat, see this. @maya again. @gone @nobody @al", user=author)
    assert inbox_of(mentioned) == [(InboxKind.MENTION, "al")]
    assert inbox_of(proposer) == [(InboxKind.MENTION, "al")]  # not also a "comment"
    assert inbox_of(author) == []
    assert InboxItem.objects.count() == 2


def test_an_edit_tells_only_those_newly_mentioned(link, proposer):
    author = make_user("annotator", username="al")
    first = make_user("reviewer", username="first")
    second = make_user("reviewer", username="second")
    comment = make_comment(link, "@first look", user=author)
    comment_edit(comment=comment, text="@first and @second and @pat", version=1, user=author)
    assert inbox_of(first) == [(InboxKind.MENTION, "al")]
    assert inbox_of(second) == [(InboxKind.MENTION, "al")]
    assert inbox_of(proposer) == [(InboxKind.COMMENT, "al")]


def test_a_deleted_comment_leaves_no_item(link, proposer):
    comment = make_comment(link, "Oops @pat")
    comment_delete(comment=comment, user=comment.created_by)
    assert inbox_of(proposer) == []


# --- Marking read ---------------------------------------------------------------------------------


def read_url(item) -> str:
    return reverse("discussion:inbox-read", args=[item.public_id])


def test_marking_one_item_read_is_for_that_person_only(link, proposer):
    reviewer = make_user("reviewer")
    make_review(link, "confirmed", user=reviewer)
    make_comment(link, "Both hear of this.")
    mine = InboxItem.objects.get(recipient=proposer)
    response = client_for(proposer).post(read_url(mine))
    assert response.status_code == 302 and response["Location"] == INBOX
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert unread(reviewer) == 1


def test_another_persons_item_is_not_found_and_stays_unread(link, proposer):
    make_comment(link, "For pat.")
    item = InboxItem.objects.get(recipient=proposer)
    for user in (make_user("editor"), make_user(None)):
        assert client_for(user).post(read_url(item)).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_marking_read_takes_only_post_and_a_signed_in_person(link, proposer):
    make_comment(link, "For pat.")
    item = InboxItem.objects.get(recipient=proposer)
    assert client_for(proposer).get(read_url(item)).status_code == 405
    assert client_for(proposer).get(reverse("discussion:inbox-read-all")).status_code == 405
    response = Client().post(read_url(item))
    assert response["Location"].startswith(reverse("login"))
    item.refresh_from_db()
    assert item.read_at is None


def test_mark_all_read_marks_only_what_the_page_showed(link, proposer):
    make_comment(link, "One.")
    make_comment(link, "Two.")
    shown = client_for(proposer).get(INBOX).context["newest"]
    make_comment(link, "Arrived after the page was shown.")
    response = client_for(proposer).post(reverse("discussion:inbox-read-all"), {"up_to": shown})
    assert response.status_code == 302
    assert unread(proposer) == 1
    assert InboxItem.objects.get(recipient=proposer, read_at=None).comment.text.startswith(
        "Arrived"
    )


def test_mark_all_read_leaves_other_peoples_items(link, proposer):
    reviewer = make_user("reviewer")
    make_review(link, "confirmed", user=reviewer)
    make_comment(link, "Both hear of this.")
    client_for(proposer).post(reverse("discussion:inbox-read-all"))
    assert (unread(proposer), unread(reviewer)) == (0, 1)


# --- The page and the navigation ------------------------------------------------------------------


def test_the_inbox_lists_unread_items_newest_first_and_all_on_request(link, proposer):
    make_review(link, "rejected", user=make_user("reviewer", username="rita"))
    make_comment(link, "Why <b>rejected</b>?", user=make_user("annotator", username="al"))
    client = client_for(proposer)
    html = client.get(INBOX).content.decode()
    assert html.index("al commented on a pair you follow") < html.index("Your pair was rejected")
    assert "Why &lt;b&gt;rejected&lt;/b&gt;?" in html
    assert "2 unread items" in html
    client.post(reverse("discussion:inbox-read-all"))
    assert "Nothing unread." in client.get(INBOX).content.decode()
    everything = client.get(INBOX, {"show": "all"}).content.decode()
    assert "2 items" in everything and "Your pair was rejected" in everything


def test_each_item_opens_its_pair_at_the_comment(link, proposer):
    comment = make_comment(link, "Here.")
    html = client_for(proposer).get(INBOX).content.decode()
    assert f'href="{link.get_absolute_url()}#comment-{comment.public_id}"' in html


def test_the_navigation_shows_the_unread_count(link, proposer):
    client = client_for(proposer)
    nav = client.get(reverse("claims:list")).content.decode()
    assert '<a href="/inbox/">Inbox</a>' in nav
    make_comment(link, "One.")
    make_comment(link, "Two.")
    nav = client.get(reverse("claims:list")).content.decode()
    assert 'Inbox <span class="badge">2<span class="visually-hidden"> unread</span></span>' in nav


def test_the_navigation_caps_the_count(link, proposer):
    InboxItem.objects.bulk_create(
        [InboxItem(recipient=proposer, kind=InboxKind.REJECTED, link=link) for _ in range(120)]
    )
    nav = client_for(proposer).get(reverse("claims:list")).content.decode()
    assert '<span class="badge">99+<span' in nav


def fill_inbox(user, link, count: int) -> None:
    """``count`` items of every kind for ``user``, by different people, some read."""
    for number in range(count):
        other = make_user("annotator")
        comment = make_comment(link, f"Comment {number} for @{user.username}", user=other)
        InboxItem.objects.create(recipient=user, kind=InboxKind.COMMENT, link=link,
                                 comment=comment, actor=other)  # fmt: skip
        InboxItem.objects.create(recipient=user, kind=InboxKind.DISPUTED, link=link, actor=other)
    InboxItem.objects.filter(recipient=user, pk__in=InboxItem.objects.values("pk")[:count]).update(
        read_at="2026-01-01T00:00:00Z"
    )


@pytest.mark.parametrize("query", [{}, {"show": "all"}], ids=["unread", "all"])
def test_the_inbox_page_runs_the_same_queries_whatever_its_size(
    link, proposer, query, django_assert_num_queries
):
    client = client_for(proposer)
    fill_inbox(proposer, link, 2)
    client.get(INBOX, query)  # warm up: the session and content types
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX, query)
    fill_inbox(proposer, make_link(), 30)
    with django_assert_num_queries(len(few)):
        response = client.get(INBOX, query)
    assert len(response.context["page"].object_list) > 30


def test_the_unread_count_costs_one_query_per_page(link, proposer, django_assert_num_queries):
    client = client_for(proposer)
    url = reverse("corpus:sources")
    client.get(url)
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    fill_inbox(proposer, link, 30)
    with django_assert_num_queries(len(empty)) as counted:
        client.get(url)
    unread_counts = [
        q["sql"] for q in counted.captured_queries if "discussion_inboxitem" in q["sql"]
    ]
    assert len(unread_counts) == 1


def test_marking_read_needs_the_csrf_token(link, proposer):
    make_comment(link, "For pat.")
    item = InboxItem.objects.get(recipient=proposer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(proposer)
    assert client.post(read_url(item)).status_code == 403
    assert client.post(reverse("discussion:inbox-read-all")).status_code == 403
    assert unread(proposer) == 1
