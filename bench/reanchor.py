"""Benchmark: re-anchoring claims onto a corrected text (``claims.reanchoring``).

On the 390 KB seed (``seeds/004_*.txt``): ``--claims`` random claims of 60–200 characters
(spans snapped to word boundaries), then a realistic revision of the text, made while
keeping the truth — where every old character went, or that it was deleted:

* curly quotes straightened; long paragraphs wrapped at about 72 columns, runs of white
  space collapsed (white space reflowed);
* about 1% of the words get a one-letter fix (a letter replaced, dropped or added);
* a new paragraph inserted before a third of the claims;
* ``--deletions`` sentences deleted next to or across claims.

Each claim is then re-anchored (``Revision`` built once, its time shared by the claims)
and checked against its true new span (from its first to its last surviving character).
Printed for the engine and for a plain baseline (the first exact occurrence, else the best
fuzzy match anywhere with no threshold, much as Hypothesis's client does):

* wrong place — applied (exact/moved) but not the true surviving span (target: 0);
* survivors applied — claims whose text survived but for small edits, applied exact/moved
  (target: all of them);
* half-lost held back — claims that lost more than half of their characters, left
  needs_check or orphaned (target: all of them);
* milliseconds per claim (target: under 5).

    .venv/bin/python bench/reanchor.py [--seed 1] [--claims 200] [--deletions 12] [--repeat 3]
"""

import argparse
import random
import re
import string
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from claims.reanchoring import EXACT, MOVED, Reanchored, Revision  # noqa: E402

SEED = next((ROOT / "seeds").glob("004_*.txt"))
STRAIGHT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
FILLER = (
    "The editors add this paragraph to the corrected transcription to explain a reading "
    "of the manuscript that earlier copies had left out"
).split()


@dataclass(frozen=True)
class Claim:
    start: int
    end: int
    quote: str


def make_claims(text: str, count: int, rng: random.Random) -> list[Claim]:
    """Random spans of 60–200 characters from a word start to a word end."""
    claims: list[Claim] = []
    while len(claims) < count:
        start = rng.randrange(0, len(text) - 300)
        while start > 0 and text[start - 1].isalnum():
            start += 1
        while start < len(text) and not text[start].isalnum():
            start += 1
        end = start + rng.randint(60, 200)
        while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
            end += 1
        while text[end - 1].isspace():
            end -= 1
        if 60 <= end - start <= 220:
            claims.append(Claim(start, end, text[start:end]))
    return claims


