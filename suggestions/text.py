"""Cutting a text into what the passage index stores — pure functions, no database.

Offsets count Unicode code points (Python string indices), like every offset in
Crosscheck, so a passage's ``start``/``end`` point into ``Document.text`` directly.

- ``sentences``: sentence spans. A line break always ends a sentence (the stored texts
  hold one paragraph, heading or list item a line); inside a line a sentence ends at
  ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets) followed by a space
  and a capital, a digit or an opening quote — but not after a title or abbreviation
  ("Mr.", "Gen.", "p.", "Dec. 1"), an initial ("S. M. Kirov") or a list number ("2. The").
- ``passages``: windows of ``WINDOW`` sentences moved ``STRIDE`` sentences at a time; a
  window shorter than ``MIN_CHARS`` takes in the next sentences (a heading, "Yes."), up
  to ``MAX_CHARS`` characters (a longer sentence is cut at a word break).
- ``index_terms``: lowercased words with accents folded, English stopwords left out,
  Snowball-stemmed (stems cached); numbers as digits ("sixteen" and "16" are "16").
- ``variant_grams``: the character trigrams of a term's transliteration skeleton
  (``skeleton``), for spelling variants.
- ``features``: what a factual counterpart shares or contradicts — names (capitalised
  sequences), numbers (digits and number words, with the word they count) and dates
  (partial ISO: 1934, 1934-12, 1934-12-01, found by ``crosscheck.dates``) — as JSON
  for ``Passage.features``.

Measured on the seeds (bench/suggest.py on the gold file, recall@10 per query with the
lexical ranking tuned for each; bench/RESULTS.md, "Counterparts: the engine"): one
sentence (at least 80 characters) 0.81–0.82 with 2,943 passages; windows of 2 sentences
with stride 1, 0.81 with 3,700 passages (every sentence indexed twice); windows of 3,
0.81; one sentence of at least 150 characters, 0.81. Chosen: one sentence of at least 80
characters — as good, the smallest index (266,465 passages and 4.2 million postings at
100× the seeds) and a suggestion as long as the sentence a counterpart claim quotes.
"""

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

import snowballstemmer  # type: ignore[import-untyped]

from crosscheck.dates import find_dates

WINDOW = 1
STRIDE = 1
MAX_CHARS = 600
MIN_CHARS = 80
MAX_TERM_LENGTH = 64  # Term.text

# The Snowball project's English stop list, with the contractions' parts.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves also s t d ll m re ve don didn doesn isn wasn weren won
    wouldn couldn shouldn hasn haven hadn aren mr mrs ms""".split()
)

# --- sentences ----------------------------------------------------------------------------

# Abbreviations after which a full stop does not end a sentence (lowercase, no final dot).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st gen col lt capt cpt sgt maj gov sen rep rev hon jr sr mt ft vs
    etc e.g i.e cf al vol vols no nos nr pp p ch chap fig ed eds trans op cit ibid viz approx
    ca c jan feb mar apr jun jul aug sep sept oct nov dec comrade art sec dept""".split()
)
# Abbreviations that end a sentence when a capitalised word follows them.
_MAY_END = frozenset({"etc", "al", "ibid", "cit"})
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_OPENING = "\"'“‘«([¿¡"
_WORD_CHARACTERS = ".'’-_"


def _ends_sentence(line: str, dot: int, after: int) -> bool:
    """Whether the punctuation at ``line[dot]`` (its run ending at ``after``) ends a
    sentence, judging by the word before it and the text after it."""
    rest = line[after:].lstrip()
    if not rest:
        return True
    first = rest[0]
    if first in _OPENING and len(rest) > 1:
        first = rest[1]
    if not (first.isupper() or first.isdigit() or first in _OPENING):
        return False  # "… he asked." continues in lowercase
    if line[dot] != ".":
        return True
    begin = dot
    while begin > 0 and (line[begin - 1].isalnum() or line[begin - 1] in _WORD_CHARACTERS):
        begin -= 1
    bare = line[begin:dot].strip("'’-").lower()
    if len(bare) == 1 and bare.isalpha():
        return False  # an initial: "S. M. Kirov"
    if bare.isdigit() and (begin == 0 or line[:begin].isspace()):
        return False  # a list number at the start of a line: "2. The"
    if bare in ABBREVIATIONS:
        return bare in _MAY_END and not rest[0].isdigit()
    if "." in bare and all(len(part) <= 2 for part in bare.split(".")):
        # Dotted initials (U.S.S.R., e.g.): a sentence ends only before a capitalised
        # word that starts a clause, which cannot be told; keep them inside.
        return False
    return True


