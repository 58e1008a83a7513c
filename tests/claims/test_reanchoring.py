"""Re-anchoring claims onto a corrected text (claims.reanchoring): pure functions."""

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from claims.reanchoring import (
    EXACT,
    MOVED,
    NEEDS_CHECK,
    ORPHANED,
    Locator,
    Reanchored,
    Revision,
    fold,
    is_boundary,
    locate,
)

OLD = (
    "The Kirov assassination took place on 1 December 1934 in Leningrad.\n\n"
    "Leonid Nikolayev shot Sergei Kirov in the corridor of the Smolny Institute, "
    "where the Party had its offices.\n\n"
    "Fourteen men were tried in secret and shot within the month, says one account; "
    "another gives thirteen names and a different date for the sentence.\n\n"
    "Trotsky wrote about the case from exile, arguing that the police had known of the plan."
)


def claim(text: str, quote: str, occurrence: int = 0) -> dict[str, object]:
    """The anchor of the ``occurrence``-th ``quote`` in ``text``, as a claim stores it."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return {"start": start, "end": start + len(quote), "quote": quote}


def reanchor(old: str, new: str, quote: str, occurrence: int = 0) -> Reanchored:
    return Revision(old, new).reanchor(**claim(old, quote, occurrence))  # type: ignore[arg-type]


def found(result: Reanchored, text: str) -> str | None:
    return None if result.start is None else text[result.start : result.end]


def test_an_identical_revision_keeps_every_claim_exactly_where_it_was() -> None:
    revision = Revision(OLD, OLD)
    quotes = ["Kirov assassination", "Smolny Institute", "thirteen names", "the plan"]
    for quote in quotes:
        anchor = claim(OLD, quote)
        result = revision.reanchor(**anchor)  # type: ignore[arg-type]
        assert (result.state, result.method) == (EXACT, "same_offsets")
        assert (result.start, result.end, result.score) == (anchor["start"], anchor["end"], 1.0)


def test_a_revision_that_shares_nothing_orphans_every_claim() -> None:
    new = "A recipe for bread: flour, water, salt and yeast, kneaded and left to rise.\n"
    revision = Revision(OLD, new)
    for quote in ["Kirov assassination took place", "shot Sergei Kirov", "Trotsky wrote"]:
        result = revision.reanchor(**claim(OLD, quote))  # type: ignore[arg-type]
        assert result == Reanchored(ORPHANED, None, None, 0.0, "none", ())


def test_offsets_shift_with_a_paragraph_inserted_before_the_claim() -> None:
    new = "Editor's note: corrected transcription.\n\n" + OLD
    quote = "Leonid Nikolayev shot Sergei Kirov"
    result = reanchor(OLD, new, quote)
    assert result.state == EXACT
    assert result.start == OLD.index(quote) + len("Editor's note: corrected transcription.\n\n")
    assert found(result, new) == quote


# A claim whose text survives with small changes moves with them; its meaning is intact.
@pytest.mark.parametrize(
    ("old", "new", "quote", "expected", "method"),
    [
        (
            "He called it “a frame-up from start to finish” in 1937.",
            'He called it "a frame-up from start to finish" in 1937.',
            "“a frame-up from start to finish”",
            '"a frame-up from start to finish"',
            "normalised",
        ),
        (
            "The trials lasted from 1936 – 1938 according to the record.",
            "The trials lasted from 1936 - 1938 according to the record.",
            "from 1936 – 1938 according",
            "from 1936 - 1938 according",
            "normalised",
        ),
        (
            "Trotsky—who was in Norway at the time—denied every charge.",
            "Trotsky -- who was in Norway at the time -- denied every charge.",
            "who was in Norway at the time—denied every charge",
            "who was in Norway at the time -- denied every charge",
            "fuzzy",
        ),
        (
            "It was signed by\u00a0Vyshinsky himself on the same day.",
            "It was signed by Vyshinsky himself on the same day.",
            "signed by\u00a0Vyshinsky himself",
            "signed by Vyshinsky himself",
            "normalised",
        ),
        (
            "The verdict was read at dawn and the men were shot before noon that day.",
            "The verdict was read at\ndawn and the men were shot\nbefore noon that day.",
            "read at dawn and the men were shot before noon",
            "read at\ndawn and the men were shot\nbefore noon",
            "normalised",
        ),
        (
            "The verdict was read at\ndawn and the men   were shot before noon that day.",
            "The verdict was read at dawn and the men were shot before noon that day.",
            "read at\ndawn and the men   were shot",
            "read at dawn and the men were shot",
            "normalised",
        ),
        (
            "The Moscow trials were a sequence of show trials held in the Soviet Union.",
            "The Moscow trials were a sequence of show trails held in the Soviet Union.",
            "a sequence of show trials held in the Soviet Union",
            "a sequence of show trails held in the Soviet Union",
            "fuzzy",
        ),
        (
            "The Moscow trials were a sequence of show trials held in the Soviet Union.",
            "The Moscow trials were a sequence of show trials held in the Sovet Union.",
            "a sequence of show trials held in the Soviet Union",
            "a sequence of show trials held in the Sovet Union",
            "fuzzy",
        ),
        (
            "The Moscow trials were a sequence of show trials held in the Soviet Union.",
            "The Moscow trails were a sequence of show trials held in the Soviet Union.",
            "Moscow trials were a sequence of show trials",
            "Moscow trails were a sequence of show trials",
            "fuzzy",
        ),
    ],
)
def test_small_changes_move_the_claim_with_them(
    old: str, new: str, quote: str, expected: str, method: str
) -> None:
    result = reanchor(old, new, quote)
    assert (result.state, result.method) == (MOVED, method)
    assert found(result, new) == expected
    assert result.score >= 0.95


def test_a_claim_spanning_a_deleted_sentence_is_held_for_a_check() -> None:
    quote = "Fourteen men were tried in secret and shot within the month, says one account"
    new = OLD.replace("Fourteen men were tried in secret and shot within the month, says ", "")
    result = reanchor(OLD, new, quote)
    assert result.state in (NEEDS_CHECK, ORPHANED)


def test_a_changed_number_is_never_moved_silently() -> None:
    old = "Trotsky was exiled to Alma Ata in 1928 and expelled from the country in 1929."
    new = "Trotsky was exiled to Alma Ata in 1927 and expelled from the country in 1929."
    result = reanchor(old, new, "Trotsky was exiled to Alma Ata in 1928")
    assert result.state == NEEDS_CHECK
    assert found(result, new) == "Trotsky was exiled to Alma Ata in 1927"
    assert result.candidates and result.candidates[0].quote == found(result, new)


@pytest.mark.parametrize("kept", [0.0, 0.2, 0.35, 0.45])
def test_a_claim_that_lost_more_than_half_of_its_text_is_never_applied(kept: float) -> None:
    quote = (
        "Leonid Nikolayev shot Sergei Kirov in the corridor of the Smolny Institute, "
        "where the Party had its offices."
    )
    survives = quote[: int(len(quote) * kept)]
    new = OLD.replace(quote, survives + " The rest of this paragraph was struck out.")
    result = reanchor(OLD, new, quote)
    assert result.state in (NEEDS_CHECK, ORPHANED)
    assert not result.applied


def test_a_claim_deleted_with_its_words_found_elsewhere_is_not_moved_onto_them() -> None:
    # Hypothesis's fuzzy matcher put such claims on the nearest words that looked alike.
    old = OLD + "\n\nKirov was shot in the corridor, the papers said the next morning."
    quote = "Leonid Nikolayev shot Sergei Kirov in the corridor of the Smolny Institute"
    new = old.replace(quote + ", where the Party had its offices.", "")
    result = reanchor(old, new, quote)
    assert result.state == ORPHANED or (result.state == NEEDS_CHECK and result.score < 0.95)


REPEATED = (
    "Chapter one. The accused confessed to every charge. Nobody believed it abroad.\n\n"
    "Chapter two. The accused confessed to every charge. The newspapers printed it at home."
)
SENTENCE = "The accused confessed to every charge."


@pytest.mark.parametrize(
    ("new", "shifts"),
    [
        # Offsets shift: each claim follows its own occurrence.
        ("Preface.\n\n" + REPEATED, (10, 10)),
        # Text between the two repeats grows: still each its own.
        (REPEATED.replace("believed it abroad.", "believed it abroad, they say."), (0, 10)),
    ],
)
def test_a_repeated_quote_keeps_its_own_occurrence(new: str, shifts: tuple[int, int]) -> None:
    for occurrence in (0, 1):
        result = reanchor(REPEATED, new, SENTENCE, occurrence)
        assert result.state == EXACT
        assert result.start == claim(REPEATED, SENTENCE, occurrence)["start"] + shifts[occurrence]  # type: ignore[operator]
        assert found(result, new) == SENTENCE


def test_a_deleted_repeat_does_not_take_over_the_remaining_one() -> None:
    new = REPEATED.replace("Chapter one. The accused confessed to every charge. ", "Chapter one. ")
    first = reanchor(REPEATED, new, SENTENCE, 0)
    second = reanchor(REPEATED, new, SENTENCE, 1)
    assert first.state in (NEEDS_CHECK, ORPHANED)
    assert second.state == EXACT and second.start == new.index(SENTENCE)


def test_repeats_whose_order_changed_are_told_apart_by_their_context() -> None:
    moscow = "In Moscow the prosecutor told the court: the accused confessed everything."
    paris = "In Paris the emigre papers wrote instead: the accused confessed everything."
    quote = "the accused confessed everything."
    old, new = f"{moscow}\n\n{paris}", f"{paris}\n\n{moscow}"
    for occurrence, source in ((0, moscow), (1, paris)):
        result = reanchor(old, new, quote, occurrence)
        assert result.state == EXACT
        assert result.start == new.index(source) + source.index(quote)


# Grapheme clusters: a new span never starts or ends inside one.
@pytest.mark.parametrize(
    ("old", "new", "quote"),
    [
        # A skin tone added to the emoji that ends the quote.
        (
            "They loved it 👍 and said so loudly.",
            "They loved it 👍🏽 and said so loudly.",
            "They loved it 👍",
        ),
        # A combining accent added to the last letter of the quote.
        (
            "We met at the cafe near the station.",
            "We met at the cafe\u0301 near the station.",
            "met at the cafe",
        ),
        # A family emoji (joined by zero-width joiners) whose first person is quoted.
        ("Here 👨 waits at the door.", "Here 👨\u200d👩\u200d👧 waits at the door.", "Here 👨"),
        # A flag (two regional indicators) next to a one-letter fix.
        (
            "The delegation 🇫🇷 arrived late in Moscow.",
            "The delegation 🇫🇷 arived late in Moscow.",
            "delegation 🇫🇷 arrived late",
        ),
        # Combining marks inside the quote, a letter fixed beside them.
        (
            "Ceauşescu and Dubc\u030cek spoke at the congress.",
            "Ceauşescu and Dubc\u030cek spoka at the congress.",
            "Dubc\u030cek spoke at the congress",
        ),
    ],
)
def test_no_span_splits_a_grapheme_cluster(old: str, new: str, quote: str) -> None:
    result = reanchor(old, new, quote)
    assert result.start is not None and result.end is not None
    assert is_boundary(new, result.start) and is_boundary(new, result.end)
    for candidate in result.candidates:
        assert is_boundary(new, candidate.start) and is_boundary(new, candidate.end)
    if result.state == EXACT:
        assert found(result, new) == quote


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [
        ("a\u0301b", 1, False),  # a letter and its accent
        ("👍🏽x", 1, False),  # an emoji and its skin tone
        ("👨\u200d👩", 1, False),  # before a zero-width joiner
        ("👨\u200d👩", 2, False),  # after it
        ("🇫🇷🇩🇪", 1, False),  # inside a flag
        ("🇫🇷🇩🇪", 2, True),  # between two flags
        ("ab", 1, True),
        ("ab", 0, True),
        ("ab", 2, True),
    ],
)
def test_is_boundary(text: str, index: int, expected: bool) -> None:
    assert is_boundary(text, index) is expected


def test_fold_straightens_quotes_unifies_dashes_and_collapses_white_space() -> None:
    assert fold("“A”\u00a0‘b’ – c — d\n\n e\u00adf") == "\"A\" 'b' - c - d ef"


TEXT = "One said 1934. Another said 1934. A third said 1935, and nobody agreed."


@pytest.mark.parametrize(
    ("kwargs", "state", "start", "method"),
    [
        # The position holds the quote: taken as it is.
        ({"quote": "Another said 1934.", "start": 15, "end": 33}, EXACT, 15, "same_offsets"),
        # A wrong position, a unique long quote: found anyway.
        (
            {"quote": "A third said 1935, and nobody", "start": 0, "end": 29},
            EXACT,
            34,
            "unique_exact",
        ),
        # No position: a unique long quote.
        ({"quote": "A third said 1935, and nobody"}, EXACT, 34, "unique_exact"),
        # A repeated short quote and nothing to tell the places apart: a person decides.
        ({"quote": "said 1934."}, NEEDS_CHECK, 4, "unique_exact"),
        # The prefix tells which.
        ({"quote": "said 1934.", "prefix": "One said 1934. Another "}, EXACT, 23, "unique_exact"),
        ({"quote": "said 1934.", "prefix": "One "}, EXACT, 4, "unique_exact"),
        # The suffix tells which.
        ({"quote": "said 1934.", "suffix": " A third said 1935"}, EXACT, 23, "unique_exact"),
        # A position near one of them.
        ({"quote": "said 1934.", "start": 23, "end": 33}, EXACT, 23, "same_offsets"),
        # Curly quotes in the imported quote.
        ({"quote": "nobody agreed’"}, NEEDS_CHECK, None, None),
        # Not in the text at all.
        ({"quote": "Kamenev and Zinoviev were tried in August 1936"}, ORPHANED, None, "none"),
        # Offsets out of range are no position.
        (
            {"quote": "A third said 1935, and nobody", "start": 500, "end": 529},
            EXACT,
            34,
            "unique_exact",
        ),
        # Nothing to look for.
        ({"quote": "   "}, ORPHANED, None, "none"),
    ],
)
def test_locate(
    kwargs: dict[str, object], state: str, start: int | None, method: str | None
) -> None:
    result = locate(TEXT, **kwargs)  # type: ignore[arg-type]
    assert result.state == state
    if start is not None:
        assert result.start == start
    if method is not None:
        assert result.method == method
    if result.state in (EXACT, MOVED):
        assert result.candidates == ()


def test_locate_normalises_quotes_dashes_and_white_space() -> None:
    text = 'He wrote: "the trial was a sham" - and left\nfor Mexico.'
    result = locate(text, quote="“the trial was a sham” – and left for Mexico")
    assert (result.state, result.method) == (MOVED, "normalised")
    assert found(result, text) == '"the trial was a sham" - and left\nfor Mexico'


def test_locate_finds_a_quote_with_a_letter_fixed() -> None:
    text = "Later accounts said the commission had examined every archive in the city."
    result = locate(
        text,
        quote="the comission had examined every archive",
        prefix="Later accounts said ",
        suffix=" in the city.",
    )
    assert (result.state, result.method) == (MOVED, "fuzzy")
    assert found(result, text) == "the commission had examined every archive"


def test_a_stored_quote_that_does_not_match_the_old_text_is_still_found_by_its_words() -> None:
    revision = Revision(OLD, OLD)
    result = revision.reanchor(start=0, end=5, quote="shot Sergei Kirov in the corridor")
    assert result.state == EXACT
    assert found(result, OLD) == "shot Sergei Kirov in the corridor"


SEED_TEXT = next((Path(__file__).parents[2] / "seeds").glob("004_*.txt")).read_text("utf-8")


def _quotes_to_locate(text: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Quotes an import brings, of every kind: at their position, at a wrong one or none,
    repeated, with quotes straightened or white space reflowed, a letter fixed, with and
    without context, and not in the text at all."""
    found = []
    for n in range(count):
        length = rng.choice([8, 14, 30, 60, 120])
        start = rng.randrange(0, len(text) - length)
        quote = text[start : start + length]
        end = start + length
        prefix, suffix = text[max(0, start - 32) : start], text[end : end + 32]
        position: tuple[int, int] | tuple[None, None] = (start, end)
        variant = n % 8
        if variant == 1:
            position = (start + rng.randrange(-400, 400), end + 3)  # a wrong position
        elif variant == 2:
            position = (None, None)  # no position
        elif variant == 3:
            quote = quote.replace("\u2019", "'").replace("\u201c", '"').replace("\n", " ")
        elif variant == 4:
            at = rng.randrange(len(quote))
            quote = quote[:at] + rng.choice("aeiostx") + quote[at + 1 :]  # a letter fixed
        elif variant == 5:
            prefix = suffix = ""
        elif variant == 6:
            quote = "".join(rng.sample(quote, len(quote)))  # its letters shuffled: not there
        elif variant == 7:
            quote = rng.choice(["the ", "Stalin", " of the ", "Trotsky"])  # repeated
        found.append(
            {
                "quote": quote,
                "prefix": prefix,
                "suffix": suffix,
                "start": position[0],
                "end": position[1],
            }  # fmt: skip
        )
    return found


