"""Bringing deleted claims, links and evidence back from their deletion records in the
history (django-simple-history), as the admin's "Deleted …" lists do: with the same ids,
public ids, contents and versions, once what they hang on exists again."""

from django.db import transaction
from django.db.models.signals import post_save

from claims.errors import ClaimError
from claims.extensions import restore_link_dependents
from claims.history import record_author
from claims.models import Claim, ClaimLink, Evidence, Review, Topic
from claims.reviewing import link_state_refresh, lock_links_of, refresh_waiting_for_evidence
from claims.services import claim_search_text
from corpus.models import Document

ERROR_NOT_DELETED = "This {thing} was not deleted, or has been restored already."
ERROR_DOCUMENT_GONE = "Its document has been deleted since, so the claim cannot come back."
ERROR_CLAIM_GONE = "One of its claims is deleted; restore that claim first."
ERROR_PAIR_TAKEN = "These two claims have been linked again since; edit that link instead."
ERROR_EVIDENCE_CLAIM_GONE = "The claim it was attached to is deleted; restore that claim first."
ERROR_EVIDENCE_LINK_GONE = "The link it was attached to is deleted; restore that link first."
ERROR_PASSAGE_DOCUMENT_GONE = (
    "The document its passage was quoted from has been deleted since, so it cannot come back."
)


def insert_as_recorded(obj, user) -> None:
    """Insert ``obj`` with every field as its history record has it (``save()`` would set
    ``created_at`` and ``updated_at`` to now), and record the insertion as made by ``user``.
    Also for the apps above ``claims`` that bring back what was deleted with a link
    (``claims.extensions.restore_link_dependents``)."""
    record_author(obj, user)
    obj.save_base(raw=True, force_insert=True)  # raw: no auto_now; the history skips it too
    post_save.send(
        sender=type(obj), instance=obj, created=True, raw=False, update_fields=None,
        using=obj._state.db,
    )  # fmt: skip


def claim_restore(*, record, user) -> Claim:
    """Bring back a deleted claim from its deletion record in the history, with the same
    id, anchor, statement, version and topics (those that still exist). Its links and
    evidence, deleted with it, have records of their own."""
    if Claim.objects.filter(pk=record.id).exists():
        raise ClaimError(ERROR_NOT_DELETED.format(thing="claim"))
    if not Document.objects.filter(pk=record.document_id).exists():
        raise ClaimError(ERROR_DOCUMENT_GONE)
    claim = record.instance
    # The deletion record is written after the topic rows are gone: take the topics from
    # the claim's last record before it.
    last = (
        Claim.history.filter(id=record.id, history_date__lte=record.history_date)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    topic_ids = [row.topic_id for row in last.topics.all()] if last else []
    # Derived, not recorded: the search text as the one rule computes it now.
    claim.search_text = claim_search_text(claim.statement, claim.quote)
    with transaction.atomic():
        insert_as_recorded(claim, user)
        claim.topics.set(Topic.objects.filter(pk__in=topic_ids))
    return claim


def link_restore(*, record, user) -> ClaimLink:
    """Bring back a deleted claim link, if both claims exist and are not linked again,
    with the reviews deleted with it (reviews are never deleted on their own), what the apps
    above ``claims`` kept on it and deleted with it (a pair's comments, not those deleted
    on their own before: ``claims.extensions.restore_link_dependents``), and its review
    state judged again; its evidence has records of its own."""
    if ClaimLink.objects.filter(pk=record.id).exists():
        raise ClaimError(ERROR_NOT_DELETED.format(thing="link"))
    if Claim.objects.filter(pk__in=[record.left_id, record.right_id]).count() != 2:
        raise ClaimError(ERROR_CLAIM_GONE)
    if ClaimLink.objects.filter(left_id=record.left_id, right_id=record.right_id).exists():
        raise ClaimError(ERROR_PAIR_TAKEN)
    link = record.instance
    with transaction.atomic():
        insert_as_recorded(link, user)
        for review in _reviews_deleted_with(record.id):
            insert_as_recorded(review.instance, user)
        restore_link_dependents(link, user)
        # The state follows from the reviews and the evidence as they are now (evidence on
        # its claims may have come or gone meanwhile), by the one rule of claims.reviewing.
        record_author(link, user)
        link_state_refresh(link)
    return link


def _reviews_deleted_with(link_id: int) -> list:
    """The last deletion record of each review of the link that does not exist now."""
    latest: dict[int, object] = {}
    records = Review.history.filter(link_id=link_id, history_type="-")
    for review in records.order_by("id", "-history_date", "-history_id"):
        latest.setdefault(review.id, review)
    live = set(Review.objects.filter(pk__in=latest).values_list("pk", flat=True))
    return [review for pk, review in latest.items() if pk not in live]


def evidence_restore(*, record, user) -> Evidence:
    """Bring back deleted evidence, with the same id, public id, content and version, if
    the claim or link it was attached to exists (and, for a passage, its document). A
    "needs evidence" verdict on the links it bears on is judged again, as when evidence
    is added."""
    if Evidence.objects.filter(pk=record.id).exists():
        raise ClaimError(ERROR_NOT_DELETED.format(thing="evidence"))
    claim = Claim.objects.filter(pk=record.claim_id).first() if record.claim_id else None
    link = ClaimLink.objects.filter(pk=record.link_id).first() if record.link_id else None
    if record.claim_id is not None and claim is None:
        raise ClaimError(ERROR_EVIDENCE_CLAIM_GONE)
    if record.link_id is not None and link is None:
        raise ClaimError(ERROR_EVIDENCE_LINK_GONE)
    if record.document_id is not None:
        if not Document.objects.filter(pk=record.document_id).exists():
            raise ClaimError(ERROR_PASSAGE_DOCUMENT_GONE)
    evidence = record.instance
    with transaction.atomic():
        link_ids = lock_links_of(claim=claim, link=link)
        insert_as_recorded(evidence, user)
        refresh_waiting_for_evidence(link_ids)
    return evidence