def _line_sentences(line: str, offset: int) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _END.finditer(line):
        if _ends_sentence(line, match.start(), match.end()):
            yield from _trimmed(line, start, match.end(), offset)
            start = match.end()
    yield from _trimmed(line, start, len(line), offset)


def _trimmed(line: str, start: int, end: int, offset: int) -> Iterator[tuple[int, int]]:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    if end > start:
        yield offset + start, offset + end


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as (start, end) code-point spans, in order, without the
    white space around them."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        spans.extend(_line_sentences(line, offset))
        offset += len(line) + 1
    return spans


# --- passages -----------------------------------------------------------------------------


def _cut(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``limit`` characters, cut at white space
    where there is some."""
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut if cut > start else start + limit
        yield from _trimmed(text, start, cut, 0)
        start = cut
    yield from _trimmed(text, start, end, 0)


def passages(
    text: str,
    *,
    window: int = WINDOW,
    stride: int = STRIDE,
    max_chars: int = MAX_CHARS,
    min_chars: int = MIN_CHARS,
) -> list[tuple[int, int]]:
    """Windows of ``window`` sentences every ``stride`` sentences, as (start, end) spans
    of ``text``; a window shorter than ``min_chars`` takes in the sentences after it, as
    many as fit in ``max_chars`` (sentences longer than that are first cut at word
    breaks). Starts are distinct and increasing."""
    units = [piece for s, e in sentences(text) for piece in _cut(text, s, e, max_chars)]
    spans: list[tuple[int, int]] = []
    for first in range(0, len(units), stride):
        start, end = units[first]
        taken = 1
        for _, next_end in units[first + 1 :]:
            if (taken >= window and end - start >= min_chars) or next_end - start > max_chars:
                break
            end = next_end
            taken += 1
        if spans and end <= spans[-1][1]:
            continue  # inside the window before (a stride longer than the windows)
        spans.append((start, end))
        if first + taken >= len(units) and taken >= window:
            break  # the last window reached the end
    return spans


# --- terms --------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_stemmer = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lowercased, accents and apostrophes' possessive ``'s`` removed."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if not word.isascii():
        decomposed = unicodedata.normalize("NFKD", word)
        word = "".join(c for c in decomposed if not unicodedata.combining(c))
    return word


def tokens(text: str) -> list[tuple[int, int, str]]:
    """The words of ``text`` with their spans: (start, end, word as written)."""
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


@functools.lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The index term of a word as written ("" for a stopword): folded and stemmed."""
    folded = fold(word)
    if folded in STOPWORDS or "_" in folded:
        return ""
    folded = folded.replace("'", "")
    if folded.isdigit():
        return folded[:MAX_TERM_LENGTH]
    if folded in NUMBER_WORDS and folded != "dozen":
        return str(NUMBER_WORDS[folded])  # "sixteen" finds "16"
    return _stemmer.stemWord(folded)[:MAX_TERM_LENGTH]


def index_terms(text: str) -> Counter[str]:
    """The index terms of ``text`` and how often each occurs."""
    found: Counter[str] = Counter()
    for match in _WORD.finditer(text):
        stem = term(match.group())
        if stem:
            found[stem] += 1
    return found


@functools.lru_cache(maxsize=100_000)
def grams(word: str, n: int = 3) -> frozenset[str]:
    """The character ``n``-grams of a word padded with ``^`` and ``$`` ("^ki", "kir", …)."""
    padded = f"^{word}$"
    return frozenset(padded[i : i + n] for i in range(len(padded) - n + 1))


_SKELETON_RULES = [
    (re.compile(r"c(?!h)"), "k"),  # Nicolaiev → Nikolaiev (ch stays: Chekist)
    (re.compile(r"[yj]"), "i"),  # Nikolayev → Nikolaiev, Jagoda → Iagoda
    (re.compile(r"(?<=[aeiou])i(?=[aeiou])"), ""),  # Nikolaiev → Nikolaev
    (re.compile(r"w"), "v"),  # Zinowiew → Zinoviev
    (re.compile(r"ph"), "f"),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters
]


@functools.lru_cache(maxsize=100_000)
def skeleton(word: str) -> str:
    """A term with the usual differences of transliteration evened out: Nikolaev,
    Nicolaiev and Nikolayev all give "nikolaev"."""
    for pattern, replacement in _SKELETON_RULES:
        word = pattern.sub(replacement, word)
    return word


def variant_grams(word: str) -> frozenset[str]:
    """The trigrams that spelling variants of a term share: those of its skeleton."""
    return grams(skeleton(word))


# --- features -----------------------------------------------------------------------------

NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "million": 1_000_000,
    "dozen": 12,
}  # fmt: skip
_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "dozen": 12}
MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# A number: digits (with thousands separators) or number words, joined by hyphens.
_NUMBER = re.compile(
    r"\b(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\b|\b(?:(?:a|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve|[a-z]+teen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|million|dozen)[- ]?)+\b",
    re.IGNORECASE,
)
# Words of a capitalised name that may stand lowercase inside it (Party of Labour).
_NAME_JOINERS = frozenset({"of", "de", "von", "van", "der", "la", "le", "del", "du", "bin"})
# Capitalised words that are not names: sentence openers, titles, months, weekdays.
_NOT_NAMES = (
    frozenset(
        """i a an the this that these those there then thus but and or if in on at to of for
    by from with as after before when while during although though however yet so also
    he she it we they his her its our their my your one two first second third last
    mr mrs ms dr comrade general colonel professor chapter part section volume letter
    monday tuesday wednesday thursday friday saturday sunday""".split()
    )
    | frozenset(MONTHS)
    | STOPWORDS
)
# Words before a number that make it a reference, not a count.
_REFERENCES = frozenset(
    {
        "p",
        "pp",
        "page",
        "pages",
        "vol",
        "no",
        "nos",
        "chapter",
        "ch",
        "art",
        "article",
        "section",
        "sec",
        "fig",
        "note",
        "number",
    }
)
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’-]*")


