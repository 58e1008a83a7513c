"""Re-anchoring claims onto a revised text — pure functions, no database.

A corrected transcription is a new text; every claim and passage evidence anchored in the
old text is carried over by the safest method that finds it, in this order:

1. ``same_offsets`` — the old position, carried through a map of the unchanged stretches
   of the two texts, holds the quote exactly;
2. ``unique_exact`` — the quote occurs exactly once in the new text (or once again among
   repeats, told apart by position and prefix/suffix context);
3. ``normalised`` — the same after straightening quotes, unifying dashes and collapsing
   white space (reflowed lines, no-break spaces);
4. ``fuzzy`` — an approximate match near the old position or found by the quote's rarer
   words, applied only when nearly every character survives (a letter fixed here and
   there), both ends of the quote are found, the numbers are unchanged and the position or
   the context agrees.

The result is a state: EXACT (the quote is there, unchanged), MOVED (small changes, a
confident match: applied), NEEDS_CHECK (a proposal a person must accept) or ORPHANED
(nothing acceptable). A claim is never moved onto text that does not carry its words:
when in doubt the answer is NEEDS_CHECK or ORPHANED, never a guess. A quote that lost
more than half of its characters can score at most 2/3 and so is never applied.

Offsets are code points (Python indices), as in ``claims.anchoring``; a new span never
starts or ends inside a grapheme cluster (a letter and its combining marks, an emoji with
its modifiers or joined by zero-width joiners, a flag)."""

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, LCSseq, Levenshtein, Opcode

from claims.anchoring import CONTEXT_LENGTH

EXACT, MOVED, NEEDS_CHECK, ORPHANED = "exact", "moved", "needs_check", "orphaned"
STATES = (EXACT, MOVED, NEEDS_CHECK, ORPHANED)

METHOD_SAME_OFFSETS = "same_offsets"
METHOD_UNIQUE_EXACT = "unique_exact"
METHOD_NORMALISED = "normalised"
METHOD_FUZZY = "fuzzy"
METHOD_NONE = "none"

# A fuzzy match is applied (MOVED) only from this similarity up: a one-letter fix in a
# 60-character quote scores 0.98, three fixes 0.95; a quote that lost a tenth of its
# characters scores below it.
MOVED_MIN_SCORE = 0.95
# Below this no proposal is made at all (ORPHANED): a quote that lost more than half of its
# characters scores at most 0.67, and one that lost two thirds 0.5.
CHECK_MIN_SCORE = 0.6
# A fuzzy match must find the quote's first and last characters within this many
# characters of an unchanged stretch, a letter off at most (a letter fixed near an end).
END_SLACK = 8
# Unchanged stretches shorter than this at either end of an alignment are chance
# agreements of letters, not the quote.
MIN_BLOCK = 4
# Unchanged stretches making up at most this many characters at either end of an
# alignment, parted from the rest by text the quote does not have, are chance agreements.
STRAY = 16
# Quotes shorter than this are common enough to recur by chance: they move only with the
# position or the context agreeing, never on uniqueness alone.
SHORT_QUOTE = 24
# Prefix or suffix similarity from which the context counts as agreeing, and by how much
# it must beat every other place's to tell that place apart.
CONTEXT_AGREES = 0.6
CONTEXT_MARGIN = 0.2
# The score of a place a repeated quote may have gone to, not told apart from the others.
AMBIGUOUS_SCORE = 0.5
# The score of a match found once quotes, dashes and white space are normalised.
NORMALISED_SCORE = 0.99
# A second fuzzy match within this much of the best leaves the choice to a person.
RIVAL_MARGIN = 0.05
# The position map vouches for an offset this close to a word it found in both texts.
TRUSTED_DISTANCE = 2 * CONTEXT_LENGTH
UNTRUSTED = 1 << 62
# How many alternatives a result lists for the orphan queue.
MAX_CANDIDATES = 3
# Occurrences of a quote looked at; more than this is hopelessly ambiguous anyway.
MAX_OCCURRENCES = 50
# A word in more places than this is too common to suggest where a quote went.
RARE_WORD = 20
# How many of a quote's rarest words are looked up to find where it went.
SEED_WORDS = 6


