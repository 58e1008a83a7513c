"""Writes to claims. These functions are the only way claims are created, edited or
deleted; each checks the user's role and ownership (``crosscheck.permissions``), the input,
and edit conflicts.

The values derived from what a user writes are computed here only, for the services, the
admin's import (``claims.resources``) and bench/: a claim's search text (``claim_search_text``),
and on every edit the raised version, the time and the search text again, and a link's
direction when its relation changes (``edit_values``)."""

import unicodedata
import uuid

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from claims.anchoring import Anchor, AnchorError, anchor
from claims.errors import (
    ClaimConflict,
    ClaimError,
    ClaimGone,
    ClaimPermissionDenied,
)
from claims.errors import (
    storable as _storable,
)
from claims.extensions import count_link_dependents, link_dependent_nouns
from claims.history import record_author, record_change
from claims.models import (
    EVIDENCE_TEXT_MAX_LENGTH,
    QUALIFYING_DIRECTIONS,
    RATIONALE_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    URL_MAX_LENGTH,
    Bearing,
    Claim,
    ClaimLink,
    Direction,
    Evidence,
    EvidenceKind,
    Relation,
    Review,
    Topic,
    search_key,
    topic_key,
)
from claims.reviewing import lock_links_of, refresh_waiting_for_evidence
from corpus.models import Document
from crosscheck.dates import FoundDate, partial_date_problem, suggest_dates
from crosscheck.permissions import Visitor, can_annotate, can_change
from crosscheck.text import plural, shorten

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
ERROR_DATE_SHAPE = (
    "Give the event date as its year, month, day and whether it is approximate (month, day "
    "and approximate may be left out), or null to remove it."
)
ERROR_DATE_PART = "The event date's {part} must be a whole number, or left out."
ERROR_DATE_YEAR_MISSING = "Give the event date's year, or null to remove the date."
ERROR_DATE_APPROXIMATE = "Whether the event date is approximate must be true or false."
ERROR_OLD_REVISION = (
    "This is an older revision of the text, kept for reference: a corrected revision has "
    "replaced it. Annotate the current revision instead."
)

# claim_update's ``date`` when the edit leaves the event date as it is.
KEEP_DATE = object()
EVENT_DATE_FIELDS = ("event_year", "event_month", "event_day", "event_approximate")


def claim_search_text(statement: str, quote: str) -> str:
    """What ``Claim.search_text`` holds: the statement and the quote as the typeahead
    searches them (``claims.search``)."""
    return search_key(statement, quote)


def claim_build(*, document: Document, anchored: Anchor, statement: str, author) -> Claim:
    """An unsaved claim on the ``anchored`` span (``claims.anchoring.anchor``) with the
    values derived from it: what ``claim_prepare`` checks, and what bench/ inserts in bulk."""
    return Claim(
        document=document,
        statement=statement,
        created_by=author,
        search_text=claim_search_text(statement, anchored["quote"]),
        **anchored,
    )


def edit_values(obj: "Claim | ClaimLink | Evidence", based_on: int, **changes) -> dict:
    """Every field an edit of ``obj``, made on version ``based_on``, writes: the
    ``changes``, the next version (an edit opened before this one is then refused), the
    time, for a claim the search text of its statement, and for a link whose edit does not
    set the direction one that fits its relation (``fitting_direction``)."""
    values = {**changes, "version": based_on + 1, "updated_at": timezone.now()}
    if isinstance(obj, Claim):
        values["search_text"] = claim_search_text(values.get("statement", obj.statement), obj.quote)
    if isinstance(obj, ClaimLink) and "direction" not in values:
        values["direction"] = fitting_direction(values.get("relation", obj.relation), obj.direction)
    return values


