"""Dates found in English prose (crosscheck.dates): what is read as a year, a month or a day,
with its span and "about"; what is not a year; and the partial-date rule the services share."""

import pytest

from crosscheck.dates import (
    DATE_APPROXIMATE_NEEDS_YEAR,
    DATE_DAY_NEEDS_MONTH,
    DATE_MONTH_NEEDS_YEAR,
    DATE_MONTH_OUT_OF_RANGE,
    DATE_YEAR_OUT_OF_RANGE,
    FoundDate,
    find_dates,
    partial_date_key,
    partial_date_label,
    partial_date_problem,
)

# (text, [(span text, key), ...]) — the key says year, month, day and "~" for about.
CASES = [
    # years
    ("Trotsky was expelled in 1929.", [("1929", "1929")]),
    ("In 1928 he was exiled to Alma Ata.", [("1928", "1928")]),
    ("1936 saw the first trial.", [("1936", "1936")]),
    ("the trials of 1936-38", [("1936", "1936"), ("38", "1938")]),
    ("the trials of 1936–1938", [("1936", "1936"), ("1938", "1938")]),
    ("the Great Terror (1936-1939), and", [("1936", "1936"), ("1939", "1939")]),
    ("between 1936 and 1938 again", [("1936", "1936"), ("1938", "1938")]),
    ("from mid-1935 to", [("mid-1935", "1935~")]),
    ("this post-1933 foreign policy", [("1933", "1933")]),
    ("a 1956 version published", [("1956", "1956")]),
    ("Orlov’s 1956 article", [("1956", "1956")]),
    ("Lenin as early as 1921 warned", [("1921", "1921")]),
    ("the 1937 population was", [("1937", "1937")]),
    # months
    ("(December 1934)", [("December 1934", "1934-12")]),
    ("convicted in January 1935 with", [("January 1935", "1935-01")]),
    ("in Dec. 1934 the", [("Dec. 1934", "1934-12")]),
    ("in Sept 1934", [("Sept 1934", "1934-09")]),
    ("in September, 1939.", [("September, 1939", "1939-09")]),
    ("MAY 1937", [("MAY 1937", "1937-05")]),
    # days
    ("on 1 December 1934 Kirov", [("1 December 1934", "1934-12-01")]),
    ("on the 1st of December, 1934", [("1st of December, 1934", "1934-12-01")]),
    ("December 1, 1934", [("December 1, 1934", "1934-12-01")]),
    ("The Times for January 24, 1935 carried", [("January 24, 1935", "1935-01-24")]),
    ("Dec. 1 1934", [("Dec. 1 1934", "1934-12-01")]),
    ("dated 1934-12-01.", [("1934-12-01", "1934-12-01")]),
    ("29 February 1936", [("29 February 1936", "1936-02-29")]),  # a leap year
    ("29 February 1934", [("February 1934", "1934-02")]),  # no such day: the month stays
    ("31 April 1934", [("April 1934", "1934-04")]),
    # about
    ("about 1929", [("about 1929", "1929~")]),
    ("around December 1934", [("around December 1934", "1934-12~")]),
    ("c. 1930 and ca. 1931", [("c. 1930", "1930~"), ("ca. 1931", "1931~")]),
    ("circa 1 May 1937", [("circa 1 May 1937", "1937-05-01~")]),
    ("in early 1935", [("early 1935", "1935~")]),
    ("after mid-February 1938, when", [("mid-February 1938", "1938-02~")]),
    ("approximately in 1920", [("approximately in 1920", "1920~")]),
    # several, in text order
    (
        "Exiled in 1928 (Alma Ata), expelled on 10 February 1929.",
        [("1928", "1928"), ("10 February 1929", "1929-02-10")],
    ),
    # not years
    ("see p. 1934 of the report", []),
    ("pp. 1930-1935", []),
    ("Roll No. 1448, page D", []),
    ("it cost $1934", []),
    ("1,934 people were shot", []),
    ("1934.5 tonnes", []),
    ("a phone number 219345 here", []),
    ("1500 men were arrested", []),
    ("some 1934 people were arrested", []),
    ("87.1 percent and 1937 percent", []),
    ("up to 1937 %", []),
    ("in 999 and in 2200", []),  # outside the plausible window
    ("in the 1930s and 1940's", []),  # decades are not read
    ("May 1 Street, may 1934", [("1934", "1934")]),  # "may" in lower case: no month
    ("1934-12 and 1934-1935", [("1934", "1934"), ("1934", "1934"), ("1935", "1935")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_it_finds_the_dates_a_text_names(text, expected):
    found = find_dates(text)
    assert [(date.text, date.key()) for date in found] == expected
    for date in found:
        assert text[date.start : date.end] == date.text


def test_a_date_carries_its_parts_precision_and_label():
    [day] = find_dates("On 1 December 1934, Kirov was shot.")
    assert day == FoundDate(
        year=1934, month=12, day=1, approximate=False, start=3, end=18, text="1 December 1934"
    )
    assert (day.precision, day.label()) == ("day", "1 December 1934")
    [month, year] = find_dates("around December 1934 or in 1935")
    assert (month.precision, month.label(), month.approximate) == (
        "month",
        "about December 1934",
        True,
    )
    assert (year.precision, year.label()) == ("year", "1935")


def test_spans_count_code_points_not_bytes():
    text = "Trotsky’s exile — Алма-Ата — began in January 1928 😀 and in 1929."
    found = find_dates(text)
    assert [text[d.start : d.end] for d in found] == ["January 1928", "1929"]


def test_dates_are_hashable_and_frozen():
    [date] = find_dates("in 1929")
    assert {date, date} == {date}
    with pytest.raises(AttributeError):
        date.year = 1928  # type: ignore[misc]


def test_the_plausible_window_can_be_widened():
    assert [d.year for d in find_dates("in 999 and 1500", min_year=900)] == [1500]
    assert [d.year for d in find_dates("in 1099", min_year=900, max_year=1100)] == [1099]
    assert find_dates("in 1999", max_year=1950) == []


@pytest.mark.parametrize(
    ("parts", "key", "label"),
    [
        ((1934, None, None, False), "1934", "1934"),
        ((1934, 12, None, False), "1934-12", "December 1934"),
        ((1934, 12, 1, False), "1934-12-01", "1 December 1934"),
        ((1929, None, None, True), "1929~", "about 1929"),
        ((1936, 2, 29, True), "1936-02-29~", "about 29 February 1936"),
    ],
)
def test_partial_dates_have_a_stable_key_and_label(parts, key, label):
    assert partial_date_key(*parts) == key
    assert partial_date_label(*parts) == label


@pytest.mark.parametrize(
    ("parts", "problem"),
    [
        ((None, None, None, False), None),
        ((1934, None, None, False), None),
        ((1934, 12, None, True), None),
        ((1936, 2, 29, False), None),
        ((2000, 2, 29, False), None),  # divisible by 400: a leap year
        ((None, None, None, True), DATE_APPROXIMATE_NEEDS_YEAR),
        ((None, 12, None, False), DATE_MONTH_NEEDS_YEAR),
        ((None, None, 1, False), DATE_DAY_NEEDS_MONTH),
        ((1934, None, 1, False), DATE_DAY_NEEDS_MONTH),
        ((999, None, None, False), DATE_YEAR_OUT_OF_RANGE),
        ((2101, None, None, False), DATE_YEAR_OUT_OF_RANGE),
        ((1934, 13, None, False), DATE_MONTH_OUT_OF_RANGE),
        ((1934, 0, None, False), DATE_MONTH_OUT_OF_RANGE),
        ((1934, 2, 29, False), "February 1934 has no day 29."),
        ((1900, 2, 29, False), "February 1900 has no day 29."),  # a century: no leap year
        ((1934, 4, 31, False), "April 1934 has no day 31."),
        ((1934, 4, 0, False), "April 1934 has no day 0."),
    ],
)
def test_partial_date_problem_names_what_is_wrong(parts, problem):
    assert partial_date_problem(*parts) == problem
