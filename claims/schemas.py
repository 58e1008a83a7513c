"""What the claims' JSON endpoints take and answer, as the OpenAPI description states it.

The answers are built by ``claims.payloads`` and described here field by field; the
schemathesis run (tests/api/test_schemathesis.py) checks every answer against them. The
request bodies are read by the views as JSON objects and each value is checked by the
services, which word the refusals; these models say what a valid body holds, and the
descriptions carry the rules a JSON Schema cannot (a statement that is not only white
space, at most so many characters once trimmed)."""

import uuid
from datetime import datetime
from typing import Any

from django.db.models import TextChoices
from ninja import Field, Schema
from pydantic import JsonValue

from claims.models import (
    EVIDENCE_TEXT_MAX_LENGTH,
    RATIONALE_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    URL_MAX_LENGTH,
    AnchorState,
    Bearing,
    EvidenceKind,
    Relation,
    ReviewState,
)
from claims.services import MAX_TOPICS
from crosscheck.dates import MAX_YEAR, MIN_YEAR


def choice(choices: type[TextChoices], description: str) -> Any:
    """A field that takes one of ``choices``' stored values."""
    values: list[JsonValue] = [*choices.values]
    return Field(description=description, json_schema_extra={"enum": values})


def omissible(description: str, **schema: Any) -> Any:
    """A field a body may leave out, but not send as null: no default in the schema."""

    def document(field_schema: dict[str, Any]) -> None:
        field_schema.pop("default", None)
        field_schema.update(schema)

    return Field(default=None, description=description, json_schema_extra=document)


# --- Answers -------------------------------------------------------------------------------


class EventDate(Schema):
    """The date of the event a claim speaks of, as precise as its source: a year, a month
    of a year or a day; "approximate" when the source says "about"."""

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    month: int | None = Field(ge=1, le=12, description="Null for a year alone.")
    day: int | None = Field(ge=1, le=31, description="Null for a year or a month.")
    approximate: bool
    key: str = Field(
        description="Sortable: 1934, 1934-12 or 1934-12-01, ~ after it if approximate."
    )
    label: str = Field(description="For people: “about 1 December 1934”.")


class DateSuggestion(EventDate):
    text: str = Field(description="The words that name it in the statement or quote.")


class ClaimOut(Schema):
    """A claim as the annotation page holds it (no quote: the page reads it from the
    document's text at the offsets)."""

    id: uuid.UUID
    start: int = Field(description="Offset of the first character, in code points.")
    end: int = Field(description="Offset just past the last character, in code points.")
    statement: str
    topics: list[str] = Field(description="Topic names, in alphabetical order.")
    author: str = Field(description="The username of who made it.")
    created: datetime
    version: int = Field(description="Sent back with an edit or a delete (409 when stale).")
    can_edit: bool = Field(description="Whether the signed-in user may edit or delete it.")
    date: EventDate | None = Field(description="The event's date, or null when not given.")
    anchor_state: str = choice(
        AnchorState,
        "How the claim came through corrections of its text: exact, moved (carried over "
        "with small changes), needs_check (a proposal in the newer revision waits for a "
        "person) or orphaned (no acceptable match); the last two stay on their old revision.",
    )
    document: int = Field(description="The id of the document (revision) it lives on now.")


class ClaimSide(Schema):
    """A claim at the far end of a link, or found by the search."""

    id: uuid.UUID
    quote: str = Field(description="The quoted passage, shortened to 300 characters.")
    statement: str
    source: str = Field(description="The source's name.")
    document: str = Field(description="The document's title.")
    document_id: int
    url: str = Field(description="The claim on its document's page.")


class PassageDocument(Schema):
    id: int
    title: str
    url: str
    revision: int = Field(ge=1, description="Which revision of its text it is: 1, 2, 3…")


class CurrentRevision(Schema):
    """The revision of a text no correction has replaced yet."""

    id: int
    revision: int = Field(ge=2, description="A correction's number: 2, 3…")
    url: str


