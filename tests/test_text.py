"""The words every app shares (crosscheck.text): a count with its noun, and a long text
shortened the way the templates' ``clip`` shows it."""

import pytest
from django.template.defaultfilters import truncatechars

from crosscheck.text import plural, shorten


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "claim", "0 claims"),
        (1, "claim", "1 claim"),
        (2, "claim", "2 claims"),
        (1, "evidence passage", "1 evidence passage"),
        (12, "evidence passage", "12 evidence passages"),
    ],
)
def test_plural_gives_the_count_with_its_noun(count, noun, expected):
    assert plural(count, noun) == expected


def test_shorten_keeps_a_text_that_fits_as_it_is():
    assert shorten("x" * 60) == "x" * 60
    typed = "Cafe\u0301"  # an accent typed as a combining mark: not recomposed
    assert shorten(typed, 5) == typed


def test_shorten_cuts_a_longer_text_to_the_limit_with_an_ellipsis():
    assert shorten("x" * 61) == "x" * 59 + "…"
    assert shorten("abcdefgh", 5) == "abcd…"
    assert len(shorten("y" * 1000, 300)) == 300


def test_shorten_never_parts_a_letter_from_its_accent():
    text = "a" + "x\u0301" * 10  # x has no accented character: the accent stays a mark
    assert shorten(text, 5) == "a" + "x\u0301" * 3 + "…"  # a cut after 4 code points: "ax́x…"


@pytest.mark.parametrize("text", ["x" * 141, "Cafe\u0301 noir " * 30, "emoji 🙂 " * 40])
def test_shorten_is_what_clip_shows(text):
    assert shorten(text, 140) == truncatechars(text, 140)
