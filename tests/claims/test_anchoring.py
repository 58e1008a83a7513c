"""Anchoring a span in a document's text: offsets in code points, quote, trimming, context."""

import pytest

from claims import anchoring
from claims.anchoring import (
    CONTEXT_LENGTH,
    ERROR_NEGATIVE,
    ERROR_NOT_INTEGER,
    ERROR_ONLY_WHITESPACE,
    ERROR_OUT_OF_RANGE,
    ERROR_QUOTE_MISMATCH,
    ERROR_REVERSED,
    AnchorError,
    anchor,
    check_offsets,
    check_quote,
    context,
    trim,
)
from corpus.text import normalise

TEXT = "The mayor said that taxes rose by five percent last year."


def span_of(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


# check_offsets


def test_check_offsets_returns_a_valid_span_including_the_whole_text():
    assert check_offsets(0, 10, 10) == (0, 10)
    assert check_offsets(3, 4, 10) == (3, 4)


@pytest.mark.parametrize("value", ["3", "0", "", 3.0, 2.5, float("nan"), True, False, None, [1]])
@pytest.mark.parametrize("field", ["start", "end"])
def test_check_offsets_refuses_anything_but_an_integer(field, value):
    offsets = {"start": 0, "end": 5} | {field: value}
    with pytest.raises(AnchorError) as error:
        check_offsets(offsets["start"], offsets["end"], 10)
    assert str(error.value) == ERROR_NOT_INTEGER.format(field=field, value=value)
    assert error.value.field == field


def test_the_not_an_integer_message_shows_a_string_quoted_so_it_differs_from_a_number():
    with pytest.raises(AnchorError) as error:
        check_offsets("3", 5, 10)
    assert str(error.value) == "Offsets must be whole numbers; start is '3'."


@pytest.mark.parametrize(("start", "end", "field"), [(-1, 5, "start"), (0, -5, "end")])
def test_check_offsets_refuses_negative_offsets(start, end, field):
    with pytest.raises(AnchorError) as error:
        check_offsets(start, end, 10)
    value = start if field == "start" else end
    assert str(error.value) == ERROR_NEGATIVE.format(field=field, value=value)
    assert error.value.field == field


@pytest.mark.parametrize(("start", "end"), [(5, 2), (3, 3), (0, 0), (10, 10)])
def test_check_offsets_refuses_an_empty_or_reversed_span(start, end):
    with pytest.raises(AnchorError) as error:
        check_offsets(start, end, 10)
    assert str(error.value) == ERROR_REVERSED.format(start=start, end=end)
    assert error.value.field == "end"


@pytest.mark.parametrize(
    ("start", "end"), [(0, 11), (10, 11), (50, 60), (0, 2**63), (2**63, 2**64)]
)
def test_check_offsets_refuses_a_span_outside_the_text(start, end):
    with pytest.raises(AnchorError) as error:
        check_offsets(start, end, 10)
    assert str(error.value) == ERROR_OUT_OF_RANGE.format(start=start, end=end, length=10)
    assert error.value.field == "end"


def test_check_offsets_refuses_any_span_of_an_empty_text():
    with pytest.raises(AnchorError):
        check_offsets(0, 1, 0)


# check_quote


def test_check_quote_accepts_the_exact_text_of_the_span():
    start, end = span_of(TEXT, "taxes rose")
    check_quote(TEXT, start, end, "taxes rose")


@pytest.mark.parametrize("quote", ["taxes rise", "Taxes rose", "taxes rose ", "axes rose"])
def test_check_quote_refuses_a_quote_that_does_not_match_and_names_both_texts(quote):
    start, end = span_of(TEXT, "taxes rose")
    with pytest.raises(AnchorError) as error:
        check_quote(TEXT, start, end, quote)
    message = str(error.value)
    assert message == ERROR_QUOTE_MISMATCH.format(
        start=start, end=end, actual="taxes rose", quote=quote
    )
    assert "“taxes rose”" in message
    assert f"“{quote}”" in message
    assert error.value.field == "quote"


def test_check_quote_shortens_long_texts_in_its_message():
    text = "a" * 200
    with pytest.raises(AnchorError) as error:
        check_quote(text, 0, 100, "b" * 100)
    message = str(error.value)
    assert "“" + "a" * 59 + "…”" in message
    assert "“" + "b" * 59 + "…”" in message


# trim


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("  word  ", 0, 8, (2, 6)),
        ("a\n\tword\u00a0 b", 1, 9, (3, 7)),
        ("word", 0, 4, (0, 4)),
        ("two words", 0, 9, (0, 9)),
    ],
)
def test_trim_narrows_the_span_to_drop_surrounding_white_space_only(text, start, end, expected):
    assert trim(text, start, end) == expected


