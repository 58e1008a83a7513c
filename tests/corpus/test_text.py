"""Turning bytes into stored text: decoding, normalising, HTML reduction, paragraphs."""

import unicodedata

import pytest

from corpus import text
from corpus.text import TextError


def test_it_decodes_utf8_and_drops_a_byte_order_mark():
    assert text.decode("\ufeffCafé".encode()) == "Café"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", text.ERROR_EMPTY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", text.ERROR_BINARY),
        (b"text with a NUL\x00 inside", text.ERROR_BINARY),
        ("UTF-16 text".encode("utf-16"), text.ERROR_UTF16),
    ],
)
def test_it_refuses_bytes_that_are_not_text(data, message):
    with pytest.raises(TextError) as caught:
        text.decode(data)
    assert str(caught.value) == message


def test_it_refuses_latin1_naming_the_expected_encoding_and_the_bad_byte():
    with pytest.raises(TextError) as caught:
        text.decode("Caf\xe9 au lait".encode("latin-1"))
    assert str(caught.value) == text.ERROR_NOT_UTF8.format(position=3)
    assert "expects UTF-8" in str(caught.value)


def test_normalise_composes_nfd_into_nfc():
    decomposed = unicodedata.normalize("NFD", "Café Zürich")
    assert decomposed != "Café Zürich"
    assert text.normalise(decomposed) == "Café Zürich"


def test_normalise_turns_crlf_and_cr_into_newlines():
    assert text.normalise("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


def test_normalise_drops_bom_and_nul_and_keeps_everything_else():
    assert text.normalise("\ufeffa\x00b\u00a0c “d” 😀") == "ab\u00a0c “d” 😀"


def test_is_normalised_tells_normal_from_not():
    assert text.is_normalised("plain\ntext")
    assert not text.is_normalised("windows\r\ntext")


def test_require_text_refuses_whitespace_only():
    with pytest.raises(TextError, match="only white space"):
        text.require_text(" \n\t\u00a0\n")


INVISIBLE_ONLY = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060\ufeff",  # and the joiners, word joiner, byte-order mark
    " \u200b \n\u2060\t\u00a0\u200d\n",  # mixed with white space
    "\u00ad\u034f\u061c\u180e\u2061\u2064",  # soft hyphen, grapheme joiner, invisible math
    "\u202e\u202c\u2066\u2069\u200e\u200f",  # direction marks and isolates
    "\ufe0f\ufe0e\U000e0100",  # variation selectors with nothing to vary
    "\u3164\u115f\u1160\uffa0",  # Hangul fillers
    "\U000e0067\U000e0062\U000e007f",  # tag characters
    "\x7f\x85\x9f",  # delete and C1 controls
]


@pytest.mark.parametrize("invisible", INVISIBLE_ONLY)
def test_require_text_refuses_invisible_characters_with_white_space(invisible):
    with pytest.raises(TextError) as caught:
        text.require_text(invisible)
    assert str(caught.value) == text.ERROR_INVISIBLE
    assert text.require_text(f"{invisible}x{invisible}") == f"{invisible}x{invisible}"


@pytest.mark.parametrize("visible", ["\u200d😀\u200d", "\u0301", "\u2800x", "\ue000", "·", "."])
def test_require_text_keeps_anything_that_shows(visible):
    assert text.require_text(visible) == visible


def test_checksum_is_sha256_of_utf8():
    assert text.checksum("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_first_line_skips_blank_lines_and_trims():
    assert text.first_line("\n\n  The Title  \nbody") == "The Title"


def test_segments_split_paragraphs_from_blank_lines_with_code_point_offsets():
    source = "Title\n\nFirst 😀 para\nsame para\n \nSecond"
    parts = text.segments(source)
    assert parts == [
        (0, "Title", True),
        (5, "\n\n", False),
        (7, "First 😀 para\nsame para", True),
        (29, "\n \n", False),
        (32, "Second", True),
    ]
    assert "".join(piece for _, piece, _ in parts) == source
    for start, piece, _ in parts:
        assert source[start : start + len(piece)] == piece


def test_html_is_reduced_to_paragraphs_without_scripts_styles_or_markup():
    html = """<!doctype html><html><head><title>The  Page</title>
    <style>p { color: red }</style><script>alert("x")</script></head>
    <body><h1>Heading</h1><p>First <b>bold</b>
    paragraph &amp; more.</p><p>Line one<br>line two</p>
    <ul><li>Item</li></ul><noscript>enable js</noscript></body></html>"""
    title, body = text.html_to_text(html)
    assert title == "The Page"
    assert body == "Heading\n\nFirst bold paragraph & more.\n\nLine one\nline two\n\nItem"
    assert "alert" not in body and "color" not in body and "enable js" not in body


def test_segments_treat_a_run_of_blank_lines_as_one_separator():
    assert text.segments("\n\nOne\n\n\n\nTwo") == [
        (0, "\n\n", False),
        (2, "One", True),
        (5, "\n\n\n\n", False),
        (9, "Two", True),
    ]


def test_text_html_escapes_markup_and_keeps_the_exact_text():
    source = "Title <script>alert(1)</script>\n\n\n“Quoted” & 'single' 😀"
    rendered = str(text.text_html(source))
    assert rendered == (
        '<p data-start="0">Title &lt;script&gt;alert(1)&lt;/script&gt;</p>'
        '<span class="sep" data-start="31">\n\n\n</span>'
        '<p data-start="34">“Quoted” &amp; &#x27;single&#x27; 😀</p>'
    )
