"""Writes to the discussion: comments on claim pairs, and the inbox items that tell people
about comments, mentions and their pairs' review states. These functions are the only
writers; each checks the user's role and ownership (``crosscheck.permissions``).

Inbox items are written as the change happens, one per recipient (fan-out on write), so a
page counts someone's unread items with one index lookup. Comments write theirs here;
verdicts, evidence and imports change a pair's state in ``claims``, which tells this app
through ``claims.signals.link_state_changed`` (``discussion.receivers``)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from claims.history import record_author
from claims.models import ClaimLink, Review, ReviewState
from corpus.text import TextError, check_storable
from crosscheck.errors import ServiceError
from crosscheck.permissions import (
    Visitor,
    can_comment,
    can_delete_comment,
    can_edit_comment,
)
from discussion.mentions import mentioned_usernames
from discussion.models import COMMENT_MAX_LENGTH, Comment, InboxItem, InboxKind

ERROR_NOT_COMMENTER = "Only annotators, reviewers and editors can comment on claim pairs."
ERROR_NOT_COMMENT_AUTHOR = "Only the author of a comment can edit it."
ERROR_CANNOT_DELETE = "Only the author of a comment, or an editor, can delete it."
ERROR_TEXT_MISSING = "Write the comment before posting it."
ERROR_TEXT_TOO_LONG = f"The comment is too long: at most {COMMENT_MAX_LENGTH} characters."
ERROR_VERSION = "The comment's version is missing or not a whole number."
ERROR_CONFLICT = (
    "This comment was changed after you opened it (it is now at version {current}, you "
    "edited version {sent}). Nothing was saved: reload to see the change, then edit again."
)
ERROR_COMMENT_GONE = "This comment no longer exists; someone deleted it."

# The review states that put an item in the proposer's inbox.
STATE_KINDS = {
    ReviewState.NEEDS_EVIDENCE: InboxKind.NEEDS_EVIDENCE,
    ReviewState.REJECTED: InboxKind.REJECTED,
    ReviewState.DISPUTED: InboxKind.DISPUTED,
}


class DiscussionError(ServiceError):
    """A refused write of the discussion; ``status`` says which kind (403 not allowed, 404
    gone, 409 changed meanwhile, 400 bad input)."""


def clean_text(text: object) -> str:
    """A comment's text, trimmed, or ``DiscussionError``."""
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise DiscussionError(ERROR_TEXT_MISSING, "text")
    if len(text) > COMMENT_MAX_LENGTH:
        raise DiscussionError(ERROR_TEXT_TOO_LONG, "text")
    try:
        return check_storable(text)
    except TextError as error:
        raise DiscussionError(str(error), "text") from None


def _parse_version(version: object) -> int:
    try:
        return int(str(version))
    except ValueError:
        raise DiscussionError(ERROR_VERSION, "version") from None


# --- Comments --------------------------------------------------------------------------


@transaction.atomic
def comment_post(*, link: ClaimLink, text: object, user: Visitor) -> Comment:
    """Add the user's comment to the pair's discussion, and tell those who follow the pair
    (its proposer, its reviewers, who commented on it) and those it mentions."""
    if not can_comment(user):
        raise DiscussionError(ERROR_NOT_COMMENTER, status=403)
    comment = Comment(link=link, text=clean_text(text), created_by=user)
    record_author(comment, user)
    comment.save()
    mentioned = _mentioned_ids(comment.text) - {user.pk}
    followers = _followers(link) - mentioned - {user.pk}
    InboxItem.objects.bulk_create(
        [_item(comment, InboxKind.MENTION, recipient) for recipient in sorted(mentioned)]
        + [_item(comment, InboxKind.COMMENT, recipient) for recipient in sorted(followers)]
    )
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, text: object, version: object, user: Visitor) -> Comment:
    """Change the text of the user's own comment, unless it changed since they opened it
    (``DiscussionError``, 409). People it newly mentions are told; nobody is told twice.
    The row is locked (SELECT FOR UPDATE) from the version check to the save."""
    if not can_edit_comment(user, comment):
        raise DiscussionError(ERROR_NOT_COMMENT_AUTHOR, status=403)
    sent = _parse_version(version)
    text = clean_text(text)
    comment = _locked(comment, sent)
    comment.text, comment.version = text, comment.version + 1
    record_author(comment, user)
    comment.save()
    told = set(comment.inbox_items.values_list("recipient_id", flat=True))
    newly = _mentioned_ids(text) - told - {user.pk}
    InboxItem.objects.bulk_create(
        [_item(comment, InboxKind.MENTION, recipient) for recipient in sorted(newly)]
    )
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: Visitor) -> None:
    """Delete a comment (its author, or an editor); the history keeps it, and the inbox
    items about it go with it."""
    if not can_delete_comment(user, comment):
        raise DiscussionError(ERROR_CANNOT_DELETE, status=403)
    locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
    if locked is None:
        raise DiscussionError(ERROR_COMMENT_GONE, status=404)
    record_author(locked, user)
    locked.delete()