def fitting_direction(relation: str, direction: str) -> str:
    """``direction`` if it fits ``relation`` (one of ``QUALIFYING_DIRECTIONS`` for
    qualifies, "none" for the others), else the one a link of ``relation`` gets when none
    is given: a qualifies link keeps its direction, one that becomes qualifies has it
    "unknown", one that stops being qualifies has none."""
    if (direction in QUALIFYING_DIRECTIONS) == (relation == Relation.QUALIFIES):
        return direction
    return Direction.UNKNOWN if relation == Relation.QUALIFIES else Direction.NONE


def edit_in_place(obj: "Claim | ClaimLink | Evidence", **changes) -> None:
    """Set an edit on ``obj`` in memory, with its derived values (``edit_values``), for
    the caller to save: the admin's import, which holds the row's lock (SELECT FOR UPDATE)
    from the moment it read it, so its version is the stored one."""
    for name, value in edit_values(obj, obj.version, **changes).items():
        setattr(obj, name, value)


def _clean_statement(statement: object) -> str:
    if not isinstance(statement, str) or not statement.strip():
        raise ClaimError(ERROR_STATEMENT_MISSING, "statement")
    statement = _storable(statement, "statement").strip()
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
        name = " ".join(_storable(raw, "topics").split())
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


def _duplicate_span(document: Document, start: int, end: int, author) -> ClaimError:
    """The refusal of a second claim by ``author`` on the same passage, naming the first
    (its ``existing``, so the page can open it)."""
    existing = (
        Claim.objects.filter(document=document, start=start, end=end, created_by_id=author.pk)
        .values_list("public_id", flat=True)
        .first()
    )
    details = {"existing": str(existing)} if existing else None
    return ClaimError(ERROR_DUPLICATE_SPAN, "quote", details=details)


def claim_prepare(
    *,
    document: Document,
    start: object,
    end: object,
    quote: object,
    statement: object,
    topics: object = None,
    author: User,
) -> tuple[Claim, list[str]]:
    """A new, unsaved claim by ``author`` and its cleaned topic names, or ``ClaimError``.

    The span is checked against the stored text and trimmed of surrounding white space;
    prefix and suffix are computed here. A document that a corrected revision has replaced
    takes no new claims. Used by ``claim_create`` and the admin's import."""
    if not document.is_current:  # one query per document instance: the answer is cached
        raise ClaimError(ERROR_OLD_REVISION, "document")
    try:
        anchored = anchor(document.text, start, end, quote)
    except AnchorError as error:
        raise ClaimError(str(error), error.field) from None
    statement = _clean_statement(statement)
    topic_names = _clean_topic_names(topics)
    start, end = anchored["start"], anchored["end"]
    if Claim.objects.filter(document=document, start=start, end=end, created_by=author).exists():
        raise _duplicate_span(document, start, end, author)
    claim = claim_build(document=document, anchored=anchored, statement=statement, author=author)
    claim.full_clean(exclude=["document", "created_by"], validate_unique=False)
    return claim, topic_names


def claim_create(
    *,
    document: Document,
    start: object,
    end: object,
    quote: object,
    statement: object,
    topics: object = None,
    date: object = None,
    user: Visitor,
) -> Claim:
    """Anchor a new claim in ``document`` (see ``claim_prepare``), with the event date
    ``date`` (None: none; checked by ``clean_claim_date``) in the same write."""
    if not can_annotate(user):
        raise ClaimPermissionDenied(ERROR_NOT_ANNOTATOR)
    claim, topic_names = claim_prepare(
        document=document, start=start, end=end, quote=quote, statement=statement,
        topics=topics, author=user,
    )  # fmt: skip
    for name, value in clean_claim_date(date).items():
        setattr(claim, name, value)
    record_author(claim, user)
    try:
        with transaction.atomic():
            claim.save()
            claim.topics.set(topics_get_or_create(topic_names))
    except IntegrityError:
        raise _duplicate_span(document, claim.start, claim.end, user) from None
    return claim


