"""Spreadsheet safety for every file the app writes and reads back: the CSV exports, the
admin's import and export in every format.

A text cell that a spreadsheet would run as a formula — one starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return — is written with a leading apostrophe
(``'=1+1``), which spreadsheets show as text; so is text that already starts with an
apostrophe, so that ``restore`` undoes exactly what was added, on import.

An XLSX cell cannot hold every text: XML has no place for most control characters, reads
every carriage return as a line feed, and spreadsheets keep at most ``CELL_LIMIT``
characters. ``xlsx_escape`` writes what it cannot hold as Office Open XML's ``_xHHHH_``
escapes (which spreadsheets show as the character), ``xlsx_unescape`` reads them back, and
``cell_pieces`` cuts a long text into cells that fit once escaped."""

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The first characters that get an apostrophe (the SQL of claims.exports tests the same).
PREFIXED = frozenset(FORMULA_TRIGGERS) | {"'"}
# The most characters a spreadsheet keeps in one cell (Excel's limit; openpyxl cuts longer
# text without a word).
CELL_LIMIT = 32_767

# What an XLSX cell cannot hold as it is: the C0 controls other than tab and line feed
# (carriage return included: XML reads it as a line feed), U+FFFE and U+FFFF (not
# characters in XML); and an underscore that would start an escape, written as _x005F_.
_XLSX_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4})")
_XLSX_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def neutralise(text: str) -> str:
    """Text a spreadsheet will show, never run: a leading apostrophe before a trigger, and
    before an apostrophe already there, so that ``restore`` can always undo it."""
    return "'" + text if text[:1] in PREFIXED else text


def restore(text: str) -> str:
    """Undo ``neutralise``, for imports: drop the apostrophe it added."""
    return text[1:] if text[:1] == "'" and text[1:2] in PREFIXED else text


def xlsx_escape(text: str) -> str:
    """``text`` as an XLSX cell holds it: each character it cannot hold as ``_xHHHH_``, and
    each underscore followed by ``x`` and four hexadecimal digits as ``_x005F_`` (so that no
    text is mistaken for an escape). ``xlsx_unescape`` gives ``text`` back exactly."""
    return _XLSX_UNSAFE.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def xlsx_unescape(text: str) -> str:
    """Undo ``xlsx_escape``, for imports: every ``_xHHHH_`` becomes its character. (A
    workbook saved again by a spreadsheet program holds the same escapes; openpyxl drops
    the ``x005F_`` of its shared strings itself, so there text that literally reads
    ``_xHHHH_`` comes back as the character.)"""
    if "_x" not in text:
        return text
    return _XLSX_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def cell_pieces(text: str, limit: int = CELL_LIMIT) -> list[str]:
    """``text`` cut into pieces that each fit in a spreadsheet cell of ``limit`` (at least
    8) characters once neutralised and escaped for XLSX; joined, they are ``text``."""
    pieces = []
    start = 0
    while start < len(text):
        piece = text[start : start + limit]
        # Cutting n characters off the end shortens the cell by n or more: one cut fits.
        while (excess := len(xlsx_escape(neutralise(piece))) - limit) > 0:
            piece = piece[: max(1, len(piece) - excess)]
        pieces.append(piece)
        start += len(piece)
    return pieces
