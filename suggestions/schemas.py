"""What the suggestion endpoints take and answer, as the OpenAPI description states it
(``suggestions.api``); the answers are built by ``suggestions.payloads``."""

import uuid

from ninja import Field, Schema

from claims.models import RATIONALE_MAX_LENGTH, STATEMENT_MAX_LENGTH, Relation
from claims.schemas import ClaimOut, LinkOut, choice
from suggestions.actions import COUNTERPART_DIRECTIONS

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


class SuggestionOut(Schema):
    """A passage of another document likely about the same thing."""

    document: int = Field(description="The passage's document (never the query's own).")
    start: int = Field(description="Offset of the passage's first character, in code points.")
    end: int = Field(description="Offset just past its last character, in code points.")
    quote: str = Field(description="The passage: the document's text from start to end.")
    score: float = Field(description="How likely a counterpart; higher first.")
    shared: list[str] = Field(description="What both say: people, places, numbers, dates.")
    differs: list[str] = Field(
        description='The same things told differently, such as "13 here, 15 there".'
    )
    claim: uuid.UUID | None = Field(description="An existing claim covering the passage, or null.")
    claim_url: str | None = Field(description="That claim on its document's page, or null.")
    claim_statement: str | None = Field(description="That claim's statement, or null.")
    title: str = Field(description="The passage's document's title.")
    source: str = Field(description="The name of the document's source.")
    url: str = Field(description="The passage on its document's reading page.")
    before: str = Field(description="Some of the text just before the passage.")
    after: str = Field(description="Some of the text just after the passage.")


class SuggestionList(Schema):
    suggestions: list[SuggestionOut] = Field(description="Best first.")


class Counterpart(Schema):
    claim: ClaimOut = Field(description="The claim on the passage (made now, or already there).")
    link: LinkOut = Field(description="The new link, seen from the claim it was made for.")
    created: bool = Field(description="Whether the claim on the passage was made now.")


class Dismissed(Schema):
    claim: uuid.UUID = Field(description="The claim the passage is not related to.")
    document: int
    start: int
    end: int
    created: bool = Field(description="False when the passage had been dismissed already.")


# --- Request bodies ------------------------------------------------------------------------


class CounterpartCreate(Schema):
    document: int = Field(description="The passage's document: another than the claim's.")
    start: int = Field(ge=0, description="Offset of the passage's first character (code points).")
    end: int = Field(ge=0, description="Offset just past its last character; after start.")
    statement: str = Field(
        description="The new claim's statement: not only white space; at most "
        f"{STATEMENT_MAX_LENGTH} characters. Not used when a claim is already exactly there "
        "(that claim is linked)."
    )
    relation: str = choice(Relation, "How the passage's claim relates to this claim.")
    rationale: str = Field(
        description=f"Not only white space; at most {RATIONALE_MAX_LENGTH} characters."
    )
    direction: str | None = Field(
        default=None,
        description="For qualifies only, seen from this claim: qualifies_other (this claim "
        "narrows the passage's; the default) or qualified_by_other. The other relations "
        "take none.",
        json_schema_extra={"enum": [*COUNTERPART_DIRECTIONS, None]},
    )


class DismissBody(Schema):
    document: int = Field(description="The passage's document: another than the claim's.")
    start: int = Field(ge=0, description="Offset of the passage's first character (code points).")
    end: int = Field(ge=0, description="Offset just past its last character; after start.")