def clean_claim_date(date: object) -> dict[str, int | bool | None]:
    """The event date fields (``EVENT_DATE_FIELDS``) an edit sets from ``date``: a mapping
    with ``year`` and optionally ``month``, ``day`` and ``approximate``, or None for no date;
    else ``ClaimError`` on the field "date", worded by ``crosscheck.dates`` for an impossible
    date (a month without a year, 31 April, 29 February 1934…)."""
    if date is None:
        return dict.fromkeys(EVENT_DATE_FIELDS[:3]) | {"event_approximate": False}
    if not isinstance(date, dict) or set(date) - {"year", "month", "day", "approximate"}:
        raise ClaimError(ERROR_DATE_SHAPE, "date")
    parts: dict[str, int | None] = {}
    for part in ("year", "month", "day"):
        value = date.get(part)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ClaimError(ERROR_DATE_PART.format(part=part), "date")
        parts[part] = value
    approximate = date.get("approximate", False)
    if not isinstance(approximate, bool):
        raise ClaimError(ERROR_DATE_APPROXIMATE, "date")
    if all(value is None for value in parts.values()) and not approximate:
        raise ClaimError(ERROR_DATE_YEAR_MISSING, "date")  # {}: null removes a date
    problem = partial_date_problem(parts["year"], parts["month"], parts["day"], approximate)
    if problem:
        raise ClaimError(problem, "date")
    return {
        "event_year": parts["year"],
        "event_month": parts["month"],
        "event_day": parts["day"],
        "event_approximate": approximate,
    }


def clean_claim_edit(statement: object, topics: object) -> tuple[str, list[str]]:
    """The statement and topic names an edit sets, cleaned, or ``ClaimError``."""
    return _clean_statement(statement), _clean_topic_names(topics)


def _parse_version(version: object) -> int:
    if isinstance(version, bool) or not isinstance(version, int):
        raise ClaimError(ERROR_VERSION, "version")
    return version


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    statement: object,
    topics: object,
    version: object,
    user: Visitor,
    date: object = KEEP_DATE,
) -> Claim:
    """Change a claim's statement and topics, and its event date unless ``date`` is
    ``KEEP_DATE`` (see ``clean_claim_date``). ``version`` is the version the user edited;
    if the claim has changed since, nothing is saved (``ClaimConflict``). The anchor stays:
    a different passage is a different claim."""
    if not can_change(user, claim):
        raise ClaimPermissionDenied(ERROR_NOT_OWNER)
    sent = _parse_version(version)
    statement, topic_names = clean_claim_edit(statement, topics)
    dated = {} if date is KEEP_DATE else clean_claim_date(date)
    _compare_and_set(Claim, claim, sent, ERROR_GONE, user, statement=statement, **dated)
    claim.topics.set(topics_get_or_create(topic_names))
    return claim


@transaction.atomic
def claim_date_set(*, claim: Claim, date: object, version: object, user: Visitor) -> Claim:
    """Set (or with None remove) the date of the event ``claim`` speaks of: the annotator
    accepting a date suggested from its text (``claim_date_suggestions``) or giving another.
    Refused, with nothing changed, for an impossible date (``clean_claim_date``), a user
    who may not change the claim, or an edit based on an older version (``ClaimConflict``)."""
    if not can_change(user, claim):
        raise ClaimPermissionDenied(ERROR_NOT_OWNER)
    sent = _parse_version(version)
    _compare_and_set(Claim, claim, sent, ERROR_GONE, user, **clean_claim_date(date))
    return claim


def claim_date_suggestions(claim: Claim) -> list[FoundDate]:
    """The dates named in the claim's statement, then in its quote (a date the annotator
    wrote comes first), each once: what the claim card offers as its event date."""
    return suggest_dates(claim.statement, claim.quote)


