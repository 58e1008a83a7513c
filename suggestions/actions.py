"""What people do with a suggestion: make the counterpart claim on the passage and link it,
or dismiss the passage as not related to the claim. The endpoints (``suggestions.api``) and
the Suggested pairs page (``suggestions.views``) both call these; claims and links are
written only through ``claims.services``, so every check and message is the claims API's."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from claims.anchoring import AnchorError, anchor, check_offsets
from claims.errors import ClaimError, ClaimPermissionDenied
from claims.models import Claim, ClaimLink, Direction, Relation
from claims.services import (
    ERROR_NOT_ANNOTATOR,
    ERROR_QUALIFIER_SYMMETRIC,
    claim_create,
    clean_link_edit,
    link_create,
)
from corpus.models import Document
from crosscheck.errors import ServiceError
from crosscheck.permissions import Visitor, can_triage_suggestions
from suggestions.models import Dismissal

# The longest selection suggestions are asked for: a passage or a paragraph, not a chapter.
MAX_SPAN = 2000

ERROR_SPAN_TOO_LONG = (
    f"The selection is too long to find counterparts for: at most {MAX_SPAN} characters."
)
ERROR_OWN_DOCUMENT = (
    "The passage is in the claim's own document; a counterpart comes from another document."
)
ERROR_NO_SUCH_DOCUMENT = "The passage's document does not exist."
ERROR_COUNTERPART_DIRECTION = (
    "The direction of a qualifies link is qualifies_other (the claim qualifies the passage) "
    "or qualified_by_other (the passage qualifies the claim)."
)
# The directions a counterpart's qualifies link may take, seen from the claim it is made
# for, as the links' payload (``claims.payloads.link_direction``) names them.
COUNTERPART_DIRECTIONS = ("qualifies_other", "qualified_by_other")


class SuggestionError(ServiceError):
    """A refused request about suggestions."""


def require_triager(user: Visitor) -> User:
    """``user``, or a refusal (403) when they may not act on suggestions: checked first, so
    a refused user learns that before anything about their input."""
    if not can_triage_suggestions(user):
        raise ClaimPermissionDenied(ERROR_NOT_ANNOTATOR)
    return user


def check_span(length: int, start: object, end: object) -> tuple[int, int]:
    """The offsets of a selection to find counterparts for in a text of ``length`` code
    points: whole numbers within it, ``start < end``, at most ``MAX_SPAN`` apart; else
    ``SuggestionError`` with the claims API's message for the field at fault."""
    try:
        first, last = check_offsets(start, end, length)
    except AnchorError as error:
        raise SuggestionError(str(error), error.field) from None
    if last - first > MAX_SPAN:
        raise SuggestionError(ERROR_SPAN_TOO_LONG, "end")
    return first, last


def passage_document(value: object, claim: Claim) -> Document:
    """The document a counterpart passage is in, by its id: another document than the
    claim's."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise SuggestionError(ERROR_NO_SUCH_DOCUMENT, "document")
    document = Document.objects.filter(pk=value).first()
    if document is None:
        raise SuggestionError(ERROR_NO_SUCH_DOCUMENT, "document")
    if document.pk == claim.document_id:
        raise SuggestionError(ERROR_OWN_DOCUMENT, "document")
    return document


def _qualifier(claim: Claim, relation: str, direction: object) -> str | None:
    """The ``qualifier`` ``link_create`` takes for a counterpart's link: for qualifies, the
    claim's public id (``qualifies_other``, the default) or "counterpart", standing for the
    claim on the passage (``qualified_by_other``); None for the other relations."""
    if relation != Relation.QUALIFIES:
        if direction not in (None, "", Direction.NONE):
            raise ClaimError(ERROR_QUALIFIER_SYMMETRIC.format(relation=relation), "direction")
        return None
    if direction in (None, "", "qualifies_other"):
        return str(claim.public_id)
    if direction == "qualified_by_other":
        return "counterpart"
    raise ClaimError(ERROR_COUNTERPART_DIRECTION, "direction")


def _claim_there(document: Document, start: int, end: int, user) -> Claim | None:
    """A claim exactly on ``start``–``end`` of ``document``: the user's own first, else the
    oldest."""
    there = Claim.objects.filter(document=document, start=start, end=end)
    mine = there.filter(created_by_id=user.pk).first()
    return mine or there.order_by("created_at", "pk").first()


def counterpart_create(
    *,
    claim: Claim,
    document: Document,
    start: object,
    end: object,
    statement: object,
    relation: object,
    rationale: object,
    direction: object = None,
    user: Visitor,
) -> tuple[Claim, ClaimLink, bool]:
    """Make a claim on ``document``'s text at ``start``–``end`` (trimmed of white space, as
    every claim) with ``statement`` and link it to ``claim`` with ``relation`` and
    ``rationale``, in one transaction: both or neither. A claim already exactly there (the
    user's own, else the oldest) is linked instead of making a second one, and
    ``statement`` is then not used. ``direction`` (qualifies only), seen from ``claim``:
    ``qualifies_other`` (the default, as for any new link: the claim linked from narrows
    the other) or ``qualified_by_other``.

    Returns the counterpart claim, the link, and whether the claim was made here.
    Refusals are the claims services' (``ClaimError``) or ``SuggestionError``."""
    require_triager(user)
    if document.pk == claim.document_id:
        raise SuggestionError(ERROR_OWN_DOCUMENT, "document")
    # Checked before anything is written, with the messages the claims API gives.
    relation, rationale = clean_link_edit(relation, rationale)
    qualifier = _qualifier(claim, relation, direction)
    try:
        first, last = check_offsets(start, end, len(document.text))
        anchored = anchor(document.text, first, last, document.text[first:last])
    except AnchorError as error:
        raise ClaimError(str(error), error.field) from None
    with transaction.atomic():
        other = _claim_there(document, anchored["start"], anchored["end"], user)
        created = other is None
        if other is None:
            other = claim_create(
                document=document, start=first, end=last, quote=document.text[first:last],
                statement=statement, user=user,
            )  # fmt: skip
        if qualifier == "counterpart":
            qualifier = str(other.public_id)
        link = link_create(
            claim=claim, other=other, relation=relation, rationale=rationale,
            qualifier=qualifier, user=user,
        )  # fmt: skip
    return other, link, created


def dismissal_create(
    *, claim: Claim, document: Document, start: object, end: object, user: Visitor
) -> tuple[Dismissal, bool]:
    """Remember that the passage ``start``–``end`` of ``document`` is not related to
    ``claim``: it is not suggested for the claim again. Dismissing it twice is the same as
    once. Returns the dismissal and whether it is new."""
    author = require_triager(user)
    if document.pk == claim.document_id:
        raise SuggestionError(ERROR_OWN_DOCUMENT, "document")
    try:
        first, last = check_offsets(start, end, len(document.text))
    except AnchorError as error:
        raise SuggestionError(str(error), error.field) from None
    span = {"claim": claim, "document": document, "start": first, "end": last}
    existing = Dismissal.objects.filter(**span).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Dismissal.objects.create(**span, dismissed_by=author), True
    except IntegrityError:  # dismissed by someone else just now
        return Dismissal.objects.get(**span), False