class Edit:
    """A revision being made: per old character its replacement ("" deletes it) and
    text to insert before it; ``apply`` gives the new text and the old→new map."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.replace: dict[int, str] = {}
        self.insert: dict[int, str] = {}
        self.deleted: set[int] = set()  # deleted by a sentence deletion (real losses)

    def apply(self) -> tuple[str, list[int | None]]:
        pieces: list[str] = []
        where: list[int | None] = []
        length = 0
        for i, character in enumerate(self.text):
            if i in self.insert:
                pieces.append(self.insert[i])
                length += len(self.insert[i])
            if i in self.deleted:
                where.append(None)
                continue
            new = self.replace.get(i, character)
            if new:
                where.append(length)
                pieces.append(new)
                length += len(new)
            else:
                where.append(None)
        return "".join(pieces), where


def make_revision(text: str, claims: list[Claim], deletions: int, rng: random.Random) -> Edit:
    edit = Edit(text)
    # Curly quotes straightened.
    for i, character in enumerate(text):
        straight = character.translate(STRAIGHT)
        if straight != character:
            edit.replace[i] = straight
    # White space reflowed: runs collapsed, long paragraphs wrapped near 72 columns.
    for match in re.finditer(r"[ \t\u00a0]{2,}", text):
        for i in range(match.start() + 1, match.end()):
            edit.replace[i] = ""
    column = 0
    for i, character in enumerate(text):
        column = 0 if character == "\n" else column + 1
        if character == " " and column > 72 and i not in edit.replace:
            edit.replace[i] = "\n"
            column = 0
    # One-letter fixes in about 1% of the words.
    for match in re.finditer(r"[A-Za-z]{4,}", text):
        if rng.random() >= 0.01:
            continue
        i = rng.randrange(match.start() + 1, match.end() - 1)
        kind = rng.choice(("replace", "drop", "add"))
        if kind == "replace":
            edit.replace[i] = rng.choice([c for c in string.ascii_lowercase if c != text[i]])
        elif kind == "drop":
            edit.replace[i] = ""
        else:
            edit.insert[i] = rng.choice(string.ascii_lowercase)
    # A paragraph inserted before a third of the claims (at the line break before it).
    for claim in rng.sample(claims, len(claims) // 3):
        line = text.rfind("\n", 0, claim.start) + 1
        words = rng.sample(FILLER, 12)
        edit.insert[line] = edit.insert.get(line, "") + " ".join(words).capitalize() + ".\n\n"
    # Sentences deleted next to or across claims.
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+[.!?]+\s*", text)]
    starts = [s for s, _ in sentences]
    from bisect import bisect_right

    for claim in rng.sample(claims, deletions):
        k = (
            bisect_right(
                starts, rng.choice((claim.start, claim.end, (claim.start + claim.end) // 2))
            )
            - 1
        )
        k = min(len(sentences) - 1, max(0, k + rng.choice((-1, 0, 0, 1))))
        edit.deleted.update(range(*sentences[k]))
    return edit


@dataclass(frozen=True)
class Truth:
    span: tuple[int, int] | None  # the surviving span in the new text
    lost: float  # fraction of the claim's characters deleted (white space not counted)
    intact: bool  # changed only by small edits (quotes, white space, one-letter fixes)


def truth(claim: Claim, edit: Edit, where: list[int | None], new: str) -> Truth:
    visible = [i for i in range(claim.start, claim.end) if not edit.text[i].isspace()]
    survived = [i for i in visible if where[i] is not None]
    lost = 1 - len(survived) / len(visible)
    intact = not any(i in edit.deleted for i in range(claim.start, claim.end)) and not any(
        len(edit.insert.get(i, "")) > 1 for i in range(claim.start + 1, claim.end)
    )
    if not survived:
        return Truth(None, lost, intact)
    start, end = where[survived[0]], where[survived[-1]]
    assert start is not None and end is not None
    end += len(edit.replace.get(survived[-1], edit.text[survived[-1]]))
    while new[start].isspace():
        start += 1
    while new[end - 1].isspace():
        end -= 1
    return Truth((start, end), lost, intact)


def baseline(new: str, claim: Claim) -> Reanchored:
    """The first exact occurrence, else the best fuzzy match anywhere, whatever its score."""
    found = new.find(claim.quote)
    if found >= 0:
        return Reanchored(EXACT, found, found + len(claim.quote), 1.0, "unique_exact", ())
    best = fuzz.partial_ratio_alignment(claim.quote, new)
    assert best is not None
    return Reanchored(MOVED, best.dest_start, best.dest_end, best.score / 100, "fuzzy", ())


def score(results: list[Reanchored], truths: list[Truth]) -> dict[str, object]:
    wrong = elsewhere = survivors = survivors_applied = half_lost = held_back = 0
    for result, true in zip(results, truths, strict=True):
        if result.applied and (result.start, result.end) != true.span:
            wrong += 1
            assert result.start is not None and result.end is not None
            elsewhere += true.span is None or (
                min(result.end, true.span[1]) - max(result.start, true.span[0])
                < (true.span[1] - true.span[0]) / 2
            )
        if true.intact:
            survivors += 1
            survivors_applied += result.applied
        if true.lost > 0.5:
            half_lost += 1
            held_back += not result.applied
    return {
        "wrong place": wrong,
        "elsewhere": elsewhere,
        "survivors applied": f"{survivors_applied}/{survivors}",
        "half-lost held back": f"{held_back}/{half_lost}",
        "states": dict(Counter(r.state for r in results)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--claims", type=int, default=200, help="claims (default 200)")
    parser.add_argument("--deletions", type=int, default=12, help="sentences deleted (12)")
    parser.add_argument("--repeat", type=int, default=3, help="timed engine runs (3)")
    parser.add_argument("--verbose", action="store_true", help="print each failure")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    old = SEED.read_text(encoding="utf-8")
    claims = make_claims(old, options.claims, rng)
    edit = make_revision(old, claims, options.deletions, rng)
    new, where = edit.apply()
    truths = [truth(claim, edit, where, new) for claim in claims]

    timings = []  # (wall, CPU, build) seconds of each run; the fastest counts
    for _ in range(options.repeat):
        began, cpu = time.perf_counter(), time.process_time()
        revision = Revision(old, new)
        built = time.perf_counter() - began
        results = [
            revision.reanchor(start=claim.start, end=claim.end, quote=claim.quote)
            for claim in claims
        ]
        timings.append((time.perf_counter() - began, time.process_time() - cpu, built))
    elapsed, cpu_elapsed, built = min(timings)
    began = time.perf_counter()
    plain = [baseline(new, claim) for claim in claims]
    plain_elapsed = time.perf_counter() - began

    print(
        f"seed {options.seed}: {len(claims)} claims on {SEED.name} ({len(old):,} → "
        f"{len(new):,} characters), {options.deletions} sentences deleted"
    )
    print(
        f"claims whose text survived: {sum(t.intact for t in truths)}; lost some: "
        f"{sum(0 < t.lost <= 0.5 and not t.intact for t in truths)}; "
        f"lost more than half: {sum(t.lost > 0.5 for t in truths)}"
    )
    for name, found, seconds in (("engine", results, elapsed), ("baseline", plain, plain_elapsed)):
        counts = score(found, truths)
        print(
            f"{name:9} wrong place {counts['wrong place']} ({counts['elsewhere']} not even "
            f"half on the true span), survivors applied "
            f"{counts['survivors applied']}, half-lost held back {counts['half-lost held back']}, "
            f"{1000 * seconds / len(claims):.2f} ms per claim — {counts['states']}"
        )
    print(
        f"(engine: fastest of {options.repeat} runs; Revision built in {1000 * built:.0f} ms, "
        f"included above; CPU time {1000 * cpu_elapsed / len(claims):.2f} ms per claim)"
    )
    if options.verbose:
        for claim, result, true in zip(claims, results, truths, strict=True):
            wrong = result.applied and (result.start, result.end) != true.span
            missed = true.intact and not result.applied
            leaked = true.lost > 0.5 and result.applied
            if wrong or missed or leaked:
                print("---", "wrong" if wrong else "missed" if missed else "leaked", result, true)
                print("old:", repr(claim.quote))
                if true.span:
                    print("new:", repr(new[true.span[0] : true.span[1]]))
                if result.start is not None:
                    print("got:", repr(new[result.start : result.end]))


if __name__ == "__main__":
    main()
