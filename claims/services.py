"""Writes to claims. These functions are the only way claims are created, edited or
deleted; each checks the user's role and ownership, the input, and edit conflicts."""

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from claims.anchoring import AnchorError, anchor
from claims.models import STATEMENT_MAX_LENGTH, TOPIC_MAX_LENGTH, Claim, Topic, topic_key
from corpus.models import Document
from corpus.text import TextError, check_storable

MAX_TOPICS = 10

ERROR_NOT_ANNOTATOR = "Only annotators and editors can create claims."
ERROR_NOT_OWNER = "Only the annotator who made this claim, or an editor, can change it."
ERROR_STATEMENT_MISSING = "Write a statement: one neutral line saying what the passage claims."
ERROR_STATEMENT_TOO_LONG = f"The statement is too long: at most {STATEMENT_MAX_LENGTH} characters."
ERROR_TOPICS_NOT_LIST = "Topics must be a list of names."
ERROR_TOO_MANY_TOPICS = f"A claim can have at most {MAX_TOPICS} topics."
ERROR_TOPIC_TOO_LONG = f"A topic name can be at most {TOPIC_MAX_LENGTH} characters: “{{name}}”."
ERROR_DUPLICATE_SPAN = (
    "You already have a claim on exactly this passage. Open it to edit its statement instead."
)
ERROR_CONFLICT = (
    "Someone else changed this claim after you opened it (it is now at version {current}, "
    "you edited version {sent}). Nothing was saved: reload to see their change, then edit again."
)
ERROR_VERSION = "The claim's version is missing or not a whole number."
ERROR_GONE = "This claim no longer exists; someone deleted it."


class ClaimError(ValueError):
    """A refused write. ``status`` is the HTTP status an endpoint answers with, ``field``
    the input it concerns (None for the request as a whole)."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ClaimPermissionDenied(ClaimError):
    status = 403


class ClaimConflict(ClaimError):
    status = 409


class ClaimGone(ClaimError):
    status = 404


def can_annotate(user: AbstractBaseUser) -> bool:
    return user.is_active and user.has_perm("claims.add_claim")


def editable_by(user: AbstractBaseUser) -> Callable[[int], bool]:
    """Which claims the user may change, asked by their author's id: editors change any
    claim, annotators their own. One permission check serves a whole page of claims."""
    if user.is_active and user.has_perm("claims.change_claim"):
        return lambda author_id: True
    if can_annotate(user):
        return lambda author_id: author_id == user.pk
    return lambda author_id: False


def can_change_claim(user: AbstractBaseUser, claim: Claim) -> bool:
    return editable_by(user)(claim.created_by_id)


def _storable(value: str, field: str) -> str:
    try:
        return check_storable(value)
    except TextError as error:
        raise ClaimError(str(error), field) from None


def _clean_statement(statement: object) -> str:
    if not isinstance(statement, str) or not statement.strip():
        raise ClaimError(ERROR_STATEMENT_MISSING, "statement")
    statement = _storable(statement.strip(), "statement")
    if len(statement) > STATEMENT_MAX_LENGTH:
        raise ClaimError(ERROR_STATEMENT_TOO_LONG, "statement")
    return statement


def _clean_topic_names(topics: object) -> list[str]:
    """Topic names stripped, blank ones dropped, repeats (ignoring case) removed."""
    if topics is None:
        return []
    if not isinstance(topics, list) or not all(isinstance(name, str) for name in topics):
        raise ClaimError(ERROR_TOPICS_NOT_LIST, "topics")
    names: dict[str, str] = {}
    for raw in topics:
        name = _storable(" ".join(raw.split()), "topics")
        if not name:
            continue
        if len(name) > TOPIC_MAX_LENGTH:
            raise ClaimError(ERROR_TOPIC_TOO_LONG.format(name=name[:60]), "topics")
        names.setdefault(topic_key(name), name)
    if len(names) > MAX_TOPICS:
        raise ClaimError(ERROR_TOO_MANY_TOPICS, "topics")
    return list(names.values())


def topics_get_or_create(names: list[str]) -> list[Topic]:
    """The topics of these names, creating the missing ones (matching ignores case)."""
    topics = []
    for name in names:
        topic = Topic.objects.filter(key=topic_key(name)).first()
        if topic is None:
            try:
                with transaction.atomic():
                    topic = Topic.objects.create(name=name)
            except IntegrityError:  # created by someone else just now
                topic = Topic.objects.get(key=topic_key(name))
        topics.append(topic)
    return topics


def claim_create(
    *,
    document: Document,
    start: object,
    end: object,
    quote: object,
    statement: object,
    topics: object = None,
    user: AbstractBaseUser,
) -> Claim:
    """Anchor a new claim in ``document``; the span is checked against the stored text and
    trimmed of surrounding white space, and prefix and suffix are computed here."""
    if not can_annotate(user):
        raise ClaimPermissionDenied(ERROR_NOT_ANNOTATOR)
    try:
        anchored = anchor(document.text, start, end, quote)
    except AnchorError as error:
        raise ClaimError(str(error), error.field) from None
    statement = _clean_statement(statement)
    topic_names = _clean_topic_names(topics)
    if Claim.objects.filter(
        document=document, start=anchored["start"], end=anchored["end"], created_by=user
    ).exists():
        raise ClaimError(ERROR_DUPLICATE_SPAN, "quote")

    claim = Claim(document=document, statement=statement, created_by=user, **anchored)
    claim.full_clean(exclude=["document", "created_by"], validate_unique=False)
    try:
        with transaction.atomic():
            claim.save()
            claim.topics.set(topics_get_or_create(topic_names))
    except IntegrityError:
        raise ClaimError(ERROR_DUPLICATE_SPAN, "quote") from None
    return claim


def _parse_version(version: object) -> int:
    if isinstance(version, bool) or not isinstance(version, int):
        raise ClaimError(ERROR_VERSION, "version")
    return version


@transaction.atomic
def claim_update(
    *, claim: Claim, statement: object, topics: object, version: object, user: AbstractBaseUser
) -> Claim:
    """Change a claim's statement and topics. ``version`` is the version the user edited;
    if the claim has changed since, nothing is saved (``ClaimConflict``). The anchor stays:
    a different passage is a different claim."""
    if not can_change_claim(user, claim):
        raise ClaimPermissionDenied(ERROR_NOT_OWNER)
    sent = _parse_version(version)
    statement = _clean_statement(statement)
    topic_names = _clean_topic_names(topics)
    # Compare-and-set: only the edit based on the current version wins.
    updated = Claim.objects.filter(pk=claim.pk, version=sent).update(
        statement=statement, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        _raise_conflict(claim, sent)
    claim.refresh_from_db()
    claim.topics.set(topics_get_or_create(topic_names))
    return claim


@transaction.atomic
def claim_delete(*, claim: Claim, version: object, user: AbstractBaseUser) -> None:
    """Delete a claim, unless it changed since the user saw it (``ClaimConflict``)."""
    if not can_change_claim(user, claim):
        raise ClaimPermissionDenied(ERROR_NOT_OWNER)
    sent = _parse_version(version)
    deleted, _ = Claim.objects.filter(pk=claim.pk, version=sent).delete()
    if not deleted:
        _raise_conflict(claim, sent)


def _raise_conflict(claim: Claim, sent: int) -> None:
    current = Claim.objects.filter(pk=claim.pk).values_list("version", flat=True).first()
    if current is None:
        raise ClaimGone(ERROR_GONE)
    raise ClaimConflict(ERROR_CONFLICT.format(current=current, sent=sent), "version")