@dataclass(frozen=True)
class Candidate:
    start: int  # code points in the NEW text
    end: int
    score: float  # 0..1, 1 = identical
    quote: str  # new_text[start:end]


@dataclass(frozen=True)
class Reanchored:
    state: str  # EXACT | MOVED | NEEDS_CHECK | ORPHANED
    start: int | None  # the anchor (EXACT/MOVED), the proposal (NEEDS_CHECK), None (ORPHANED)
    end: int | None
    score: float  # confidence 0..1 of the chosen/proposed match (0 for ORPHANED)
    method: str  # "same_offsets" | "unique_exact" | "normalised" | "fuzzy" | "none"
    candidates: tuple[Candidate, ...]  # best alternatives (<= 3), for the orphan queue

    @property
    def applied(self) -> bool:
        """True when the new anchor replaces the old one without a person's check."""
        return self.state in (EXACT, MOVED)


# --- Grapheme clusters ------------------------------------------------------------------

_ZWJ = "\u200d"


def _extends(character: str) -> bool:
    """True for a character that belongs to the cluster before it: combining marks,
    the zero-width joiner, variation selectors, emoji skin tones, tag characters,
    Hangul vowel and final jamo."""
    code = ord(character)
    return (
        unicodedata.category(character) in ("Mn", "Me", "Mc")
        or character == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1160 <= code <= 0x11FF
    )


def _regional(character: str) -> bool:
    return 0x1F1E6 <= ord(character) <= 0x1F1FF


def is_boundary(text: str, index: int) -> bool:
    """True when ``index`` falls between two grapheme clusters of ``text``."""
    if index <= 0 or index >= len(text):
        return True
    if _extends(text[index]) or text[index - 1] == _ZWJ:
        return False
    if _regional(text[index]) and _regional(text[index - 1]):
        run = 0
        while index - run - 1 >= 0 and _regional(text[index - run - 1]):
            run += 1
        return run % 2 == 0
    return True


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``start..end`` to whole grapheme clusters."""
    while not is_boundary(text, start):
        start -= 1
    while not is_boundary(text, end):
        end += 1
    return start, end


# --- Normalised text ----------------------------------------------------------------------

_FOLDS = (
    *((quote, "'") for quote in "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"),
    *((quote, '"') for quote in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"),
    *((dash, "-") for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"),
    *((chr(code), " ") for code in range(0x3001) if chr(code).isspace() and code != 0x20),
)
# After _translate every white space character is a space: runs of spaces become one,
# and characters that show nothing inside words (soft hyphen, zero-width space, word
# joiner, byte-order mark) go.
_INVISIBLE = "\u00ad\u200b\u2060\ufeff"
_COLLAPSE = re.compile(f" {{2,}}|[{_INVISIBLE}]+")
_SHORT_COLLAPSE = re.compile(f"[{_INVISIBLE}]+| {{2,}}")


def _translate(text: str) -> str:
    """Quotes straightened, dashes unified, white space made spaces: one character for
    one, so offsets are unchanged. (A chain of ``str.replace`` for the characters present
    is ten times faster than ``str.translate`` on a long text.)"""
    for character, replacement in _FOLDS:
        if character in text:
            text = text.replace(character, replacement)
    return text


class _Folded:
    """A text with quotes straightened, dashes unified, each run of white space one space
    and soft hyphens and zero-width spaces dropped, with the way back to the original
    offsets."""

    __slots__ = ("folded_at", "original_at", "text")

    def __init__(self, text: str) -> None:
        translated = _translate(text)
        pieces: list[str] = []
        # Breakpoints: from folded_at[k] on, folded offsets run parallel to the original
        # from original_at[k].
        self.folded_at = [0]
        self.original_at = [0]
        done = folded = 0
        for match in _COLLAPSE.finditer(translated):
            pieces.append(translated[done : match.start()])
            folded += match.start() - done
            if match.group()[0] == " ":
                pieces.append(" ")
                folded += 1
            done = match.end()
            self.folded_at.append(folded)
            self.original_at.append(done)
        pieces.append(translated[done:])
        self.text = "".join(pieces)

    def original(self, index: int) -> int:
        """The original offset of folded offset ``index`` (a start)."""
        k = bisect_right(self.folded_at, index) - 1
        return self.original_at[k] + index - self.folded_at[k]

    def original_end(self, index: int) -> int:
        """The original offset just after folded character ``index - 1`` (an end)."""
        return self.original(index - 1) + 1 if index > 0 else 0

    def folded(self, index: int) -> int:
        """The folded offset of original offset ``index`` (or of what follows it)."""
        k = bisect_right(self.original_at, index) - 1
        return self.folded_at[k] + max(0, index - self.original_at[k])


def fold(text: str) -> str:
    """``text`` with quotes straightened, dashes unified, white space collapsed and
    invisible characters dropped (what ``_Folded`` does, for short texts)."""
    return _SHORT_COLLAPSE.sub(
        lambda match: "" if match.group()[0] != " " else " ", _translate(text)
    )


# --- The position map -------------------------------------------------------------------

_WORD = re.compile(r"\w+")


_SPLIT_WORDS = re.compile(r"(\w+)")


def _words(text: str) -> tuple[list[str], list[int]]:
    """The words of ``text`` and their offsets."""
    parts = _SPLIT_WORDS.split(text)  # separator, word, separator, …, separator
    offsets = list(accumulate(map(len, parts), initial=0))
    return parts[1::2], offsets[1:-1:2]


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by their first item) whose second items
    increase too: the unchanged stretches that kept their order."""
    tails: list[int] = []  # tails[k]: the smallest second item ending a run of k + 1
    tail_index: list[int] = []
    previous = [-1] * len(pairs)
    for i, (_, second) in enumerate(pairs):
        k = bisect_left(tails, second)
        previous[i] = tail_index[k - 1] if k else -1
        if k == len(tails):
            tails.append(second)
            tail_index.append(i)
        else:
            tails[k] = second
            tail_index[k] = i
    run = []
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        run.append(pairs[i])
        i = previous[i]
    return run[::-1]