def _number_value(words: str) -> int | float | None:
    """The value of digits or number words ("thirteen", "a dozen", "twenty-five")."""
    cleaned = words.replace(",", "")
    try:
        return int(cleaned) if cleaned.isdigit() else float(cleaned)
    except ValueError:
        pass
    total, current, seen = 0, 0, False
    for word in re.split(r"[- ]+", words.lower()):
        if word in ("a", "one"):
            current = max(current, 1)
        elif word in _MULTIPLIERS:
            current = max(current, 1) * _MULTIPLIERS[word]
            if word != "dozen" and _MULTIPLIERS[word] >= 1000:
                total, current = total + current, 0
            seen = True
        elif word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
            seen = True
        else:
            return None
    return total + current if seen else None


def _dates(text: str) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """The dates of ``text`` as [partial ISO date ("1934", "1934-12", "1934-12-01"), as
    written], and their spans."""
    found = find_dates(text)
    return [[d.key().rstrip("~"), d.text] for d in found], [(d.start, d.end) for d in found]


# Counted words that stand for people, whatever the word: "13 defendants" and "fourteen
# accused" count the same thing, as does a capitalised group ("13 Zinovievists").
PEOPLE = "*people"
_PEOPLE_WORDS = frozenset(
    term(w)
    for w in """people persons men women defendants accused prisoners conspirators members
    terrorists oppositionists leaders officials comrades individuals participants victims
    others followers supporters agents spies workers soldiers officers generals""".split()
)


def _counted(text: str, end: int) -> str:
    """What the number ending at ``end`` counts: the stem of the next content word (within
    three words), ``PEOPLE`` for people, "" when none."""
    for match in _WORD.finditer(text, end, end + 40):
        word = match.group()
        stem = term(word)
        if not stem:
            continue
        if stem.isdigit():
            return ""
        if stem in _PEOPLE_WORDS or (word[0].isupper() and fold(word) not in MONTHS):
            return PEOPLE
        return stem
    return ""