class EvidenceOut(Schema):
    id: uuid.UUID
    kind: str = choice(EvidenceKind, "What the evidence is.")
    kind_label: str
    bearing: str = choice(Bearing, "Whether it supports or refutes.")
    citation: str
    url: str
    quote: str
    document: PassageDocument | None = Field(description="A passage's document, else null.")
    start: int | None = Field(description="A passage's offsets in its document, else null.")
    end: int | None
    anchor_state: str = choice(
        AnchorState,
        "How a passage came through corrections of its document: exact, moved (carried "
        "over with small changes), needs_check (a weak match waits for a person) or "
        "orphaned (no acceptable match); the last two stay on their old revision. Always "
        "exact for the other kinds.",
    )
    current_revision: CurrentRevision | None = Field(
        description="For a passage left on an older revision (needs_check or orphaned): "
        "the current revision of its text, where it can be cited again; else null."
    )
    author: str
    created: datetime
    version: int
    can_edit: bool


class LinkOut(Schema):
    """A link seen from one of its claims: ``other`` is the claim at the far end."""

    id: uuid.UUID
    relation: str = choice(Relation, "How the two claims relate.")
    direction: str = Field(
        description="Seen from the claim the link is read from: whether it qualifies "
        "(narrows) the other or is qualified by it; unknown for a qualifies link whose "
        "direction is not recorded; none for the other relations, which go both ways.",
        json_schema_extra={"enum": ["qualifies_other", "qualified_by_other", "unknown", "none"]},
    )
    qualifier: uuid.UUID | None = Field(
        description="The claim that narrows the other, when the direction is recorded."
    )
    rationale: str
    review_state: str = Field(json_schema_extra={"enum": [str(s) for s in ReviewState.labels]})
    author: str
    created: datetime
    version: int
    can_edit: bool
    url: str = Field(description="The claim pair page.")
    other: ClaimSide
    evidence: list[EvidenceOut] = Field(description="Evidence on the link itself.")


class ClaimList(Schema):
    claims: list[ClaimOut] = Field(description="In reading order.")


_DELETES = (
    "What deleting the {thing} also deletes, in words, as the delete's 409 names it: {what} "
    "(“{example}”). Empty when nothing: the delete then needs no confirm."
)


class LinkDetails(LinkOut):
    deletes: str = Field(
        description=_DELETES.format(
            thing="link",
            what="its evidence, its current reviews and its comments",
            example="2 evidence items, 1 review and 5 comments",
        )
    )


class ClaimDetails(Schema):
    claim: ClaimOut
    links: list[LinkDetails] = Field(description="Oldest first.")
    evidence: list[EvidenceOut] = Field(description="Evidence on the claim itself.")
    deletes: str = Field(
        description=_DELETES.format(
            thing="claim",
            what="its links, the evidence on it or them, the links' current reviews and comments",
            example="1 link, 2 evidence items, 1 review and 5 comments",
        )
    )
    date_suggestions: list[DateSuggestion] = Field(
        description="Dates named in the statement, then the quote, each once: candidates "
        "for the event date."
    )


class OneClaim(Schema):
    claim: ClaimOut


class OneLink(Schema):
    link: LinkOut


class OneEvidence(Schema):
    evidence: EvidenceOut


class SearchResults(Schema):
    results: list[ClaimSide] = Field(description="At most 10, newest first.")


class Deleted(Schema):
    deleted: uuid.UUID = Field(description="The id of what was deleted.")


# --- Request bodies ------------------------------------------------------------------------

_VERSION = "The version the edit is based on, as last read."
_CONFIRM = (
    "true to delete what goes along (links, evidence, the links' reviews and comments); without "
    "it, or with any other value, a delete that would take something along is refused with "
    "409, whose message counts what would go."
)