class _Words:
    """The words of a text: how often each occurs, where the first and the last of each
    is (so where a word found once or twice is) — built with C loops only."""

    def __init__(self, text: str) -> None:
        self._words, self._starts = _words(text)
        self.counts = Counter(self._words)
        self.last = dict(zip(self._words, self._starts, strict=True))
        self._first: dict[str, int] | None = None

    @property
    def first(self) -> dict[str, int]:
        """Where the first of each word is (built on first use)."""
        if self._first is None:
            self._first = dict(zip(reversed(self._words), reversed(self._starts), strict=True))
        return self._first

    def once(self) -> set[str]:
        return {word for word, count in self.counts.items() if count == 1}


class _PositionMap:
    """Old offsets to new ones, from the words found exactly once in each text (a
    patience diff on words): an old offset moves by the shift of the nearest such word at
    or before it that kept its order."""

    def __init__(self, old: _Words, new: _Words, new_length: int) -> None:
        common = old.once() & new.once()
        kept = _increasing(sorted((old.last[word], new.last[word]) for word in common))
        self.old_points = [old_point for old_point, _ in kept]
        self.new_points = [new_point for _, new_point in kept]
        self.new_length = new_length

    def __call__(self, old_offset: int) -> tuple[int, int]:
        """The new offset expected for ``old_offset`` and how far it lies from the word
        found in both texts that carried it (0: it starts such a word). Before the first
        such word the old offset itself is the guess, infinitely far."""
        k = bisect_right(self.old_points, old_offset) - 1
        if k < 0:
            return min(old_offset, self.new_length), UNTRUSTED
        shifted = old_offset + self.new_points[k] - self.old_points[k]
        return min(max(shifted, 0), self.new_length), old_offset - self.old_points[k]


# --- Matching ------------------------------------------------------------------------------


def _occurrences(text: str, quote: str) -> list[int]:
    found: list[int] = []
    index = text.find(quote)
    while index >= 0 and len(found) < MAX_OCCURRENCES:
        found.append(index)
        index = text.find(quote, index + 1)
    return found


def _similarity(a: str, b: str) -> float:
    return Indel.normalized_similarity(a, b)


def _digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