def test_a_prepared_locator_answers_exactly_as_locate_on_many_quotes() -> None:
    text = SEED_TEXT[:60_000]
    quotes = _quotes_to_locate(text, 240, random.Random(7))
    expected = [locate(text, **q) for q in quotes]
    locator = Locator(text)
    # In reverse order: what one quote leaves behind must not change another's answer.
    answers = [locator.locate(**q) for q in reversed(quotes)][::-1]
    assert answers == expected
    states = Counter(result.state for result in expected)
    methods = Counter(result.method for result in expected)
    assert set(states) == {EXACT, MOVED, NEEDS_CHECK, ORPHANED}, states
    assert {"same_offsets", "unique_exact", "normalised", "fuzzy", "none"} <= set(methods)


def test_revisions_sharing_a_prepared_new_text_answer_as_unshared_ones() -> None:
    new = OLD.replace("Fourteen men", "Fourteen  men").replace("police", "polce")
    prepared = Locator(new)
    quotes = ["Kirov assassination", "Fourteen men were tried", "the police had known"]
    for old in (OLD, OLD.replace("in Leningrad", "in the city of Leningrad")):
        for quote in quotes:
            anchor = claim(old, quote)
            shared = Revision(old, new, prepared=prepared).reanchor(**anchor)  # type: ignore[arg-type]
            assert shared == Revision(old, new).reanchor(**anchor)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not the new text"):
        Revision(OLD, new, prepared=Locator(OLD))
