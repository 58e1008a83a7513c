"""What deleting claim pairs takes from the discussion: their comments, which go by cascade,
and come back when an editor restores the pair. ``claims`` counts them in the confirmation a
delete asks for, and restores them with the pair, through the registry of
``claims.extensions`` (``COMMENTS``, registered in ``DiscussionConfig.ready``).

A comment deleted with its pair is told apart from one deleted on its own (by
``discussion.services.comment_delete``, or in the admin) by the reason of its deletion
record in the history: ``DELETED_WITH_PAIR``, set by ``comment_mark_deleted_with_pair``
while the delete runs. Only those come back with the pair."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet

from claims.extensions import LinkDependents
from claims.history import record_reason
from claims.models import ClaimLink
from claims.restores import insert_as_recorded, refuse_deleted_accounts
from crosscheck.permissions import Visitor
from discussion.models import Comment

# The reason (``history_change_reason``) of the deletion record of a comment that went
# because its pair was deleted (the pair itself, its claim, or the claim's document).
DELETED_WITH_PAIR = "deleted with its pair"
# Why a pair does not come back (``comments_restore``): a deleted account leaves only its
# number behind.
ERROR_COMMENTER_GONE = (
    "The account of someone who commented on it (user #{user_id}) has been deleted since, "
    "so its comments cannot all come back as they were; it stays deleted."
)


def comments_by_link(links: QuerySet[ClaimLink] | Iterable[ClaimLink]) -> dict[int, int]:
    """The number of comments on each of ``links`` that has any, by link id: one query."""
    counted = (
        Comment.objects.filter(link__in=links)
        .order_by()
        .values_list("link_id")
        .annotate(count=Count("pk"))
    )
    return dict(counted)


def comment_mark_deleted_with_pair(comment: Comment, origin: object) -> None:
    """Record the delete of ``comment`` as going with its pair, when what started the delete
    (``origin``: the model instance or QuerySet whose ``delete()`` ran, as Django's
    ``pre_delete`` gives it) is not a comment, so a cascade. A delete of comments themselves,
    or of unknown origin, stays a delete of their own, which a restore leaves alone."""
    if origin is None:
        return
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if not issubclass(model, Comment):
        record_reason(comment, DELETED_WITH_PAIR)


def comments_restore(link: ClaimLink, user: Visitor) -> int:
    """Bring back the comments deleted with ``link`` (which exists again), as their deletion
    records have them: same id, public id, text, author, dates and version. A comment whose
    last record is not a deletion with its pair (deleted on its own, or since restored) is
    left alone. The inbox items about them are not brought back: they told of news that is
    old now. Returns how many came back; three queries, then two writes for each (the row
    and its history record).

    All of them or none: when the account of one of their authors has been deleted since,
    raises ``ClaimError`` before writing any, and the restore of the link, in whose
    transaction this runs, is undone with it. Leaving that comment out would break the
    discussion where it was, and a comment cannot come back without its author."""
    with_pair = Comment.history.filter(
        link_id=link.pk, history_type="-", history_change_reason=DELETED_WITH_PAIR
    ).values("id")
    latest: dict[int, Any] = {}  # the history's records (untyped)
    records = Comment.history.filter(id__in=with_pair)
    for record in records.order_by("id", "-history_date", "-history_id"):
        latest.setdefault(record.id, record)
    live = set(Comment.objects.filter(pk__in=latest).values_list("pk", flat=True))
    returning = [
        record
        for pk, record in latest.items()
        if record.history_type == "-"
        and record.history_change_reason == DELETED_WITH_PAIR
        and pk not in live
    ]
    refuse_deleted_accounts([record.created_by_id for record in returning], ERROR_COMMENTER_GONE)
    for record in returning:
        insert_as_recorded(record.instance, user)
    return len(returning)


COMMENTS = LinkDependents(
    name="comments", noun="comment", count=comments_by_link, restore=comments_restore
)
