"""Dates in English prose: where a text names a year, a month or a day, how precisely, and
whether it says "about". Pure functions, shared by the claim card (an event date suggested
from a claim's quote and statement) and the suggestions engine (dates that two passages share
or disagree on).

``find_dates(text)`` gives ``FoundDate`` values in text order, each with its code-point span
(``text[start:end]`` is the words that named it, "about" included), and at most one per span:

- days: "1 December 1934", "1st of December, 1934", "December 1, 1934", "Dec. 1 1934",
  "1934-12-01";
- months: "December 1934", "Dec. 1934", "Sept 1934";
- years: "in 1929", "1929"; a range "1936-38" or "1936–1938" gives both of its years, each
  with its own span ("1936" and "38");
- "about", "around", "approximately", "roughly", "circa", "c.", "ca.", "early", "late",
  "mid-" before a date mark it approximate.

A bare four-digit number is a year only when it is plausible (``min_year`` to ``max_year``,
1000–2100 by default) and its context does not make it something else: a page ("p. 1934",
"pp. 1930-1935"), a number ("No. 1934", "#1934"), money ("$1934", "1934 roubles"), a
percentage, part of a longer number ("1,934", "1934.5", "19345") or a count ("1500 men",
"1934 people": a four-digit number followed by a lower-case noun is read as a count, unless a
word such as "in", "since" or "of" introduces it as a year). A day that does not exist
("31 February 1934") is not a day: its month and year are still found.

Dates with a weekday, ordinal centuries, decades ("the 1930s"), BC/AD and numeric day/month
orders ("1/12/1934", ambiguous between countries) are not read.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

MIN_YEAR = 1000
MAX_YEAR = 2100

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Messages of partial_date_problem(), shown as they are by the services that store a date.
DATE_MONTH_NEEDS_YEAR = "A month needs a year."
DATE_DAY_NEEDS_MONTH = "A day needs a month."
DATE_APPROXIMATE_NEEDS_YEAR = "Only a date can be approximate: give a year."
DATE_YEAR_OUT_OF_RANGE = f"The year must be between {MIN_YEAR} and {MAX_YEAR}."
DATE_MONTH_OUT_OF_RANGE = "The month must be between 1 and 12."
DATE_DAY_OUT_OF_RANGE = "{month} {year} has no day {day}."


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date named in a text: a year, a year and month, or a full day; ``approximate`` when
    the text said "about" (or "c.", "early", …). ``text`` is ``source[start:end]``."""

    year: int
    month: int | None
    day: int | None
    approximate: bool
    start: int
    end: int
    text: str

    @property
    def precision(self) -> str:
        """ "day", "month" or "year"."""
        if self.day is not None:
            return "day"
        return "year" if self.month is None else "month"

    def key(self) -> str:
        """The date alone, stable and sortable within a precision: "1934", "1934-12",
        "1934-12-01", with "~" after it when approximate (EDTF's notation: "1934~")."""
        return partial_date_key(self.year, self.month, self.day, self.approximate)

    def label(self) -> str:
        """The date for people: "1934", "December 1934", "1 December 1934", "about 1934"."""
        return partial_date_label(self.year, self.month, self.day, self.approximate)


def partial_date_key(year: int, month: int | None, day: int | None, approximate: bool) -> str:
    """``FoundDate.key()`` of any partial date (a stored claim date, say)."""
    key = f"{year:04d}"
    if month is not None:
        key += f"-{month:02d}"
        if day is not None:
            key += f"-{day:02d}"
    return key + ("~" if approximate else "")


def partial_date_label(year: int, month: int | None, day: int | None, approximate: bool) -> str:
    """``FoundDate.label()`` of any partial date."""
    label = str(year)
    if month is not None:
        label = f"{MONTH_NAMES[month - 1]} {label}"
        if day is not None:
            label = f"{day} {label}"
    return f"about {label}" if approximate else label