def _locked(comment: Comment, sent: int) -> Comment:
    """The comment's row, locked (call inside a transaction), if still at version ``sent``."""
    locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
    if locked is None:
        raise DiscussionError(ERROR_COMMENT_GONE, status=404)
    if locked.version != sent:
        raise DiscussionError(ERROR_CONFLICT.format(current=locked.version, sent=sent), status=409)
    return locked


def _mentioned_ids(text: str) -> set[int]:
    """The active users whose usernames ``text`` mentions."""
    names = mentioned_usernames(text)
    if not names:
        return set()
    users = get_user_model().objects.filter(username__in=names, is_active=True)
    return set(users.values_list("pk", flat=True))


def _followers(link: ClaimLink) -> set[int]:
    """Who follows a pair's discussion: its proposer, its reviewers (current verdict or
    not) and who commented on it."""
    reviewers = Review.objects.filter(link=link).values_list("reviewer_id", flat=True)
    commenters = Comment.objects.filter(link=link).values_list("created_by_id", flat=True)
    return {link.created_by_id, *reviewers, *commenters}


def _item(comment: Comment, kind: str, recipient: int) -> InboxItem:
    return InboxItem(
        recipient_id=recipient, kind=kind, link_id=comment.link_id, comment=comment,
        actor_id=comment.created_by_id,
    )  # fmt: skip


# --- The inbox -------------------------------------------------------------------------


def inbox_notify_state(*, link: ClaimLink, actor_id: int | None) -> None:
    """The pair's review state changed (see ``claims.signals``): unread items about a
    state it no longer has go (a withdrawn rejection is no news), and when it now needs
    evidence, is rejected or disputed, its proposer is told, once while unread."""
    unread = InboxItem.objects.filter(
        link=link, recipient=link.created_by_id, read_at__isnull=True,
        kind__in=STATE_KINDS.values(),
    )  # fmt: skip
    kind = STATE_KINDS.get(ReviewState(link.review_state))
    unread.exclude(kind=kind).delete()
    if kind is None or actor_id == link.created_by_id or unread.exists():
        return
    InboxItem.objects.create(
        recipient_id=link.created_by_id, kind=kind, link=link, actor_id=actor_id
    )


def inbox_items(user: Visitor, *, unread_only: bool) -> QuerySet[InboxItem]:
    """The user's inbox, newest first."""
    items = InboxItem.objects.filter(recipient=user.pk).order_by("-created_at", "-pk")
    return items.filter(read_at__isnull=True) if unread_only else items


def inbox_mark_read(*, user: Visitor, public_id) -> bool:
    """Mark one of the user's items read; False if they have no such item."""
    items = InboxItem.objects.filter(recipient=user.pk, public_id=public_id)
    if not items.exists():
        return False
    items.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def inbox_mark_all_read(*, user: Visitor, up_to: object = None) -> int:
    """Mark the user's unread items read: all, or (``up_to``, the newest id the page
    showed) only those they could have seen. Returns how many."""
    unread = InboxItem.objects.unread_for(user)
    try:
        unread = unread.filter(pk__lte=int(str(up_to))) if up_to not in (None, "") else unread
    except ValueError:
        pass
    return unread.update(read_at=timezone.now())