class ClaimCreate(Schema):
    start: int = Field(ge=0, description="Offset of the first character, in code points.")
    end: int = Field(ge=0, description="Offset just past the last character; after start.")
    quote: str = Field(description="Exactly the document's text between start and end.")
    statement: str = Field(
        description=f"Not only white space; at most {STATEMENT_MAX_LENGTH} characters."
    )
    topics: list[str] | None = Field(
        default=None,
        description=f"At most {MAX_TOPICS} names of at most {TOPIC_MAX_LENGTH} characters; "
        "new ones are created.",
    )


class EventDateIn(Schema):
    """A partial date that exists: a month needs a year, a day a month, and the day must be
    in that month (29 February only in leap years)."""

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    approximate: bool = Field(default=False, description="The source says “about”.")


class ClaimEdit(Schema):
    statement: str = omissible(
        f"Not only white space; at most {STATEMENT_MAX_LENGTH} characters. Left out, it "
        "stays as it is."
    )
    topics: list[str] | None = omissible(
        "Replaces the topics (null or [] removes them); left out, they stay as they are."
    )
    date: EventDateIn | None = omissible(
        "The event's date (null removes it); left out, it stays as it is."
    )
    version: int = Field(description=_VERSION)


class ClaimDelete(Schema):
    version: int = Field(description=_VERSION)
    confirm: Any = Field(default=False, description=_CONFIRM)


class LinkCreate(Schema):
    other: uuid.UUID = Field(description="The claim to link to, in another document.")
    relation: str = choice(Relation, "How the claims relate.")
    rationale: str = Field(
        description=f"Not only white space; at most {RATIONALE_MAX_LENGTH} characters."
    )
    qualifier: uuid.UUID | None = Field(
        default=None,
        description="For qualifies: which of the two claims narrows the other (by default "
        "the one linked from). The other relations take none.",
    )


class LinkEdit(Schema):
    relation: str = omissible("Left out, it stays as it is.", enum=Relation.values)
    rationale: str = omissible(
        f"Not only white space; at most {RATIONALE_MAX_LENGTH} characters. "
        "Left out, it stays as it is."
    )
    qualifier: uuid.UUID | None = Field(
        default=None,
        description="For qualifies: which of the two claims narrows the other. Left out, a "
        "qualifies link keeps its direction (unknown when it becomes qualifies).",
    )
    version: int = Field(description=_VERSION)


class LinkDelete(Schema):
    version: int = Field(description=_VERSION)
    confirm: Any = Field(default=False, description=_CONFIRM)


class EvidenceCreate(Schema):
    """Each kind takes its own fields: a ``citation`` its text; a ``url`` the web address
    (http or https) and, optionally, a title as ``citation``; a ``quote`` its text and,
    optionally, where it is from as ``citation``; a ``passage`` a stored ``document``
    with ``start``, ``end`` and ``quote`` anchored like a claim's. The other fields are
    not used, but must still be of their type (null is the same as left out)."""

    kind: str = choice(EvidenceKind, "What the evidence is.")
    bearing: str = choice(Bearing, "Whether it supports or refutes.")
    citation: str | None = Field(
        default="", description=f"At most {EVIDENCE_TEXT_MAX_LENGTH} characters."
    )
    url: str | None = Field(default="", description=f"At most {URL_MAX_LENGTH} characters.")
    quote: str | None = Field(
        default="", description=f"At most {EVIDENCE_TEXT_MAX_LENGTH} characters."
    )
    document: int | None = Field(default=None, description="A passage's document.")
    start: int | None = Field(default=None, description="A passage's first offset (0 or more).")
    end: int | None = Field(default=None, description="A passage's end offset, after start.")


class EvidenceEdit(Schema):
    bearing: str = choice(Bearing, "Whether it supports or refutes.")
    version: int = Field(description=_VERSION)


class EvidenceDelete(Schema):
    version: int = Field(description=_VERSION)