def partial_date_problem(
    year: int | None, month: int | None, day: int | None, approximate: bool = False
) -> str | None:
    """Why (year, month, day) is not a valid partial date, or None when it is. A month needs a
    year, a day needs a month and must exist in it (29 February only in leap years); no date at
    all (all None, not approximate) is valid."""
    if year is None:
        if month is not None:
            return DATE_MONTH_NEEDS_YEAR
        if day is not None:
            return DATE_DAY_NEEDS_MONTH
        return DATE_APPROXIMATE_NEEDS_YEAR if approximate else None
    if not MIN_YEAR <= year <= MAX_YEAR:
        return DATE_YEAR_OUT_OF_RANGE
    if month is None:
        return DATE_DAY_NEEDS_MONTH if day is not None else None
    if not 1 <= month <= 12:
        return DATE_MONTH_OUT_OF_RANGE
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return DATE_DAY_OUT_OF_RANGE.format(month=MONTH_NAMES[month - 1], year=year, day=day)
    return None


# --- the finder ---------------------------------------------------------------------------

_MONTH_WORDS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}
_MONTH_WORDS.update(
    {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9}
)
_MONTH_WORDS.update({"sept": 9, "oct": 10, "nov": 11, "dec": 12})
# Capitalised (or all capitals) only: "may 1934" in running text is rare, "may" common.
_MONTH = (
    r"(?=[A-Z])(?<![A-Za-z])(?P<{name}>(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER"
    r"|OCTOBER|NOVEMBER|DECEMBER|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
    r")(?![A-Za-z])"
)
_DAY = r"(?P<{name}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{name}>\d{{4}})(?![\d,.]\d|\w|['’]s\b)"  # not "1930s", "1930's"
# Not inside a longer number or word; "mid-1935", "pre-1917", "post-1956" are years.
# (The lookahead first: most positions are no digit, and fail at once.)
_BEFORE = r"(?=\d)(?<![\d\w.,/])(?:(?<=mid-)|(?<=pre-)|(?<=post-)|(?<!-))"

_APPROX = re.compile(
    r"(?:\b(?:about|around|approximately|roughly|circa|ca\.|c\.|early|late|mid)"
    r"(?:\s+in|\s+of|\s+the\s+year)?\s*|\bmid-|~\s*)$",
    re.IGNORECASE,
)
# Words that introduce a bare number as a year, just before it.
_YEAR_CUE = re.compile(
    r"\b(?:in|of|since|by|until|till|from|to|during|after|before|between|and|or|year|years"
    r"|spring|summer|autumn|fall|winter|early|late|mid|about|around|circa|c\.|ca\.|as|the|a"
    r"|an|its|his|her|their|our|this|that|whose)\s*$|\b(?:mid|pre|post)-$|['’]s\s*$|[(\[]\s*$",
    re.IGNORECASE,
)
# What before a number makes it no year: a page, a number, money.
_NOT_YEAR_BEFORE = re.compile(
    r"(?:\b(?:pp?|pages?|no|nos|nr|vol|vols|ch|art|fig|para|number|numbers|issue|#)\.?\s*"
    r"|[$£€¥#§])$",
    re.IGNORECASE,
)
# What after a number makes it no year: a percentage, money.
_NOT_YEAR_AFTER = re.compile(
    r"^\s*(?:%|per\s*cent|percent|roubles|rubles|dollars|pounds|francs|marks|kilo|km|m\b)",
    re.IGNORECASE,
)
# Lower-case words that may follow a year without making it a count.
_AFTER_YEAR_WORDS = frozenset(
    """a an and or but nor to the that this these those when where while as at on in of for
    from by with until till through he she it they we i you his her its their was were is are
    had has have did saw brought came there then onwards onward which who whose what after
    before during being not also only so if than up""".split()
)
_NEXT_WORD = re.compile(r"^\s+([a-z]+)\b")

