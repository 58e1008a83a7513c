"""Ranking candidate passages — pure functions, no database, table-tested.

- ``bm25``: Okapi BM25 of a passage for the query's terms (``K1``, ``B``); a spelling
  variant found through character n-grams counts with its similarity as weight.
- ``similarity``: Dice coefficient of two words' character trigrams, once the usual
  differences of transliteration are evened out (Nikolaev, Nikolayev and Nicolaiev: 1.0;
  Zinoviev and Zinovievist 0.71; Kirov and Kamenev 0.0).
- ``compare``: what a candidate shares with the query (names, numbers, dates) and where
  the same entities come with different numbers or dates ("13 here, 14 there") —
  exactly what someone looking for a counterpart hunts for.
- ``fuse``: the lexical ranking: BM25 normalised by the best candidate's, plus weighted
  signals of a factual counterpart (shared names, numbers, dates, a difference).
"""

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from suggestions.text import name_key, variant_grams

T = TypeVar("T")  # a term, or a term's id

K1 = 1.2  # plain BM25's usual parameters
B = 0.75
# The lexical ranking's: passages are short and of like lengths.
LEXICAL_K1 = 1.2
LEXICAL_B = 0.75
# A vocabulary word at least this similar to a query's name counts as a spelling variant.
VARIANT_SIMILARITY = 0.5
# For a rare word that is not a name, a stricter similarity ("obscure" is not "occur").
WORD_VARIANT_SIMILARITY = 0.7
# A name key this similar to another is the same name spelt differently.
NAME_SIMILARITY = 0.5
# The weight of a word found only around the query's span, relative to one inside it.
CONTEXT_WEIGHT = 0.4
# How much more a query's name weighs than another word of the same rarity.
NAME_TERM_BOOST = 0.5
# Weights of the fused score (BM25 normalised to 0..1 among the candidates).
WEIGHTS = {"bm25": 1.0, "names": 0.35, "numbers": 0.1, "dates": 0.3, "differs": 0.3}


def idf(passages: int, holding: int) -> float:
    """BM25's inverse document frequency (never negative): ``passages`` in the index,
    ``holding`` of them hold the term."""
    return math.log(1 + (passages - holding + 0.5) / (holding + 0.5))


def bm25_term(count: int, length: int, average_length: float, k1: float = K1, b: float = B):
    """The saturated, length-normalised frequency of a term occurring ``count`` times in
    a passage of ``length`` terms."""
    norm = k1 * (1 - b + b * length / max(average_length, 1e-9))
    return count * (k1 + 1) / (count + norm)


def bm25(
    counts: Mapping[T, int],
    length: int,
    weights: Mapping[T, float],
    average_length: float,
    k1: float = K1,
    b: float = B,
) -> float:
    """A passage's BM25 score: ``counts`` its terms' frequencies, ``weights`` each query
    term's idf (times its similarity, for a spelling variant)."""
    return sum(
        weight * bm25_term(counts[term], length, average_length, k1, b)
        for term, weight in weights.items()
        if counts.get(term)
    )


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character trigrams of the words' transliteration
    skeletons (1.0: the same word, or the same once transliteration is evened out)."""
    if a == b:
        return 1.0
    ga, gb = variant_grams(a), variant_grams(b)
    return 2 * len(ga & gb) / (len(ga) + len(gb)) if ga and gb else 0.0


# --- what a candidate shares with the query, and where it differs ----------------------------


def _name_words(names: Iterable[str]) -> dict[str, str]:
    """Each word of the names (name_key: folded, initials dropped) → as first written."""
    return _name_words_of(tuple(names))


@functools.lru_cache(maxsize=20_000)
def _name_words_of(names: tuple[str, ...]) -> dict[str, str]:
    words: dict[str, str] = {}
    for name in names:
        written = [w for w in name.replace(".", " ").split() if name_key(w)]
        for key, shown in zip(name_key(name).split(), written, strict=False):
            if len(key) > 2:
                possessive = shown.endswith(("'s", "’s"))
                words.setdefault(key, shown[:-2] if possessive else shown)
    return words


@functools.lru_cache(maxsize=20_000)
def _leading_words(names: tuple[str, ...]) -> frozenset[str]:
    """The name words that only ever stand before another word of a name: first names
    and the like ("sergei" of "Sergei Kirov", "soviet" of "Soviet Union")."""
    leading: set[str] = set()
    last: set[str] = set()
    for name in names:
        keys = [k for k in name_key(name).split() if len(k) > 2]
        leading.update(keys[:-1])
        last.update(keys[-1:])
    return frozenset(leading - last)


def _find(key: str, theirs: Iterable[str]) -> str | None:
    """The candidate's name word that is ``key`` or a spelling variant of it."""
    if key in theirs:
        return key
    return next((other for other in theirs if similarity(key, other) >= NAME_SIMILARITY), None)


