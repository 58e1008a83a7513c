"""Bringing deleted claims, links and evidence back from their deletion records in the
history (django-simple-history), as the admin's "Deleted …" lists do: with the same ids,
public ids, contents and versions, once what they hang on exists again.

A restore brings back everything as it was or nothing: what it would have to bring back
otherwise (without an author whose account has been deleted since, on a revision that is
gone) is refused with a ``ClaimError`` before anything is written, and a restore that loses
a race with another write (an editor restoring the same link at the same moment) ends in
the same refusal, not in a database error."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
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
ERROR_REVISION_GONE = (
    "The corrected text of its document that it was waiting to be carried to has been "
    "deleted since, so the claim cannot come back as it was."
)
ERROR_SPAN_TAKEN = (
    "Its author has marked the same passage as a claim again since; edit that claim instead."
)
ERROR_CLAIM_GONE = "One of its claims is deleted; restore that claim first."
ERROR_PAIR_TAKEN = "These two claims have been linked again since; edit that link instead."
ERROR_EVIDENCE_CLAIM_GONE = "The claim it was attached to is deleted; restore that claim first."
ERROR_EVIDENCE_LINK_GONE = "The link it was attached to is deleted; restore that link first."
ERROR_PASSAGE_DOCUMENT_GONE = (
    "The document its passage was quoted from has been deleted since, so it cannot come back."
)
# A deleted account leaves only its number behind (its name went with it).
ERROR_AUTHOR_GONE = (
    "The account of the person who made it (user #{user_id}) has been deleted since, so it "
    "cannot come back as it was."
)
ERROR_REVIEWER_GONE = (
    "The account of one of its reviewers (user #{user_id}) has been deleted since, so its "
    "reviews cannot all come back as they were; it stays deleted."
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


def refuse_deleted_accounts(user_ids, error: str) -> None:
    """Raise ``ClaimError(error)`` naming the lowest of ``user_ids`` whose account does not
    exist any more. The history keeps a deleted author's number, not the account, and the
    database refuses a row that points to no account (the ``PROTECT`` that keeps an author's
    account only holds while the row exists). Users are never deleted in the admin
    (``crosscheck.users_admin``), but can be from the shell. One query. Also for the apps
    above ``claims`` (``discussion.deletion.comments_restore``)."""
    wanted = {pk for pk in user_ids if pk is not None}
    found = set(get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise ClaimError(error.format(user_id=min(wanted - found)))


def _restored(write, refusal) -> None:
    """Run ``write`` in a transaction; when the database refuses it (another write came
    first: the same restore at the same moment, the same span or pair taken again), raise
    the refusal ``refusal()`` gives now instead, or the database error if it gives none."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        try:
            refusal()
        except ClaimError as error:
            raise error from None
        raise


def claim_restore(*, record, user) -> Claim:
    """Bring back a deleted claim from its deletion record in the history, with the same
    id, anchor, statement, author, version and topics (those that still exist). Its links
    and evidence, deleted with it, have records of their own."""
    _claim_refusal(record)
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

    def write() -> None:
        insert_as_recorded(claim, user)
        claim.topics.set(Topic.objects.filter(pk__in=topic_ids))

    _restored(write, lambda: _claim_refusal(record))
    return claim


def _claim_refusal(record) -> None:
    """Raise the ``ClaimError`` that says why the claim of ``record`` cannot come back as it
    was, if it cannot. Four queries at most."""
    if Claim.objects.filter(pk=record.id).exists():
        raise ClaimError(ERROR_NOT_DELETED.format(thing="claim"))
    documents = {record.document_id, record.anchor_target_id} - {None}
    present = set(Document.objects.filter(pk__in=documents).values_list("pk", flat=True))
    if record.document_id not in present:
        raise ClaimError(ERROR_DOCUMENT_GONE)
    if record.anchor_target_id is not None and record.anchor_target_id not in present:
        raise ClaimError(ERROR_REVISION_GONE)
    refuse_deleted_accounts([record.created_by_id], ERROR_AUTHOR_GONE)
    same_span = Claim.objects.filter(
        document_id=record.document_id, start=record.start, end=record.end,
        created_by_id=record.created_by_id,
    )  # fmt: skip
    if same_span.exists():  # claim_span_once_per_annotator
        raise ClaimError(ERROR_SPAN_TAKEN)


