"""Keeping the change history (django-simple-history) complete.

It records a row on every ``save()`` and ``delete()``; the services also change rows with
``update()`` (compare-and-set on the version, derived states), which sends no signal."""

from django.db import transaction
from django.db.models.signals import post_save

from claims.errors import ClaimError
from claims.models import Claim, ClaimLink, Topic
from corpus.models import Document


def record_change(obj, user=None) -> None:
    """Tell the history (django-simple-history) about a change made with ``update()``,
    which sends no ``post_save`` of its own; ``user`` is who made it."""
    if user is not None:
        obj._history_user = user
    post_save.send(
        sender=type(obj), instance=obj, created=False, raw=False, update_fields=None,
        using=obj._state.db,
    )  # fmt: skip


ERROR_NOT_DELETED = "This {thing} was not deleted, or has been restored already."
ERROR_DOCUMENT_GONE = "Its document has been deleted since, so the claim cannot come back."
ERROR_CLAIM_GONE = "One of its claims is deleted; restore that claim first."
ERROR_PAIR_TAKEN = "These two claims have been linked again since; edit that link instead."


def claim_restore(*, record, user) -> Claim:
    """Bring back a deleted claim from its deletion record in the history, with the same
    id, anchor, statement, version and topics (those that still exist). Its links and
    evidence, deleted with it, have records of their own."""
    if Claim.objects.filter(pk=record.id).exists():
        raise ClaimError(ERROR_NOT_DELETED.format(thing="claim"))
    if not Document.objects.filter(pk=record.document_id).exists():
        raise ClaimError(ERROR_DOCUMENT_GONE)
    claim = record.instance
    claim._history_user = user
    # The deletion record is written after the topic rows are gone: take the topics from
    # the claim's last record before it.
    last = (
        Claim.history.filter(id=record.id, history_date__lte=record.history_date)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    topic_ids = [row.topic_id for row in last.topics.all()] if last else []
    with transaction.atomic():
        claim.save(force_insert=True)
        claim.topics.set(Topic.objects.filter(pk__in=topic_ids))
    return claim


def link_restore(*, record, user) -> ClaimLink:
    """Bring back a deleted claim link, if both claims exist and are not linked again."""
    if ClaimLink.objects.filter(pk=record.id).exists():
        raise ClaimError(ERROR_NOT_DELETED.format(thing="link"))
    if Claim.objects.filter(pk__in=[record.left_id, record.right_id]).count() != 2:
        raise ClaimError(ERROR_CLAIM_GONE)
    if ClaimLink.objects.filter(left_id=record.left_id, right_id=record.right_id).exists():
        raise ClaimError(ERROR_PAIR_TAKEN)
    link = record.instance
    link._history_user = user
    link.save(force_insert=True)
    return link