@transaction.atomic
def claim_delete(*, claim: Claim, version: object, user: Visitor, confirm: object = False) -> None:
    """Delete a claim, unless it changed since the user saw it (``ClaimConflict``). Its
    links, the evidence on it or them and their comments go with it, only when ``confirm``
    is True (``dependents_of_claim``).

    Locks its links, then the claim (SELECT FOR UPDATE), in the order evidence writes take
    them (``lock_links_of`` first), and holds the locks until the delete commits: an edit
    of the claim made meanwhile is waited for and refused, and the confirmation counts
    what is really deleted."""
    if not can_change(user, claim):
        raise ClaimPermissionDenied(ERROR_NOT_OWNER)
    sent = _parse_version(version)
    lock_links_of(claim=claim)
    _lock_if_current(Claim, claim, sent, ERROR_GONE)
    _require_confirmation("claim", dependents_of_claim(claim), confirm)
    Claim.objects.filter(pk=claim.pk).delete()


# --- Links ---------------------------------------------------------------------------

ERROR_LINK_SELF = "A claim cannot be linked to itself."
ERROR_LINK_SAME_DOCUMENT = (
    "Both claims are in the same document; links compare claims across sources and documents."
)
ERROR_LINK_EXISTS = "These two claims are already linked (as “{relation}”); edit that link instead."
ERROR_RELATION = "Choose how the claims relate: contradicts, corroborates or qualifies."
ERROR_RATIONALE_MISSING = "Write the rationale: why these claims conflict, agree or qualify."
ERROR_RATIONALE_TOO_LONG = f"The rationale is too long: at most {RATIONALE_MAX_LENGTH} characters."
ERROR_NOT_LINK_OWNER = "Only the annotator who made this link, or an editor, can change it."
ERROR_LINK_GONE = "This link no longer exists; someone deleted it."
ERROR_QUALIFIER = "Choose which of the two claims qualifies (narrows) the other."
ERROR_QUALIFIER_SYMMETRIC = (
    "Only a “qualifies” link has a direction: “{relation}” goes both ways, so name no "
    "qualifying claim."
)
ERROR_DIRECTION = (
    "The direction of a qualifies link is left_qualifies_right, right_qualifies_left or unknown."
)
ERROR_HAS_DEPENDENTS = (
    "Deleting this {thing} also deletes {dependents}. Confirm to delete them together."
)


def _clean_choice(
    value: object, choices: type[models.TextChoices], message: str, field: str
) -> str:
    if not isinstance(value, str) or value not in choices.values:
        raise ClaimError(message, field)
    return value