@dataclass(frozen=True)
class RestoredLink:
    """A restored link, and how many of what came back with it, by the names a delete's
    confirmation counts them by (``claims.services.describe_dependents``): its reviewers'
    verdicts (``"reviews"``, the current ones, as the confirmation counted them; the
    verdicts they replaced come back too) and what the apps above ``claims`` registered
    (``"comments"``)."""

    link: ClaimLink
    dependents: dict[str, int]


def link_restore(*, record, user) -> ClaimLink:
    """``link_restore_with_dependents`` for the callers that want the link only."""
    return link_restore_with_dependents(record=record, user=user).link


def link_restore_with_dependents(*, record, user) -> RestoredLink:
    """Bring back a deleted claim link, if both claims exist and are not linked again,
    with the reviews deleted with it (reviews are never deleted on their own), what the apps
    above ``claims`` kept on it and deleted with it (a pair's comments, not those deleted
    on their own before: ``claims.extensions.restore_link_dependents``), and its review
    state judged again; its evidence has records of their own. All in one transaction.

    All of it or nothing: when the account of its author, of one of its reviewers or of
    one of the authors of its comments has been deleted since, the restore is refused.
    Bringing the link back without that review would silently change its review state
    (a rejection gone, the link shows confirmed), and without that comment would break its
    discussion where it was; the records stay in the history. Reviewers are checked here,
    before anything is written; comment authors by the discussion's restore, whose refusal
    undoes the whole transaction."""
    _link_refusal(record)
    reviews = _reviews_deleted_with(record.id)
    refuse_deleted_accounts([review.reviewer_id for review in reviews], ERROR_REVIEWER_GONE)
    link = record.instance
    dependents: dict[str, int] = {}

    def write() -> None:
        insert_as_recorded(link, user)
        for review in reviews:
            insert_as_recorded(review.instance, user)
        dependents["reviews"] = sum(1 for review in reviews if review.is_current)
        dependents.update(restore_link_dependents(link, user))
        # The state follows from the reviews and the evidence as they are now (evidence on
        # its claims may have come or gone meanwhile), by the one rule of claims.reviewing.
        record_author(link, user)
        link_state_refresh(link)

    _restored(write, lambda: _link_refusal(record))
    return RestoredLink(link=link, dependents=dependents)


def _link_refusal(record) -> None:
    """Raise the ``ClaimError`` that says why the link of ``record`` cannot come back, if it
    cannot (its reviews and comments aside). Four queries at most."""
    if ClaimLink.objects.filter(pk=record.id).exists():
        raise ClaimError(ERROR_NOT_DELETED.format(thing="link"))
    if Claim.objects.filter(pk__in=[record.left_id, record.right_id]).count() != 2:
        raise ClaimError(ERROR_CLAIM_GONE)
    if ClaimLink.objects.filter(left_id=record.left_id, right_id=record.right_id).exists():
        raise ClaimError(ERROR_PAIR_TAKEN)
    refuse_deleted_accounts([record.created_by_id], ERROR_AUTHOR_GONE)


def _reviews_deleted_with(link_id: int) -> list:
    """The last deletion record of each review of the link that does not exist now."""
    latest: dict[int, object] = {}
    records = Review.history.filter(link_id=link_id, history_type="-")
    for review in records.order_by("id", "-history_date", "-history_id"):
        latest.setdefault(review.id, review)
    live = set(Review.objects.filter(pk__in=latest).values_list("pk", flat=True))
    return [review for pk, review in latest.items() if pk not in live]


def evidence_restore(*, record, user) -> Evidence:
    """Bring back deleted evidence, with the same id, public id, content, author and
    version, if the claim or link it was attached to exists (and, for a passage, its
    document). A "needs evidence" verdict on the links it bears on is judged again, as when
    evidence is added."""
    claim, link = _evidence_refusal(record)
    evidence = record.instance

    def write() -> None:
        link_ids = lock_links_of(claim=claim, link=link)
        insert_as_recorded(evidence, user)
        refresh_waiting_for_evidence(link_ids)

    _restored(write, lambda: _evidence_refusal(record))
    return evidence


def _evidence_refusal(record) -> tuple[Claim | None, ClaimLink | None]:
    """The claim or link the evidence of ``record`` goes back onto; raises the
    ``ClaimError`` that says why it cannot come back, if it cannot. Four queries at most."""
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
    refuse_deleted_accounts([record.created_by_id], ERROR_AUTHOR_GONE)
    return claim, link