_DAY_MONTH_YEAR = re.compile(
    _BEFORE
    + _DAY.format(name="day")
    + r"(?:\s+of)?\s+"
    + _MONTH.format(name="month")
    + r",?\s+"
    + _YEAR.format(name="year")
)
_MONTH_DAY_YEAR = re.compile(
    _MONTH.format(name="month")
    + r"\s+"
    + _DAY.format(name="day")
    + r"(?!\d)(?:,\s*|\s+)"
    + _YEAR.format(name="year")
)
_ISO_DAY = re.compile(_BEFORE + r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])")
_MONTH_YEAR = re.compile(_MONTH.format(name="month") + r",?\s+" + _YEAR.format(name="year"))
_YEAR_RANGE = re.compile(
    _BEFORE + r"(?P<first>\d{4})\s?[-–—]\s?(?P<second>\d{4}|\d{2})(?![\d,.]\d|\w|-\d)"
)
_BARE_YEAR = re.compile(_BEFORE + _YEAR.format(name="year"))


def _month_number(word: str) -> int:
    return _MONTH_WORDS[word.rstrip(".").lower()]


def _approximate_start(text: str, start: int) -> int | None:
    """Where an "about" (or like word) just before ``start`` begins, or None."""
    window = text[max(0, start - 30) : start]
    found = _APPROX.search(window)
    if found is None or found.group().strip() == "":
        return None
    return start - len(window) + found.start()


def _is_count_or_reference(text: str, start: int, end: int) -> bool:
    """True when the number at text[start:end] reads as a page, a number, money or a count."""
    before = text[max(0, start - 12) : start]
    if _NOT_YEAR_BEFORE.search(before):
        return True
    after = text[end : end + 20]
    if _NOT_YEAR_AFTER.match(after):
        return True
    if _YEAR_CUE.search(text[max(0, start - 16) : start]):
        return False
    following = _NEXT_WORD.match(after)
    return following is not None and following.group(1) not in _AFTER_YEAR_WORDS


def find_dates(text: str, *, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> list[FoundDate]:
    """Every date ``text`` names, in text order, the most precise reading of each span first
    (a day before its month and year); spans never overlap. See the module docstring for what
    is read. Runs in time linear in the text."""
    taken = bytearray(len(text))  # 1 where a found date (or a range's dash) already is
    found: list[FoundDate] = []

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def take(start: int, end: int) -> None:
        taken[start:end] = b"\x01" * (end - start)

    def add(year: int, month: int | None, day: int | None, start: int, end: int) -> None:
        if not min_year <= year <= max_year:
            return
        if partial_date_problem(year, month, day) not in (None, DATE_YEAR_OUT_OF_RANGE):
            return
        if not free(start, end):
            return
        approx_start = _approximate_start(text, start)
        if approx_start is not None and free(approx_start, start):
            start = approx_start
        take(start, end)
        found.append(
            FoundDate(year, month, day, approx_start is not None, start, end, text[start:end])
        )

    for match in _ISO_DAY.finditer(text):
        year, month, day = (int(match[g]) for g in ("year", "month", "day"))
        add(year, month, day, match.start(), match.end())
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            add(
                int(match["year"]),
                _month_number(match["month"]),
                int(match["day"]),
                match.start(),
                match.end(),
            )
    for match in _MONTH_YEAR.finditer(text):
        add(int(match["year"]), _month_number(match["month"]), None, match.start(), match.end())
    for match in _YEAR_RANGE.finditer(text):
        first, second_text = int(match["first"]), match["second"]
        second = (
            int(second_text) if len(second_text) == 4 else first // 100 * 100 + int(second_text)
        )
        if second <= first or not free(match.start(), match.end()):
            continue
        if _NOT_YEAR_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        add(first, None, None, match.start("first"), match.end("first"))
        add(second, None, None, match.start("second"), match.end("second"))
        take(match.start(), match.end())  # the dash too: no year inside it again
    for match in _BARE_YEAR.finditer(text):
        if not _is_count_or_reference(text, match.start(), match.end()):
            add(int(match["year"]), None, None, match.start(), match.end())
    found.sort(key=lambda date: date.start)
    return found


def suggest_dates(*texts: str, limit: int = 5) -> list[FoundDate]:
    """The dates the ``texts`` name, the first text's first, each date (by ``key()``) once,
    at most ``limit``: the candidates for the date a passage speaks of. Spans are into the
    text each date was found in."""
    seen: dict[str, FoundDate] = {}
    for text in texts:
        for date in find_dates(text):
            seen.setdefault(date.key(), date)
    return list(seen.values())[:limit]