class _Target:
    """The new text with what every lookup in it needs, built once."""

    def __init__(self, text: str, words: _Words | None = None) -> None:
        self.text = text
        self.folded = _Folded(text)
        self._words = words
        # Each word's places, once looked up: a short word ("t" of "didn't") is a search
        # through every one of its thousands of occurrences inside other words.
        self._places: dict[str, list[int]] = {}

    @property
    def words(self) -> _Words:
        """The words of the text (built on first use)."""
        if self._words is None:
            self._words = _Words(self.text)
        return self._words

    def word_positions(self, word: str) -> list[int]:
        """The folded offsets where ``word`` stands as a whole word (not to be changed:
        the list is kept for the next lookup)."""
        places = self._places.get(word)
        if places is None:
            places = self._places[word] = self._find_word(word)
        return places

    def _find_word(self, word: str) -> list[int]:
        words, folded = self.words, self.folded
        count = words.counts[word]
        if count <= 2:
            places = {words.first[word], words.last[word]} if count else set()
            return sorted(folded.folded(place) for place in places)
        text, found = folded.text, []
        index = text.find(word)
        while index >= 0:
            end = index + len(word)
            if not (index and text[index - 1].isalnum()) and not (
                end < len(text) and text[end].isalnum()
            ):
                found.append(index)
            index = text.find(word, end)
        return found

    def context_score(self, start: int, end: int, prefix: str, suffix: str) -> float | None:
        """How well the text around ``start..end`` agrees with the old prefix and suffix:
        the better side's similarity, None when there is no context to compare."""
        scores = []
        if prefix.strip():
            before = fold(self.text[max(0, start - 2 * len(prefix)) : start]).lstrip()
            wanted = fold(prefix).strip()
            before = before.rstrip()[-len(wanted) :] if wanted else ""
            scores.append(_similarity(wanted, before))
        if suffix.strip():
            after = fold(self.text[end : end + 2 * len(suffix)]).lstrip()
            wanted = fold(suffix).strip()
            scores.append(_similarity(wanted, after[: len(wanted)]))
        return max(scores) if scores else None

    def trim(self, start: int, end: int) -> tuple[int, int]:
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end