def _numbers(text: str, dates: list[tuple[int, int]]) -> list[list]:
    """The numbers of ``text`` outside its dates, as [value, what it counts (``_counted``),
    as written]. Left out: ones, list numbers ("3. The"), references ("p. 9") and days
    next to a month ("December 17")."""
    found: list[list] = []
    for match in _NUMBER.finditer(text):
        written = match.group().strip(" -")
        if any(s < match.end() and match.start() < e for s, e in dates):
            continue
        value = _number_value(written)
        if value is None or value < 2:
            continue  # "one of them"
        line_start = text.rfind("\n", 0, match.start()) + 1
        if (
            text[match.end() : match.end() + 1] == "."
            and not text[line_start : match.start()].strip()
        ):
            continue  # a list number
        before = _WORD.findall(text, max(0, match.start() - 12), match.start())
        after = _WORD.findall(text, match.end(), match.end() + 12)
        if before and before[-1].lower() in _REFERENCES:
            continue  # "p. 9", "No. 5"
        if after[:1] and after[0].isdigit():
            after = after[1:]  # a range of days: "28-29 December"
        if (before and before[-1].lower() in MONTHS) or (after and after[0].lower() in MONTHS):
            continue  # a day: "December 17", "17 December"
        if value == int(value):
            value = int(value)
        found.append([value, _counted(text, match.end()), written])
    return found


@functools.lru_cache(maxsize=100_000)
def name_key(name: str) -> str:
    """A name's comparison form: folded, initials and joiners dropped ("S. M. Kirov" →
    "kirov", "Nikolayev's" → "nikolayev")."""
    words = [fold(w) for w in re.findall(r"[\w'’-]+", name)]
    return " ".join(w for w in words if len(w) > 1 and w not in _NAME_JOINERS)


def _is_name_word(word: str) -> bool:
    return bool(_CAPITALISED.fullmatch(word)) and fold(word) not in _NOT_NAMES


def _runs(text: str) -> Iterator[list[re.Match[str]]]:
    """Runs of capitalised words separated by single spaces (or an initial's dot), with
    lowercase joiners inside ("Party of Labour")."""
    words = list(_WORD.finditer(text))
    run: list[re.Match[str]] = []
    for j, match in enumerate(words):
        word = match.group()
        following = words[j + 1] if j + 1 < len(words) else None
        gap = text[match.end() : following.start()] if following else ""
        initial = len(word) == 1 and word.isupper() and gap == ". "  # "S. M. Kirov"
        if (
            initial
            or _is_name_word(word)
            or (run and word in _NAME_JOINERS and following and _is_name_word(following.group()))
        ):
            run.append(match)
            if gap == " " or initial:
                continue
        while run and (run[-1].group() in _NAME_JOINERS or len(run[-1].group()) == 1):
            run.pop()
        if run:
            yield run
        run = []


def document_names(text: str) -> set[str]:
    """The name keys (``name_key``) of the capitalised words of a text that stand
    somewhere else than at a sentence's start: the names a sentence may open with."""
    starts = {s for s, _ in sentences(text)}
    return {
        name_key(match.group())
        for run in _runs(text)
        for match in run
        if match.start() not in starts
    } - {""}


def _names(text: str, starts: set[int], known: set[str]) -> list[str]:
    """Capitalised sequences that are not sentence openers or common words: "Sergei
    Kirov", "Leningrad", "Communist Party", "NKVD". A sentence's first word alone is a
    name only when ``known`` holds it (it stands elsewhere inside a sentence)."""
    found: list[str] = []
    seen: set[str] = set()
    for run in _runs(text):
        if run[0].start() in starts and not run[0].group().isupper():
            if len(run) == 1 and name_key(run[0].group()) not in known:
                continue  # "Replying", "Thus"
        name = text[run[0].start() : run[-1].end()]
        key = name_key(name)
        if key and not key.isdigit() and key not in seen:
            seen.add(key)
            found.append(name)
    return found


def features(text: str, known_names: set[str] | frozenset[str] = frozenset()) -> dict[str, list]:
    """The names, numbers and dates of ``text`` (JSON-serialisable, for
    ``Passage.features``): {"names": ["Sergei Kirov", …], "numbers": [[13, "defend",
    "thirteen"], …], "dates": [["1934-12-01", "December 1, 1934"], …]}."""
    dates, date_spans = _dates(text)
    starts = {s for s, _ in sentences(text)}
    starts |= {m.end() for m in re.finditer(r"[\"“‘(«]\s*", text)}  # a quotation's first word
    names = _names(text, starts, set(known_names))
    return {"names": names, "numbers": _numbers(text, date_spans), "dates": dates}
