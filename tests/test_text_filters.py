"""``clip`` cuts texts exactly as Django's ``truncatechars`` does."""

import unicodedata

import pytest
from django.template import engines
from django.template.defaultfilters import truncatechars

from crosscheck.templatetags.text import clip

TEXTS = [
    "",
    "short",
    "x" * 140,
    "x" * 141,
    "A claim about the 1934 Kirov murder, " * 10,
    "Cafe\u0301 noir " * 30,  # combining accents: Django counts them as no characters
    "emoji 🙂 " * 40,
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("length", [1, 60, 140, 300])
def test_clip_is_truncatechars(text, length):
    assert clip(text, length) == truncatechars(text, length)


def test_a_short_text_is_kept_as_typed_which_displays_as_django_s():
    typed = "Cafe\u0301"  # an accent typed as a combining mark
    assert clip(typed, 60) == typed
    assert unicodedata.normalize("NFC", clip(typed, 60)) == truncatechars(typed, 60)


def test_clip_escapes_like_any_filter_in_a_template():
    template = engines["django"].from_string("{% load text %}{{ quote|clip:5 }}")
    assert template.render({"quote": "<b>&</b> more"}) == "&lt;b&gt;&amp;…"