@dataclass(frozen=True)
class _Hint:
    """What is known of where the quote was: the expected new start (None: unknown) and
    whether the position map vouches for it, the old prefix and suffix, whether the old
    span began and ended at word boundaries (None: unknown), and the old text."""

    start: int | None
    trusted: bool
    prefix: str = ""
    suffix: str = ""
    starts_word: bool | None = None
    ends_word: bool | None = None
    old_text: str | None = None
    old_start: int | None = None

    def repeats(self, quote: str) -> int:
        """How often ``quote`` occurs in the old text (1 when there is none)."""
        return len(_occurrences(self.old_text, quote)) if self.old_text else 1

    def rival_contexts(self, quote: str) -> list[tuple[str, str]]:
        """The prefix and suffix of every other occurrence of ``quote`` in the old text."""
        old = self.old_text
        if not old:
            return []
        return [
            (old[max(0, start - CONTEXT_LENGTH) : start], old[end : end + CONTEXT_LENGTH])
            for start in _occurrences(old, quote)
            if start != self.old_start
            for end in [start + len(quote)]
        ]

    def near(self, start: int, length: int) -> bool:
        """True when ``start`` is where the position map expects the quote."""
        return (
            self.start is not None
            and self.trusted
            and abs(start - self.start) <= max(32, length // 4)
        )


def _candidate(target: _Target, start: int, end: int, score: float) -> Candidate:
    return Candidate(start=start, end=end, score=round(score, 4), quote=target.text[start:end])


def _context(target: _Target, span: tuple[int, int], quote: str, hint: _Hint) -> float:
    """How well the context of ``span`` agrees with the claim's old prefix and suffix — 0
    unless clearly better than with those of the quote's other places in the old text
    (a repeat whose own copy was deleted must not take over the one left)."""
    own = target.context_score(*span, hint.prefix, hint.suffix)
    if own is None:
        return 0.0
    for prefix, suffix in hint.rival_contexts(quote):
        rival = target.context_score(*span, prefix, suffix)
        if rival is not None and own - rival < CONTEXT_MARGIN:
            return 0.0
    return own


def _agrees(score: float) -> bool:
    return score >= CONTEXT_AGREES


def _choose(target: _Target, spans: list[tuple[int, int]], quote: str, hint: _Hint) -> int | None:
    """Tell apart the places a quote was found: the one at the expected position when it
    alone is there, else the one whose context alone agrees; None when neither."""
    length = len(quote)
    if hint.start is not None and hint.trusted:
        expected = hint.start
        distances = sorted((abs(start - expected), i) for i, (start, _) in enumerate(spans))
        best, chosen = distances[0]
        runner_up = distances[1][0] if len(distances) > 1 else None
        if best <= max(32, length // 4) and (
            runner_up is None or runner_up > best + max(16, length // 2)
        ):
            return chosen
    ranked = sorted((_context(target, span, quote, hint), i) for i, span in enumerate(spans))
    best_score, chosen = ranked[-1]
    second = ranked[-2][0] if len(ranked) > 1 else 0.0
    if _agrees(best_score) and best_score - second >= CONTEXT_MARGIN:
        return chosen
    return None


def _fits_words(text: str, start: int, end: int, quote: str, hint: _Hint) -> bool:
    """True unless the span cuts a word the old span did not cut."""
    if hint.starts_word and quote[:1].isalnum():
        if not text[start].isalnum() or (start > 0 and text[start - 1].isalnum()):
            return False
    if hint.ends_word and quote[-1:].isalnum():
        if not text[end - 1].isalnum() or (end < len(text) and text[end].isalnum()):
            return False
    return True


def _at_position(target: _Target, quote: str, wanted: str, hint: _Hint) -> Reanchored | None:
    """The quote exactly, or once normalised, where the position map puts it."""
    if hint.start is None or not (hint.trusted or len(wanted) >= SHORT_QUOTE):
        return None
    text, start = target.text, hint.start
    end = start + len(quote)
    if text.startswith(quote, start) and is_boundary(text, start) and is_boundary(text, end):
        return Reanchored(EXACT, start, end, 1.0, METHOD_SAME_OFFSETS, ())
    folded = target.folded
    folded_start = folded.folded(start)
    if folded.text.startswith(wanted, folded_start):
        span = _from_folded(target, folded_start, folded_start + len(wanted))
        if span is not None and hint.near(span[0], len(quote)):
            return _normalised_result(target, quote, span)
    return None


def _from_folded(target: _Target, start: int, end: int) -> tuple[int, int] | None:
    """The original span of a folded span, widened to whole grapheme clusters."""
    folded = target.folded
    start, end = snap(target.text, folded.original(start), folded.original_end(end))
    start, end = target.trim(start, end)
    return (start, end) if start < end else None


def _normalised_result(target: _Target, quote: str, span: tuple[int, int]) -> Reanchored:
    start, end = span
    found = target.text[start:end]
    if found == quote:
        return Reanchored(EXACT, start, end, 1.0, METHOD_NORMALISED, ())
    return Reanchored(MOVED, start, end, NORMALISED_SCORE, METHOD_NORMALISED, ())


def _exact_spans(target: _Target, quote: str) -> list[tuple[int, int]]:
    text = target.text
    return [
        (start, start + len(quote))
        for start in _occurrences(text, quote)
        if is_boundary(text, start) and is_boundary(text, start + len(quote))
    ]


def _normalised_spans(target: _Target, wanted: str) -> list[tuple[int, int]]:
    spans = {
        _from_folded(target, start, start + len(wanted))
        for start in _occurrences(target.folded.text, wanted)
    }
    return sorted(span for span in spans if span is not None)


def _pick(
    target: _Target,
    spans: list[tuple[int, int]],
    quote: str,
    wanted: str,
    hint: _Hint,
    method: str,
) -> Reanchored:
    """The one place among ``spans`` the quote went, or a NEEDS_CHECK listing them."""
    chosen: int | None = None
    if len(spans) == 1 and hint.repeats(quote) <= 1:
        start, end = spans[0]
        if (
            len(wanted) >= SHORT_QUOTE
            or hint.near(start, len(quote))
            or _agrees(_context(target, (start, end), quote, hint))
        ):
            chosen = 0
    elif len(spans) > 1 or hint.start is not None:
        chosen = _choose(target, spans, quote, hint)
    if chosen is not None:
        if method == METHOD_NORMALISED:
            return _normalised_result(target, quote, spans[chosen])
        start, end = spans[chosen]
        return Reanchored(EXACT, start, end, 1.0, method, ())
    candidates = tuple(
        _candidate(target, start, end, _similarity(quote, target.text[start:end]))
        for start, end in spans[:MAX_CANDIDATES]
    )
    best = candidates[0]
    return Reanchored(NEEDS_CHECK, best.start, best.end, AMBIGUOUS_SCORE, method, candidates)


@dataclass(frozen=True)
class _Fuzzy:
    start: int  # original offsets in the new text
    end: int
    score: float
    ends_found: bool  # both ends of the quote found (a letter off at most)


def _letter_off(missing: str, found: str) -> int | None:
    """The Levenshtein distance of ``found`` from ``missing`` when at most one letter is
    fixed (replaced, dropped or added); else None."""
    distance = Levenshtein.distance(missing, found, score_cutoff=1)
    return distance if distance <= 1 else None


def _closest(missing: str, options: list[tuple[int, str]]) -> int | None:
    """The size of the option (size, text) that is ``missing`` with at most one letter
    fixed, the closest first and, on a tie, the one as long as ``missing``."""
    scored = [
        (distance, size != len(missing), size)
        for size, found in options
        if (distance := _letter_off(missing, found)) is not None
    ]
    return min(scored)[2] if scored else None


def _sizes(missing: str) -> tuple[int, ...]:
    return (len(missing), len(missing) - 1, len(missing) + 1)


def _edge(text: str, at: int, missing: str, *, before: bool) -> int | None:
    """Where the quote starts (``before``: its first characters ``missing`` were not found
    before folded offset ``at``) or ends (its last characters were not found after it): a
    few characters back or on, a letter off at most; else None."""
    if not missing:
        return at
    if len(missing) > END_SLACK:
        return None
    if before:
        candidates = [(n, text[at - n : at]) for n in _sizes(missing) if n <= at]
    else:
        candidates = [(n, text[at : at + n]) for n in _sizes(missing)]
    size = _closest(missing, candidates)
    if size is None:
        return None
    return at - size if before else at + size


def _inserted(before: Opcode, after: Opcode) -> int:
    """How much more new text than quote lies between two unchanged stretches."""
    return (after.dest_start - before.dest_end) - (after.src_start - before.src_end)


def _without_strays(blocks: list[Opcode]) -> list[Opcode]:
    """The unchanged stretches of an alignment without those at either end that are
    letters agreeing by chance: shorter than MIN_BLOCK, or at most STRAY characters parted
    from the rest by text the quote does not have (its words found again nearby: a
    repeated date, a "the")."""

    def size(block: Opcode) -> int:
        return block.src_end - block.src_start

    def strays(blocks: list[Opcode]) -> int:
        """How many blocks at the start of ``blocks`` are strays."""
        if blocks and size(blocks[0]) < MIN_BLOCK:
            return 1
        matched = 0
        for k in range(len(blocks) - 1):
            matched += size(blocks[k])
            if matched > STRAY:
                break
            if _inserted(blocks[k], blocks[k + 1]) > END_SLACK:
                return k + 1
        return 0

    def reverse(blocks: list[Opcode]) -> list[Opcode]:
        return [
            Opcode("equal", -b.src_end, -b.src_start, -b.dest_end, -b.dest_start)
            for b in reversed(blocks)
        ]

    while count := strays(blocks):
        blocks = blocks[count:]
    blocks = reverse(blocks)
    while count := strays(blocks):
        blocks = blocks[count:]
    return reverse(blocks)


def _align(target: _Target, wanted: str, folded_start: int) -> _Fuzzy | None:
    """The best approximate occurrence of folded ``wanted`` around folded offset
    ``folded_start``."""
    text = target.folded.text
    pad = len(wanted) // 2 + 16
    low = max(0, folded_start - pad)
    region = text[low : folded_start + len(wanted) + pad]
    if not region:
        return None
    rough = fuzz.partial_ratio_alignment(wanted, region)
    if rough is None or rough.score == 0:
        return None
    margin = END_SLACK + 8
    window_start = low + max(0, rough.dest_start - margin)
    window = text[window_start : low + rough.dest_end + margin]
    blocks = [op for op in LCSseq.opcodes(wanted, window) if op.tag == "equal"]
    blocks = _without_strays(blocks)
    if not blocks:
        return None
    first, last = blocks[0], blocks[-1]
    start = _edge(text, window_start + first.dest_start, wanted[: first.src_start], before=True)
    end = _edge(text, window_start + last.dest_end, wanted[last.src_end :], before=False)
    span = _from_folded(
        target,
        window_start + first.dest_start if start is None else start,
        window_start + last.dest_end if end is None else end,
    )
    if span is None:
        return None
    found = fold(target.text[span[0] : span[1]]).strip()
    return _Fuzzy(*span, _similarity(wanted, found), start is not None and end is not None)


def _seeds(target: _Target, wanted: str) -> list[int]:
    """Folded offsets where ``wanted`` may start, from where its rarest words are, most
    voted first."""
    counts = target.words.counts
    rare = sorted(
        (counts[word], offset, word)
        for word, offset in ((m.group(), m.start()) for m in _WORD.finditer(wanted))
        if 0 < counts[word] <= RARE_WORD
    )
    # Words found once or twice cost nothing to look up; more common ones a search each.
    rare = [seed for k, seed in enumerate(rare) if seed[0] <= 2 or k < 2][:SEED_WORDS]
    votes: Counter[int] = Counter()
    for _, offset, word in rare:
        for place in target.word_positions(word):
            votes[(place - offset) // 16] += 1
    starts: list[int] = []
    for bucket, _ in votes.most_common():
        start = bucket * 16
        if all(abs(start - other) > len(wanted) // 2 for other in starts):
            starts.append(start)
        if len(starts) == MAX_CANDIDATES + 1:
            break
    return starts


def _fuzzy(target: _Target, quote: str, wanted: str, hint: _Hint) -> Reanchored:
    def confident(match: _Fuzzy, rival: bool) -> bool:
        found = target.text[match.start : match.end]
        near = hint.near(match.start, len(quote))
        return (
            match.score >= MOVED_MIN_SCORE
            and match.ends_found
            and _digits(found) == _digits(quote)
            and _fits_words(target.text, match.start, match.end, wanted, hint)
            and (near or _agrees(_context(target, (match.start, match.end), quote, hint)))
            and (near or not rival)
        )

    def result(match: _Fuzzy, state: str, candidates: tuple[Candidate, ...]) -> Reanchored:
        if state == MOVED and target.text[match.start : match.end] == quote:
            state = EXACT
        return Reanchored(
            state, match.start, match.end, round(match.score, 4), METHOD_FUZZY, candidates
        )

    matches: dict[tuple[int, int], _Fuzzy] = {}
    if hint.start is not None:
        match = _align(target, wanted, target.folded.folded(hint.start))
        if match is not None:
            if hint.near(match.start, len(quote)) and confident(match, rival=False):
                return result(match, MOVED, ())
            matches[(match.start, match.end)] = match
    for folded_start in _seeds(target, wanted):
        match = _align(target, wanted, folded_start)
        if match is not None:
            matches.setdefault((match.start, match.end), match)
    ranked = sorted(
        (m for m in matches.values() if m.score >= CHECK_MIN_SCORE),
        key=lambda m: (-m.score, m.start),
    )
    distinct: list[_Fuzzy] = []  # a place found twice counts once
    for match in ranked:
        if all(match.end <= other.start or match.start >= other.end for other in distinct):
            distinct.append(match)
    if not distinct:
        return Reanchored(ORPHANED, None, None, 0.0, METHOD_NONE, ())
    best = distinct[0]
    rival = len(distinct) > 1 and distinct[1].score >= best.score - RIVAL_MARGIN
    if confident(best, rival):
        return result(best, MOVED, ())
    candidates = tuple(
        _candidate(target, m.start, m.end, m.score) for m in distinct[:MAX_CANDIDATES]
    )
    return result(best, NEEDS_CHECK, candidates)


def _reanchor(target: _Target, quote: str, hint: _Hint) -> Reanchored:
    wanted = fold(quote).strip()
    if not wanted:
        return Reanchored(ORPHANED, None, None, 0.0, METHOD_NONE, ())
    found = _at_position(target, quote, wanted, hint)
    if found is not None:
        return found
    held: Reanchored | None = None
    spans = _exact_spans(target, quote)
    method = METHOD_UNIQUE_EXACT
    if not spans:
        spans, method = _normalised_spans(target, wanted), METHOD_NORMALISED
    if spans:
        held = _pick(target, spans, quote, wanted, hint, method)
        if held.applied:
            return held
    fuzzy = _fuzzy(target, quote, wanted, hint)
    if fuzzy.applied or held is None:
        return fuzzy
    return held


def _word_edges(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether ``start`` and ``end`` fall on word boundaries of ``text``."""
    starts = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    ends = end >= len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return starts, ends


class Revision:
    """Built ONCE per (old_text, new_text) pair (it precomputes the position map and the
    normalised new text); then ``reanchor()`` is called for each claim and passage
    evidence. Several older texts carried onto one new text can share its preparation:
    pass ``prepared=Locator(new_text)`` to each."""

    def __init__(self, old_text: str, new_text: str, *, prepared: "Locator | None" = None) -> None:
        if prepared is not None and prepared.text != new_text:
            raise ValueError("The prepared text is not the new text.")
        self.old_text = old_text
        self.new_text = new_text
        self._target = _Target(new_text) if prepared is None else prepared._target
        self._map = _PositionMap(_Words(old_text), self._target.words, len(new_text))

    def reanchor(
        self, *, start: int, end: int, quote: str, prefix: str = "", suffix: str = ""
    ) -> Reanchored:
        old = self.old_text
        starts_word = ends_word = None
        if 0 <= start < end <= len(old) and old[start:end] == quote:
            if not (prefix or suffix):
                prefix, suffix = (
                    old[max(0, start - CONTEXT_LENGTH) : start],
                    old[end : end + CONTEXT_LENGTH],
                )
            starts_word, ends_word = _word_edges(old, start, end)
        expected, distance = self._map(start)
        hint = _Hint(
            start=expected,
            trusted=distance <= TRUSTED_DISTANCE,
            prefix=prefix,
            suffix=suffix,
            starts_word=starts_word,
            ends_word=ends_word,
            old_text=old,
            old_start=start,
        )
        return _reanchor(self._target, quote, hint)


class Locator:
    """One text prepared ONCE for anchoring quotes into it when there is no old text
    (imports of annotations): its normalised form and, on first need, its words. Then
    ``locate()`` is called for each quote; each call gives what ``locate(text, …)`` gives,
    without preparing the whole text again."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._target = _Target(text)

    def locate(
        self,
        *,
        quote: str,
        prefix: str = "",
        suffix: str = "",
        start: int | None = None,
        end: int | None = None,
    ) -> Reanchored:
        """See ``locate``."""
        valid = isinstance(start, int) and 0 <= start <= len(self.text)
        hint = _Hint(
            start=start if valid else None,
            trusted=valid,
            prefix=prefix,
            suffix=suffix,
            starts_word=(not prefix[-1].isalnum()) if prefix else None,
            ends_word=(not suffix[0].isalnum()) if suffix else None,
        )
        return _reanchor(self._target, quote, hint)


def locate(
    text: str,
    *,
    quote: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Reanchored:
    """Anchor a quote into a text when there is no old text (imports of annotations):
    position first when text[start:end] == quote, then unique exact match (prefix/suffix
    disambiguate repeats), then normalised, then fuzzy with the same thresholds.
    Never a wrong place: refuse (ORPHANED / NEEDS_CHECK) rather than guess.

    It prepares the whole text for one quote; for many quotes in one text build a
    ``Locator`` once."""
    return Locator(text).locate(quote=quote, prefix=prefix, suffix=suffix, start=start, end=end)
