"""Restoring a deleted claim pair brings back the comments deleted with it (the discussion
registers how in ``claims.extensions``), and only those: a comment deleted on its own
before the pair stays deleted. The inbox items about them do not come back. A pair one of
whose commenters' accounts has been deleted since does not come back at all."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims.errors import ClaimError
from claims.models import Claim, ClaimLink, Review
from claims.restores import ERROR_NOT_DELETED, claim_restore, link_restore
from claims.services import claim_delete, link_delete
from discussion.deletion import DELETED_WITH_PAIR, ERROR_COMMENTER_GONE
from discussion.models import Comment, InboxItem
from discussion.services import comment_delete, comment_edit
from tests.factories import make_comment, make_link, make_review, make_user

pytestmark = pytest.mark.django_db


def deletion_record(model, pk):
    return model.history.get(id=pk, history_type="-")


def as_kept(comments) -> list[tuple]:
    """What a comment is, to compare before its deletion and after its restore."""
    return sorted(
        (c.pk, c.public_id, c.link_id, c.text, c.created_by_id, c.created_at, c.updated_at,
         c.version)
        for c in comments
    )  # fmt: skip


@pytest.fixture
def author(db):
    return make_user("annotator")


@pytest.fixture
def link(author):
    return make_link(user=author)


@pytest.fixture
def thread(link, author) -> list[Comment]:
    """Two comments on the pair by two people, the second edited once (version 2)."""
    commenter = make_user("reviewer")
    first = make_comment(link, "The dates disagree.", user=author)
    second = make_comment(link, "Which exile is meant?", user=commenter)
    second = comment_edit(
        comment=second, text="Which exile: Alma Ata or abroad?", version=1, user=commenter
    )
    return [first, second]


def test_restoring_a_pair_brings_back_the_comments_deleted_with_it(link, author, thread):
    before = as_kept(Comment.objects.filter(link=link))
    link_delete(link=link, version=link.version, user=author, confirm=True)
    assert not Comment.objects.filter(link_id=link.pk).exists()

    editor = make_user("editor")
    link_restore(record=deletion_record(ClaimLink, link.pk), user=editor)

    assert as_kept(Comment.objects.filter(link_id=link.pk)) == before
    assert {c.version for c in Comment.objects.filter(link_id=link.pk)} == {1, 2}
    # The history says who brought them back.
    insertion = Comment.history.filter(id=thread[0].pk).latest("history_date", "history_id")
    assert (insertion.history_type, insertion.history_user) == ("+", editor)


def test_a_pairs_delete_records_its_comments_as_deleted_with_it(link, author, thread):
    comment_delete(comment=thread[0], user=author)
    link_delete(link=link, version=link.version, user=author, confirm=True)
    reasons = dict(
        Comment.history.filter(history_type="-").values_list("id", "history_change_reason")
    )
    assert reasons == {thread[0].pk: None, thread[1].pk: DELETED_WITH_PAIR}


def test_a_comment_deleted_on_its_own_before_the_pair_stays_deleted(link, author, thread):
    own, kept = thread
    comment_delete(comment=own, user=author)
    link_delete(link=link, version=link.version, user=author, confirm=True)

    link_restore(record=deletion_record(ClaimLink, link.pk), user=make_user("editor"))

    assert list(Comment.objects.filter(link_id=link.pk).values_list("pk", flat=True)) == [kept.pk]


def test_restoring_a_pair_deleted_with_its_claim_brings_back_its_comments(link, author, thread):
    before = as_kept(Comment.objects.filter(link=link))
    claim, editor = link.left, make_user("editor")
    claim_delete(claim=claim, version=claim.version, user=editor, confirm=True)
    assert not ClaimLink.objects.filter(pk=link.pk).exists()
    assert not Comment.objects.filter(link_id=link.pk).exists()

    claim_restore(record=deletion_record(Claim, claim.pk), user=editor)
    link_restore(record=deletion_record(ClaimLink, link.pk), user=editor)

    assert as_kept(Comment.objects.filter(link_id=link.pk)) == before


def test_restoring_a_pair_twice_is_refused_and_brings_nothing_back_twice(link, author, thread):
    link_delete(link=link, version=link.version, user=author, confirm=True)
    record = deletion_record(ClaimLink, link.pk)
    link_restore(record=record, user=author)

    with pytest.raises(ClaimError) as caught:
        link_restore(record=record, user=author)
    assert str(caught.value) == ERROR_NOT_DELETED.format(thing="link")
    assert Comment.objects.filter(link_id=link.pk).count() == 2


def test_a_comment_deleted_on_its_own_after_a_restore_stays_deleted_at_the_next(
    link, author, thread
):
    """Deleted with the pair once, then on its own: its last deletion is its own."""
    link_delete(link=link, version=link.version, user=author, confirm=True)
    link_restore(record=deletion_record(ClaimLink, link.pk), user=author)
    comment_delete(comment=Comment.objects.get(pk=thread[0].pk), user=author)
    restored = ClaimLink.objects.get(pk=link.pk)
    link_delete(link=restored, version=restored.version, user=author, confirm=True)

    latest = ClaimLink.history.filter(id=link.pk, history_type="-").latest(
        "history_date", "history_id"
    )
    link_restore(record=latest, user=author)
    assert list(Comment.objects.filter(link_id=link.pk).values_list("pk", flat=True)) == [
        thread[1].pk
    ]


def test_the_inbox_items_about_restored_comments_do_not_come_back(link, author, thread):
    assert InboxItem.objects.filter(comment__in=thread).exists()  # the reviewer was told
    link_delete(link=link, version=link.version, user=author, confirm=True)
    link_restore(record=deletion_record(ClaimLink, link.pk), user=author)
    assert not InboxItem.objects.filter(comment__in=[c.pk for c in thread]).exists()


def test_an_editor_restoring_a_pair_in_the_admin_gets_its_comments_back(
    editor_client, link, author, thread
):
    link_delete(link=link, version=link.version, user=author, confirm=True)
    record = deletion_record(ClaimLink, link.pk)
    response = editor_client.post(
        reverse("admin:claims_historicalclaimlink_changelist"),
        {"action": "restore_selected", "_selected_action": [record.pk]},
    )
    assert response.status_code == 302
    assert Comment.objects.filter(link_id=link.pk).count() == 2


def test_the_admin_says_what_came_back_with_the_pairs(editor_client, link, author, thread):
    make_review(link, "confirmed")
    make_review(link, "rejected")
    other = make_link(user=author)
    make_comment(other, "Another thread.", user=author)
    records = []
    for pair in (link, other):
        pair.refresh_from_db()
        link_delete(link=pair, version=pair.version, user=author, confirm=True)
        records.append(deletion_record(ClaimLink, pair.pk).pk)

    response = editor_client.post(
        reverse("admin:claims_historicalclaimlink_changelist"),
        {"action": "restore_selected", "_selected_action": records},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Restored 2 claim links, with 2 reviews and 3 comments."]


def test_a_pair_whose_commenters_account_was_deleted_does_not_come_back(link, author, thread):
    """Without that comment the discussion would be broken where it was, and a comment
    cannot come back without its author: the pair, its reviews and its other comments stay
    deleted, and the history records nothing."""
    review = make_review(link, "confirmed")
    commenter = thread[1].created_by
    link_delete(link=link, version=link.version, user=author, confirm=True)
    # As only the shell can (the admin has no delete); nothing live of theirs protects it.
    get_user_model().objects.filter(pk=commenter.pk).delete()
    written = (ClaimLink.history.count(), Review.history.count(), Comment.history.count())

    with pytest.raises(ClaimError) as caught:
        link_restore(record=deletion_record(ClaimLink, link.pk), user=make_user("editor"))

    assert str(caught.value) == ERROR_COMMENTER_GONE.format(user_id=commenter.pk)
    assert not ClaimLink.objects.filter(pk=link.pk).exists()
    assert not Review.objects.filter(pk=review.pk).exists()
    assert not Comment.objects.filter(link_id=link.pk).exists()
    assert (ClaimLink.history.count(), Review.history.count(), Comment.history.count()) == written