def _clean_text(value: object, *, field: str, missing: str, limit: int, too_long: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ClaimError(missing, field)
    value = _storable(value, field).strip()
    if len(value) > limit:
        raise ClaimError(too_long, field)
    return value


def _clean_rationale(rationale: object) -> str:
    return _clean_text(
        rationale,
        field="rationale",
        missing=ERROR_RATIONALE_MISSING,
        limit=RATIONALE_MAX_LENGTH,
        too_long=ERROR_RATIONALE_TOO_LONG,
    )


def link_prepare(
    *,
    claim: Claim,
    other: Claim,
    relation: object,
    rationale: object,
    author: User,
    direction: object = None,
) -> ClaimLink:
    """A new, unsaved link of two claims of different documents by ``author``, or
    ``ClaimError``. The pair is unordered: it is stored with the smaller id on the left, so
    the same two claims cannot be linked twice in any order. ``direction`` is a stored
    ``Direction`` (the admin's import), cleaned by ``clean_direction``."""
    if claim.pk == other.pk:
        raise ClaimError(ERROR_LINK_SELF, "other")
    if claim.document_id == other.document_id:
        raise ClaimError(ERROR_LINK_SAME_DOCUMENT, "other")
    relation, rationale = clean_link_edit(relation, rationale)
    left, right = sorted((claim, other), key=lambda side: side.pk)
    existing = ClaimLink.objects.filter(left=left, right=right).first()
    if existing is not None:
        raise ClaimError(ERROR_LINK_EXISTS.format(relation=existing.relation), "other")
    return ClaimLink(
        left=left, right=right, relation=relation, rationale=rationale, created_by=author,
        direction=clean_direction(relation, direction),
    )  # fmt: skip


def clean_link_edit(relation: object, rationale: object) -> tuple[str, str]:
    """The relation and rationale a link gets, cleaned, or ``ClaimError``."""
    return _clean_choice(relation, Relation, ERROR_RELATION, "relation"), _clean_rationale(
        rationale
    )


def clean_direction(relation: str, direction: object) -> str:
    """The direction stored for a link of the (cleaned) ``relation``, or ``ClaimError``:
    "none" for the symmetric relations, which refuse any other; for qualifies, one of
    ``QUALIFYING_DIRECTIONS``, "unknown" when not given (None or blank)."""
    if relation != Relation.QUALIFIES:
        if direction in (None, "", Direction.NONE):
            return Direction.NONE
        raise ClaimError(ERROR_QUALIFIER_SYMMETRIC.format(relation=relation), "direction")
    if direction in (None, ""):
        return Direction.UNKNOWN
    if not isinstance(direction, str) or direction not in QUALIFYING_DIRECTIONS:
        raise ClaimError(ERROR_DIRECTION, "direction")
    return direction


def direction_of(relation: str, qualifier: object, left: Claim, right: Claim) -> str:
    """The direction of a link of the (cleaned) ``relation`` between ``left`` and ``right``
    in which the claim whose public id is ``qualifier`` narrows the other, or
    ``ClaimError``: a symmetric relation takes no qualifier (None) and has no direction."""
    if relation != Relation.QUALIFIES:
        if qualifier is not None:
            raise ClaimError(ERROR_QUALIFIER_SYMMETRIC.format(relation=relation), "qualifier")
        return Direction.NONE
    try:
        key = uuid.UUID(qualifier) if isinstance(qualifier, str) else qualifier
    except ValueError:
        key = None
    if key == left.public_id:
        return Direction.LEFT_QUALIFIES_RIGHT
    if key == right.public_id:
        return Direction.RIGHT_QUALIFIES_LEFT
    raise ClaimError(ERROR_QUALIFIER, "qualifier")


def link_create(
    *,
    claim: Claim,
    other: Claim,
    relation: object,
    rationale: object,
    user: Visitor,
    qualifier: object = None,
) -> ClaimLink:
    """Link two claims of different documents (see ``link_prepare``). A qualifies link
    records which claim narrows the other: ``qualifier``, the public id of one of the two,
    by default ``claim`` (the one linked from); the other relations take none."""
    if not can_annotate(user):
        raise ClaimPermissionDenied(ERROR_NOT_ANNOTATOR)
    link = link_prepare(
        claim=claim, other=other, relation=relation, rationale=rationale, author=user
    )
    if qualifier is None and link.relation == Relation.QUALIFIES:
        qualifier = claim.public_id
    link.direction = direction_of(link.relation, qualifier, link.left, link.right)
    record_author(link, user)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        existing = ClaimLink.objects.filter(left=link.left, right=link.right).first()
        if existing is None:
            raise
        raise ClaimError(ERROR_LINK_EXISTS.format(relation=existing.relation), "other") from None
    return link


def _compare_and_set(model, obj, sent: int, gone: str, user=None, **changes) -> None:
    """Apply ``changes`` (and the values derived from them) only if ``obj`` is still at
    version ``sent``; else refuse.

    Call inside ``transaction.atomic``: the UPDATE checks the version and locks the row in
    one statement, and the lock is held until the caller's transaction ends. A delete
    (``_lock_if_current``) waits for it and then finds the new version; an edit waiting
    for a delete finds no row and is refused as gone."""
    updated = model.objects.filter(pk=obj.pk, version=sent).update(
        **edit_values(obj, sent, **changes)
    )
    if not updated:
        _refuse_stale(model, obj, sent, gone)
    obj.refresh_from_db()
    record_change(obj, user)


def _lock_if_current(model, obj, sent: int, gone: str) -> None:
    """Lock ``obj``'s row (SELECT FOR UPDATE) if it is still at version ``sent``; else
    refuse. Call inside ``transaction.atomic``, before deleting ``obj``: the lock is held
    until the caller's transaction ends, so no edit slips in between the version check and
    the delete (Django's collector reads the rows again and deletes them by primary key).
    An edit that holds the row is waited for, and its new version then refused."""
    if not model.objects.select_for_update().filter(pk=obj.pk, version=sent).exists():
        _refuse_stale(model, obj, sent, gone)


def _refuse_stale(model, obj, sent: int, gone: str) -> None:
    """Raise the refusal for a write based on version ``sent`` that did not apply."""
    current = model.objects.filter(pk=obj.pk).values_list("version", flat=True).first()
    if current is None:
        raise ClaimGone(gone)
    raise ClaimConflict(ERROR_CONFLICT.format(current=current, sent=sent), "version")


@transaction.atomic
def link_update(
    *,
    link: ClaimLink,
    relation: object,
    rationale: object,
    version: object,
    user,
    qualifier: object = None,
) -> ClaimLink:
    """Change a link's relation, rationale and, for qualifies, which claim narrows the
    other (``qualifier``, as ``link_create`` takes it). Without a qualifier a qualifies
    link keeps its direction, and one that becomes qualifies has it "unknown"."""
    if not can_change(user, link):
        raise ClaimPermissionDenied(ERROR_NOT_LINK_OWNER)
    sent = _parse_version(version)
    relation, rationale = clean_link_edit(relation, rationale)
    changes = {"relation": relation, "rationale": rationale}
    if qualifier is not None:  # else edit_values keeps or sets one that fits the relation
        changes["direction"] = direction_of(relation, qualifier, link.left, link.right)
    _compare_and_set(ClaimLink, link, sent, ERROR_LINK_GONE, user, **changes)
    return link


def dependents_of_claim(claim: Claim) -> dict[str, int]:
    """What deleting the claim takes with it: its links, all evidence on it or them, the
    reviewers' verdicts on the links, and what the apps above keep on the links
    (``claims.extensions``: their comments)."""
    links = ClaimLink.objects.of_claim(claim)
    evidence = Evidence.objects.filter(models.Q(claim=claim) | models.Q(link__in=links))
    reviews = Review.objects.filter(link__in=links, is_current=True)
    return {"links": links.count(), "evidence": evidence.count(), "reviews": reviews.count(),
            **_on_links(links)}  # fmt: skip


def dependents_of_link(link: ClaimLink) -> dict[str, int]:
    """What deleting the link takes with it: its evidence, the reviewers' verdicts on it,
    and what the apps above keep on it (``claims.extensions``: its comments)."""
    on_link = _on_links(ClaimLink.objects.filter(pk=link.pk))
    reviews = link.reviews.filter(is_current=True).count()
    return {"evidence": link.evidence.count(), "reviews": reviews, **on_link}


def _on_links(links: models.QuerySet[ClaimLink]) -> dict[str, int]:
    """How many rows of each name registered in ``claims.extensions`` go with ``links``."""
    counted = count_link_dependents(links)
    return {name: sum(by_link.values()) for name, by_link in counted.items()}


def describe_dependents(dependents: dict[str, int]) -> str:
    """What a delete takes along, in words, leaving out what it takes none of: "2 evidence
    items", "1 link, 2 evidence items and 5 comments"; empty when it takes nothing."""
    nouns = {"links": "link", "evidence": "evidence item", "reviews": "review",
             **link_dependent_nouns()}  # fmt: skip
    parts = [plural(count, nouns[name]) for name, count in dependents.items() if count]
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _require_confirmation(thing: str, dependents: dict[str, int], confirm: object) -> None:
    if any(dependents.values()) and confirm is not True:
        described = describe_dependents(dependents)
        raise ClaimConflict(
            ERROR_HAS_DEPENDENTS.format(thing=thing, dependents=described), "confirm"
        )


@transaction.atomic
def link_delete(*, link: ClaimLink, version: object, user, confirm: object = False) -> None:
    """Delete a link; its evidence and comments go with it, only when ``confirm`` is True
    (``dependents_of_link``). Locks the link (SELECT FOR UPDATE, as ``review_submit`` and
    evidence writes do) until the delete commits: an edit made meanwhile is waited for and
    refused, and the confirmation counts what is really deleted."""
    if not can_change(user, link):
        raise ClaimPermissionDenied(ERROR_NOT_LINK_OWNER)
    sent = _parse_version(version)
    _lock_if_current(ClaimLink, link, sent, ERROR_LINK_GONE)
    _require_confirmation("link", dependents_of_link(link), confirm)
    ClaimLink.objects.filter(pk=link.pk).delete()


# --- Evidence ------------------------------------------------------------------------

ERROR_EVIDENCE_TARGET = "Evidence is attached to exactly one claim or one link."
ERROR_EVIDENCE_KIND = "Choose the kind of evidence: citation, web address, quote or passage."
ERROR_BEARING = "Choose whether the evidence supports or refutes."
ERROR_CITATION_MISSING = "Write the citation: author, title, publisher, year, page."
ERROR_QUOTE_MISSING = "Paste the quoted passage."
ERROR_URL_MISSING = "Give the web address (starting with http:// or https://)."
ERROR_URL_SCHEME = (
    "Only web addresses starting with http:// or https:// are accepted; “{url}” is not one."
)
ERROR_TEXT_TOO_LONG = f"The text is too long: at most {EVIDENCE_TEXT_MAX_LENGTH} characters."
ERROR_URL_TOO_LONG = f"The web address is too long: at most {URL_MAX_LENGTH} characters."
ERROR_URL_INVISIBLE = (
    "The web address contains invisible or control characters (such as a zero-width space "
    "or a right-to-left mark), which can disguise where it leads; type it again without them."
)
ERROR_NOT_EVIDENCE_OWNER = "Only the person who added this evidence, or an editor, can change it."
ERROR_EVIDENCE_GONE = "This evidence no longer exists; someone deleted it."
ERROR_PASSAGE_DOCUMENT = "Choose the document the passage comes from."

_url_validator = URLValidator(schemes=["http", "https"])


def clean_url(url: object) -> str:
    """An http(s) URL, or a refusal naming what was given. ``javascript:``, ``data:`` and
    every other scheme, in any spelling, are refused; the server never fetches it."""
    if not isinstance(url, str) or not url.strip():
        raise ClaimError(ERROR_URL_MISSING, "url")
    url = _storable(url.strip(), "url")
    if len(url) > URL_MAX_LENGTH:
        raise ClaimError(ERROR_URL_TOO_LONG, "url")
    if any(
        unicodedata.category(character) in ("Cc", "Cf") and not character.isspace()
        for character in url
    ):  # white space is refused below, as not a web address
        raise ClaimError(ERROR_URL_INVISIBLE, "url")
    scheme, _, rest = url.partition(":")
    if scheme.lower() in {"http", "https"}:
        url = scheme.lower() + ":" + rest
    try:
        _url_validator(url)
        if any(character.isspace() for character in url):  # Unicode spaces pass the validator
            raise ValidationError("white space")
    except ValidationError:
        raise ClaimError(ERROR_URL_SCHEME.format(url=shorten(url)), "url") from None
    return url


def _clean_evidence_text(value: object, field: str, missing: str) -> str:
    return _clean_text(
        value, field=field, missing=missing, limit=EVIDENCE_TEXT_MAX_LENGTH,
        too_long=ERROR_TEXT_TOO_LONG,
    )  # fmt: skip


def evidence_prepare(
    *,
    claim: Claim | None = None,
    link: ClaimLink | None = None,
    kind: object,
    bearing: object,
    citation: object = "",
    url: object = "",
    quote: object = "",
    document: Document | None = None,
    start: object = None,
    end: object = None,
    author: User,
) -> Evidence:
    """New, unsaved evidence by ``author`` on one claim or one link, or ``ClaimError``. A
    ``passage`` is anchored in ``document`` exactly like a claim: the quote must match the
    text at ``start``–``end``."""
    if (claim is None) == (link is None):
        raise ClaimError(ERROR_EVIDENCE_TARGET, "target")
    kind = _clean_choice(kind, EvidenceKind, ERROR_EVIDENCE_KIND, "kind")
    bearing = clean_bearing(bearing)
    evidence = Evidence(claim=claim, link=link, kind=kind, bearing=bearing, created_by=author)
    if kind == EvidenceKind.CITATION:
        evidence.citation = _clean_evidence_text(citation, "citation", ERROR_CITATION_MISSING)
    elif kind == EvidenceKind.URL:
        evidence.url = clean_url(url)
        if isinstance(citation, str) and citation.strip():  # an optional title for the page
            evidence.citation = _clean_evidence_text(citation, "citation", "")
    elif kind == EvidenceKind.QUOTE:
        evidence.quote = _clean_evidence_text(quote, "quote", ERROR_QUOTE_MISSING)
        if isinstance(citation, str) and citation.strip():  # where the quote is from
            evidence.citation = _clean_evidence_text(citation, "citation", "")
    else:
        if document is None:
            raise ClaimError(ERROR_PASSAGE_DOCUMENT, "document")
        try:
            anchored = anchor(document.text, start, end, quote)
        except AnchorError as error:
            raise ClaimError(str(error), error.field) from None
        evidence.document = document
        for field, value in anchored.items():
            setattr(evidence, field, value)
    return evidence


def clean_bearing(bearing: object) -> str:
    return _clean_choice(bearing, Bearing, ERROR_BEARING, "bearing")


def evidence_add(*, user: Visitor, **given) -> Evidence:
    """Attach evidence to one claim or one link (see ``evidence_prepare`` for ``given``),
    and reopen or answer the "needs evidence" verdicts it bears on."""
    if not can_annotate(user):
        raise ClaimPermissionDenied(ERROR_NOT_ANNOTATOR)
    evidence = evidence_prepare(author=user, **given)
    record_author(evidence, user)
    with transaction.atomic():
        link_ids = lock_links_of(claim=evidence.claim, link=evidence.link)
        evidence.save()
        refresh_waiting_for_evidence(link_ids)
    return evidence


@transaction.atomic
def evidence_update(*, evidence: Evidence, bearing: object, version: object, user) -> Evidence:
    """Change whether evidence supports or refutes. Its content is what was cited: to cite
    something else, remove it and add the new evidence."""
    if not can_change(user, evidence):
        raise ClaimPermissionDenied(ERROR_NOT_EVIDENCE_OWNER)
    sent = _parse_version(version)
    bearing = clean_bearing(bearing)
    _compare_and_set(Evidence, evidence, sent, ERROR_EVIDENCE_GONE, user, bearing=bearing)
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, version: object, user) -> None:
    """Remove evidence, unless it changed since the user saw it. Locks the links it bears
    on (``lock_links_of``), then the evidence (SELECT FOR UPDATE), until the delete commits:
    an edit made meanwhile is waited for and refused."""
    if not can_change(user, evidence):
        raise ClaimPermissionDenied(ERROR_NOT_EVIDENCE_OWNER)
    sent = _parse_version(version)
    link_ids = lock_links_of(claim=evidence.claim, link=evidence.link)
    _lock_if_current(Evidence, evidence, sent, ERROR_EVIDENCE_GONE)
    Evidence.objects.filter(pk=evidence.pk).delete()
    refresh_waiting_for_evidence(link_ids)
