"""Anchoring claims in document text — pure functions, no database.

Offsets count Unicode code points of the stored text, the same as Python string indices.
The browser counts UTF-16 code units; ``static/claims/anchoring.js`` converts before it
sends offsets here."""

from typing import TypedDict

from crosscheck.text import shorten

CONTEXT_LENGTH = 32

ERROR_NOT_INTEGER = "Offsets must be whole numbers; {field} is {value!r}."
ERROR_NEGATIVE = "Offsets cannot be negative; {field} is {value}."
ERROR_REVERSED = "The span is empty or reversed: start ({start}) must be before end ({end})."
ERROR_OUT_OF_RANGE = (
    "The span {start}–{end} lies outside the document, which is {length} characters long."
)
ERROR_QUOTE_MISMATCH = (
    "The quote does not match the document at {start}–{end}: the text there is “{actual}”, "
    "the quote sent was “{quote}”."
)
ERROR_ONLY_WHITESPACE = "The selection holds only white space; select the words of the claim."


class Anchor(TypedDict):
    """A checked span of a text: what ``anchor`` returns, the fields a claim stores."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


class AnchorError(ValueError):
    """An anchor that does not fit the text; ``field`` names the offending input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _offset(field: str, value: object) -> int:
    """``value`` as an offset (a whole number, not negative), or AnchorError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnchorError(ERROR_NOT_INTEGER.format(field=field, value=value), field)
    if value < 0:
        raise AnchorError(ERROR_NEGATIVE.format(field=field, value=value), field)
    return value


def check_offsets(start: object, end: object, length: int) -> tuple[int, int]:
    """Both offsets as integers within ``0..length`` with ``start < end``, or AnchorError."""
    start, end = _offset("start", start), _offset("end", end)
    if start >= end:
        raise AnchorError(ERROR_REVERSED.format(start=start, end=end), "end")
    if end > length:
        raise AnchorError(ERROR_OUT_OF_RANGE.format(start=start, end=end, length=length), "end")
    return start, end


def check_quote(text: str, start: int, end: int, quote: str) -> None:
    actual = text[start:end]
    if actual != quote:
        raise AnchorError(
            ERROR_QUOTE_MISMATCH.format(
                start=start, end=end, actual=shorten(actual), quote=shorten(quote)
            ),
            "quote",
        )


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow the span so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise AnchorError(ERROR_ONLY_WHITESPACE, "quote")
    return start, end


def context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix: up to ``CONTEXT_LENGTH`` code points either side."""
    return text[max(0, start - CONTEXT_LENGTH) : start], text[end : end + CONTEXT_LENGTH]


def anchor(text: str, start: object, end: object, quote: object) -> Anchor:
    """Check a span and quote against ``text``; return the trimmed anchor with its context.

    The quote must equal ``text[start:end]`` exactly; surrounding white space is then
    trimmed from the span, so a sloppy selection still anchors to the words it covers."""
    start, end = check_offsets(start, end, len(text))
    if not isinstance(quote, str):
        raise AnchorError("The quote must be text.", "quote")
    check_quote(text, start, end, quote)
    start, end = trim(text, start, end)
    prefix, suffix = context(text, start, end)
    return {
        "start": start,
        "end": end,
        "quote": text[start:end],
        "prefix": prefix,
        "suffix": suffix,
    }