def shared_names(query: Iterable[str], candidate: Iterable[str]) -> list[str]:
    """The name words of the query found in the candidate, spelling variants included
    ("Nikolaev" matches "Nikolayev"), as the query writes them. A word that leads a name
    on both sides (a first name: "Sergei" of Sergei Kirov and of Sergei Mrachkovsky)
    counts only beside a shared word that ends one (the same person)."""
    query, candidate = tuple(query), tuple(candidate)
    theirs = _name_words(candidate)
    weak_query, weak_theirs = _leading_words(query), _leading_words(candidate)
    found = {key: _find(key, theirs) for key in _name_words(query)}
    return [
        shown
        for key, shown in _name_words(query).items()
        if found[key] is not None
        and not (key in weak_query and found[key] in weak_theirs and not _beside(key, query, found))
    ]


def _beside(key: str, names: tuple[str, ...], found: Mapping[str, str | None]) -> bool:
    """Whether a name of the query holding ``key`` has another word found in the candidate."""
    for name in names:
        keys = name_key(name).split()
        if key in keys and any(found.get(k) is not None for k in keys if k != key):
            return True
    return False


def _year(date: str) -> str:
    return date[:4]


def shared_dates(query: list[list[str]], candidate: list[list[str]]) -> list[str]:
    """Dates both give, at the precision both give (1934-12-01 and December 1934 share
    "December 1934"), as the query writes them when it is as precise."""
    shared: list[str] = []
    for iso, written in query:
        for other, other_written in candidate:
            common = iso if other.startswith(iso) else other if iso.startswith(other) else ""
            if common:
                shown = written if len(common) == len(iso) else other_written
                if len(common) == 4:
                    shown = common
                if shown not in shared:
                    shared.append(shown)
                break
    return shared


def differing_dates(query: list[list[str]], candidate: list[list[str]]) -> list[str]:
    """Dates of the same year (or month) given differently at the finer precision both
    give: "1 December 1934 here, 2 December 1934 there"."""
    differs: list[str] = []
    for iso, written in query:
        if len(iso) == 4 or any(
            len(other) > 4 and (other.startswith(iso) or iso.startswith(other))
            for other, _ in candidate
        ):
            continue  # a year alone, or a date the candidate gives too
        for other, other_written in candidate:
            if len(other) == 4 or other[:4] != iso[:4]:
                continue
            precision = min(len(iso), len(other))
            if iso[:precision] != other[:precision]:
                text = f"{written} here, {other_written} there"
                if text not in differs:
                    differs.append(text)
    return differs


def shared_numbers(query: list[list], candidate: list[list]) -> list[str]:
    """Numbers both give (the same value), as the query writes them."""
    values = {value for value, _, _ in candidate}
    shared: list[str] = []
    for value, _, written in query:
        if value in values and written not in shared:
            shared.append(written)
    return shared


def differing_numbers(query: list[list], candidate: list[list]) -> list[str]:
    """Counts of the same thing that differ: "13 here, fourteen there" (the same thing:
    the same counted word, or people both times). A count the candidate also gives is
    not a difference."""
    differs: list[str] = []
    values = {value for value, _, _ in candidate}
    for value, counted, written in query:
        if not counted or value in values:
            continue
        for other, other_counted, other_written in candidate:
            if other_counted == counted and other != value:
                text = f"{written} here, {other_written} there"
                if text not in differs:
                    differs.append(text)
    return differs


@dataclass
class Comparison:
    """What a candidate passage shares with the query and where it differs."""

    names: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    differs: list[str] = field(default_factory=list)

    @property
    def shared(self) -> list[str]:
        return [*self.names, *self.numbers, *self.dates]


def compare(query: Mapping[str, list], candidate: Mapping[str, list]) -> Comparison:
    """Compare two passages' features (``suggestions.text.features``). A difference in
    numbers or dates counts only where they share a name (the same entities)."""
    names = shared_names(query.get("names", []), candidate.get("names", []))
    dates_q, dates_c = query.get("dates", []), candidate.get("dates", [])
    numbers_q, numbers_c = query.get("numbers", []), candidate.get("numbers", [])
    differs: list[str] = []
    if names:
        differs = differing_numbers(numbers_q, numbers_c) + differing_dates(dates_q, dates_c)
    return Comparison(
        names=names,
        numbers=shared_numbers(numbers_q, numbers_c),
        dates=shared_dates(dates_q, dates_c),
        differs=differs,
    )


def _fraction(shared: float, total: float) -> float:
    return shared / total if total else 0.0


def fuse(
    bm25_score: float,
    best_bm25: float,
    comparison: Comparison,
    query: Mapping[str, list],
    weights: Mapping[str, float] = WEIGHTS,
) -> float:
    """The lexical score: BM25 relative to the best candidate's, plus the share of the
    query's names, numbers and dates the candidate gives too, plus a difference found."""
    query_names = len(_name_words(query.get("names", [])))
    query_numbers = len(query.get("numbers", []))
    query_dates = len(query.get("dates", []))
    return (
        weights["bm25"] * _fraction(bm25_score, best_bm25)
        + weights["names"] * min(1.0, _fraction(len(comparison.names), query_names))
        + weights["numbers"] * min(1.0, _fraction(len(comparison.numbers), query_numbers))
        + weights["dates"] * min(1.0, _fraction(len(comparison.dates), query_dates))
        + weights["differs"] * bool(comparison.differs)
    )
