"""Turning uploaded bytes into the text Crosscheck stores — pure functions, no database.

The stored text is what claims point into, so it is fixed once, here: decoded from UTF-8
(a byte-order mark allowed), Unicode NFC, ``\\n`` line ends, no NUL, no leading BOM.
Offsets into it count Unicode code points, as Python string indices do.
"""

import hashlib
import html
import re
import unicodedata
from html.parser import HTMLParser

from django.utils.safestring import SafeString, mark_safe

ERROR_EMPTY = "The file is empty: there is no text to import."
ERROR_BLANK = "The file holds only white space: there is no text to import."
ERROR_INVISIBLE = (
    "The file holds only white space and invisible characters (such as zero-width spaces): "
    "there is no text to import."
)
ERROR_BINARY = (
    "The file looks binary (it contains NUL bytes or other control bytes), not text. "
    "Upload a plain text (.txt), Markdown (.md) or HTML (.html) file."
)
ERROR_UTF16 = (
    "The file is encoded as UTF-16. Crosscheck expects UTF-8: save the file as UTF-8 "
    "and upload it again."
)
ERROR_NOT_UTF8 = (
    "The file is not valid UTF-8 (the first bad byte is at position {position}). "
    "Crosscheck expects UTF-8, with or without a byte-order mark: save the file as UTF-8 "
    "and upload it again."
)

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control bytes that never occur in text (tab, line feed, form feed and carriage return do).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


ERROR_BAD_CHARACTERS = (
    "The text contains characters that cannot be stored (a NUL or a lone UTF-16 surrogate); "
    "remove them and try again."
)
# NUL cannot be stored in PostgreSQL text; lone surrogates are not Unicode text at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class TextError(ValueError):
    """Bytes that cannot become a document; the message is for the person who uploaded."""


def decode(data: bytes) -> str:
    """Decode uploaded bytes as UTF-8 (a leading BOM is allowed and dropped)."""
    if not data:
        raise TextError(ERROR_EMPTY)
    if data.startswith(UTF16_BOMS):
        raise TextError(ERROR_UTF16)
    if _BINARY_BYTES.search(data[:65536]) or b"\x00" in data:
        raise TextError(ERROR_BINARY)
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TextError(ERROR_NOT_UTF8.format(position=error.start)) from None


def normalise(text: str) -> str:
    """The one normal form of stored text: NFC, ``\\n`` line ends, no NUL, no leading BOM."""
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def check_storable(value: str) -> str:
    """Refuse text typed into a field that a database could not store as it was typed."""
    if _UNSTORABLE.search(value):
        raise TextError(ERROR_BAD_CHARACTERS)
    return value


def is_normalised(text: str) -> bool:
    return normalise(text) == text


def checksum(text: str) -> str:
    """SHA-256 of the normalised text's UTF-8 bytes, as 64 hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Characters that show nothing, besides white space: controls and format characters (zero-
# width space and joiners, word joiner, byte-order mark, direction marks, soft hyphen, tags)
# by their category, and the other default-ignorable code points (the combining grapheme
# joiner, Hangul fillers, Khmer and Mongolian invisible letters, variation selectors).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf"})
_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0000-\U000e0fff]"
)


def _shows(character: str) -> bool:
    return not (
        character.isspace()
        or unicodedata.category(character) in _INVISIBLE_CATEGORIES
        or _INVISIBLE.match(character)
    )


def require_text(text: str) -> str:
    """Refuse a text with nothing to read: only white space, or only white space and
    invisible characters (claims need something a reader can select)."""
    if not text.strip():
        raise TextError(ERROR_BLANK)
    if not any(map(_shows, text)):
        raise TextError(ERROR_INVISIBLE)
    return text


def first_line(text: str, limit: int = 200) -> str:
    """The first non-blank line, shortened to ``limit`` characters: a default title."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:limit]
    return ""


_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(r" {2,}")


def segments(text: str) -> list[tuple[int, str, bool]]:
    """Split text into ``(start offset, piece, is_paragraph)`` triples that together are the
    whole text: paragraphs, and the runs of blank lines between them.

    Offsets are code-point positions in ``text``. Pages render each paragraph as its own
    block, so long texts stay readable, and keep the separators (hidden) so the page's text
    is exactly the stored text."""
    result = []
    position = 0
    for separator in _BLANK_LINES.finditer(text):
        if separator.start() > position:
            result.append((position, text[position : separator.start()], True))
        result.append((separator.start(), separator.group(), False))
        position = separator.end()
    if position < len(text):
        result.append((position, text[position:], True))
    return result


def text_html(text: str) -> SafeString:
    """The text as HTML for the reading page: a ``<p>`` per paragraph and a hidden
    ``<span class="sep">`` per run of blank lines, each with its code-point ``data-start``,
    so the page's text content is exactly ``text``. Built here with the standard library's
    escaping, not in a template loop, because a long document has thousands of pieces."""
    parts = []
    for start, piece, is_paragraph in segments(text):
        if is_paragraph:
            parts.append(f'<p data-start="{start}">{html.escape(piece)}</p>')
        else:
            parts.append(f'<span class="sep" data-start="{start}">{html.escape(piece)}</span>')
    return mark_safe("".join(parts))  # every piece of text is escaped above


class _TextExtractor(HTMLParser):
    """Collects the readable text of an HTML page, one paragraph per block element."""

    SKIP = {"script", "style", "head", "template", "noscript", "svg", "iframe", "object"}
    BLOCKS = {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "tr", "ul", "body", "html",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0
        self.title: list[str] = []
        self.in_title = False
        self.in_pre = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        if tag == "title":
            self.in_title = True
        if tag == "pre":
            self.in_pre += 1
        if tag in self.BLOCKS:
            self._end_block()
        elif tag == "br":
            self.current.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag == "br":
            self.current.append("\n")
        elif tag in self.BLOCKS:
            self._end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if tag == "title":
            self.in_title = False
        if tag in self.BLOCKS:
            self._end_block()
        if tag == "pre" and self.in_pre:
            self.in_pre -= 1

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skipping:
            # Outside <pre>, white space in HTML source is a space; only <br> breaks a line.
            self.current.append(data if self.in_pre else _WHITESPACE.sub(" ", data))

    def _end_block(self) -> None:
        block = "".join(self.current)
        if not self.in_pre:
            block = "\n".join(line.strip(" ") for line in block.split("\n"))
            block = _SPACES.sub(" ", block)
        block = block.strip("\n").rstrip()
        if block.strip():
            self.blocks.append(block)
        self.current = []


def html_to_text(html: str) -> tuple[str, str]:
    """Reduce HTML to its readable text: ``(title, text)``.

    Scripts, styles and markup are dropped; each block element (paragraph, heading, list
    item, …) becomes a paragraph separated by a blank line; ``<br>`` keeps a line break."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    extractor._end_block()
    title = " ".join("".join(extractor.title).split())
    return title, "\n\n".join(extractor.blocks)