@pytest.mark.parametrize("blank", [" ", "   ", "\n\n", "\t \u00a0\u2003"])
def test_trim_refuses_a_span_of_only_white_space(blank):
    text = f"one{blank}two"
    with pytest.raises(AnchorError) as error:
        trim(text, 3, 3 + len(blank))
    assert str(error.value) == ERROR_ONLY_WHITESPACE
    assert error.value.field == "quote"


# context


def test_context_takes_up_to_the_context_length_either_side():
    text = "x" * 100 + "QUOTE" + "y" * 100
    prefix, suffix = context(text, 100, 105)
    assert (prefix, suffix) == ("x" * CONTEXT_LENGTH, "y" * CONTEXT_LENGTH)


def test_context_is_shorter_at_the_edges_of_the_text():
    text = "abc QUOTE de"
    assert context(text, 4, 9) == ("abc ", " de")
    assert context(text, 0, 3) == ("", " QUOTE de")
    assert context(text, 10, 12) == ("abc QUOTE ", "")
    assert context(text, 0, len(text)) == ("", "")


def test_context_just_at_the_context_length_from_the_edges():
    text = "p" * CONTEXT_LENGTH + "Q" + "s" * CONTEXT_LENGTH
    assert context(text, CONTEXT_LENGTH, CONTEXT_LENGTH + 1) == (
        "p" * CONTEXT_LENGTH,
        "s" * CONTEXT_LENGTH,
    )
    assert context(text, CONTEXT_LENGTH - 1, CONTEXT_LENGTH + 2) == (
        "p" * (CONTEXT_LENGTH - 1),
        "s" * (CONTEXT_LENGTH - 1),
    )


# anchor


def test_anchor_returns_the_span_quote_and_context():
    start, end = span_of(TEXT, "taxes rose")
    assert anchor(TEXT, start, end, "taxes rose") == {
        "start": start,
        "end": end,
        "quote": "taxes rose",
        "prefix": TEXT[:start],
        "suffix": TEXT[end:],
    }


def test_anchor_trims_a_sloppy_selection_and_computes_context_around_the_trimmed_span():
    start, end = span_of(TEXT, " taxes rose ")
    result = anchor(TEXT, start, end, " taxes rose ")
    assert result["quote"] == "taxes rose"
    assert (result["start"], result["end"]) == (start + 1, end - 1)
    assert result["prefix"].endswith("that ")
    assert result["suffix"].startswith(" by")


@pytest.mark.parametrize("quote", [None, 5, ["taxes"], b"taxes rose"])
def test_anchor_refuses_a_quote_that_is_not_text(quote):
    start, end = span_of(TEXT, "taxes rose")
    with pytest.raises(AnchorError) as error:
        anchor(TEXT, start, end, quote)
    assert error.value.field == "quote"


def test_anchor_checks_offsets_before_the_quote():
    with pytest.raises(AnchorError) as error:
        anchor(TEXT, "0", 3, "The")
    assert error.value.field == "start"


def test_anchor_refuses_a_selection_of_white_space_that_matches_the_text():
    start = TEXT.index(" ")
    with pytest.raises(AnchorError) as error:
        anchor(TEXT, start, start + 1, " ")
    assert str(error.value) == ERROR_ONLY_WHITESPACE


# Offsets are code points: the same as Python string indices, whatever the characters.

UNICODE_TEXT = normalise(
    "Intro 👋🏽 and 𝕏 here. "
    "Caf\u0065\u0301 and q\u0301uark and n\u0303o. "
    "Price:\u00a0100\u00a0€, he said “it’s fine” — really. "
    "Flags 🇫🇷 and 👨‍👩‍👧 family."
)


def test_the_unicode_text_still_holds_astral_characters_and_combining_marks():
    assert "\U0001f44b" in UNICODE_TEXT  # waving hand: one code point, two UTF-16 units
    assert "\u00e9" in UNICODE_TEXT, "e + U+0301 is composed by NFC"
    assert "q\u0301" in UNICODE_TEXT, "q has no precomposed form: the mark stays"
    assert "\u00f1" in UNICODE_TEXT
    assert "\u00a0" in UNICODE_TEXT


@pytest.mark.parametrize(
    "quote",
    [
        "👋🏽",
        "𝕏 here",
        "Caf\u00e9",
        "q\u0301uark",
        "q\u0301",
        "\u00f1o",
        "100\u00a0€",
        "“it’s fine”",
        "it’s",
        "— really",
        "🇫🇷",
        "👨‍👩‍👧 family.",
    ],
)
def test_anchor_offsets_are_python_indices_in_text_with_astral_and_combining_characters(quote):
    start, end = span_of(UNICODE_TEXT, quote)
    result = anchor(UNICODE_TEXT, start, end, quote)
    assert (result["start"], result["end"]) == (start, end)
    assert result["quote"] == quote == UNICODE_TEXT[start:end]
    assert result["prefix"] == UNICODE_TEXT[max(0, start - CONTEXT_LENGTH) : start]
    assert result["suffix"] == UNICODE_TEXT[end : end + CONTEXT_LENGTH]


def test_utf16_offsets_after_an_astral_character_do_not_anchor():
    start, end = span_of(UNICODE_TEXT, "and 𝕏")
    utf16_start = len(UNICODE_TEXT[:start].encode("utf-16-le")) // 2
    assert utf16_start == start + 2, "two astral characters come before"
    with pytest.raises(AnchorError) as error:
        anchor(UNICODE_TEXT, utf16_start, utf16_start + len("and 𝕏"), "and 𝕏")
    assert error.value.field == "quote"


def test_a_quote_in_decomposed_form_does_not_match_the_composed_stored_text():
    start, end = span_of(UNICODE_TEXT, "Caf\u00e9")
    with pytest.raises(AnchorError):
        anchor(UNICODE_TEXT, start, end + 1, "Cafe\u0301")


def test_a_non_breaking_space_at_the_edge_of_a_selection_is_trimmed():
    start, end = span_of(UNICODE_TEXT, "\u00a0100\u00a0")
    result = anchor(UNICODE_TEXT, start, end, "\u00a0100\u00a0")
    assert result["quote"] == "100"
    assert (result["start"], result["end"]) == (start + 1, end - 1)


def test_context_counts_code_points_so_it_may_begin_with_a_combining_mark():
    text = "q\u0301" + "x" * (CONTEXT_LENGTH - 1) + "QUOTE"
    start = text.index("QUOTE")
    prefix, _ = context(text, start, start + 5)
    assert len(prefix) == CONTEXT_LENGTH
    assert prefix == "\u0301" + "x" * (CONTEXT_LENGTH - 1)


def test_shorten_keeps_short_values_and_cuts_long_ones_with_an_ellipsis():
    assert anchoring.shorten("short") == "short"
    assert anchoring.shorten("x" * 60) == "x" * 60
    assert anchoring.shorten("x" * 61) == "x" * 59 + "…"
