"""Benchmark: how well Counterparts finds what other sources say about the same thing.

Loads the seeds into a fresh scratch database with the app's own loader, indexes them with
``suggestions.services.index_document``, then asks ``suggest_for_span`` for every query of
the gold file (``bench/gold/counterparts.json``: passages found by reading the seeds, each
with its counterparts in other documents and hard negatives) with each method: plain BM25,
the lexical ranking and, when the semantic extra is installed and configured, the semantic
re-ranker (after embedding the passages, as the worker would). Prints one table:
recall@1/5/10/20, MRR, the hard negatives suggested in the top 10, and the median time of a
suggestion.

    .venv/bin/python bench/suggest.py [--gold bench/gold/counterparts.json] [--verbose]
    CROSSCHECK_SEMANTIC_MODEL=<model directory> .venv-semantic/bin/python bench/suggest.py

Uses a throwaway SQLite database unless DATABASE_URL is set (use a scratch database). A
scratch database kept between runs keeps the index and the embeddings (indexing and
embedding skip what is stored), which saves the embedding's minutes; start a fresh one
after changing how passages are cut.
``--verbose`` adds each query's rank of its first counterpart per method and, for the
queries a method misses, what it suggested instead. Exits with status 2 when the gold file
is malformed.

Definitions. A counterpart is found when a suggested passage overlaps one of the query's
targets (same document, overlapping code-point ranges). recall@k: the share of the gold's
counterpart pairs (a query and one of its counterparts) whose counterpart is among the
query's first k suggestions — the issue's measure; hit@k: the share of queries with any
counterpart among the first k. MRR: the mean of 1/rank of the first
counterpart (0 when none of the 20 is one). Negatives in top 10: per query, the share of its
hard negatives that a top-10 suggestion overlaps without also overlapping a target, averaged
over the queries (0 is best).
"""

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, Document, prepare

GOLD = ROOT / "bench" / "gold" / "counterparts.json"
LIMIT = 20
RECALL_AT = (1, 5, 10, 20)
NEGATIVES_AT = 10


class GoldError(ValueError):
    """The gold file cannot be used as it stands; the message says where."""


@dataclass(frozen=True)
class Span:
    file: str
    start: int
    end: int

    def overlaps(self, document_file: str, start: int, end: int) -> bool:
        return document_file == self.file and start < self.end and self.start < end


@dataclass(frozen=True)
class Pair:
    id: str
    query: Span
    targets: list[Span]
    negatives: list[Span]


def locate(item: object, texts: dict[str, str], where: str) -> Span:
    """The span of ``item`` (``{"file", "quote", "occurrence"?}``) in its seed text."""
    if not isinstance(item, dict) or not isinstance(item.get("quote"), str) or not item["quote"]:
        raise GoldError(f"{where}: needs a non-empty 'quote'")
    name, quote = item.get("file"), item["quote"]
    if name not in texts:
        raise GoldError(f"{where}: unknown file {name!r}")
    text = texts[name]
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    occurrence = item.get("occurrence")
    if occurrence is None:
        if len(starts) != 1:
            raise GoldError(f"{where}: quote found {len(starts)} times in {name} (want exactly "
                            f"once, or an 'occurrence'): {quote[:60]!r}")  # fmt: skip
        return Span(name, starts[0], starts[0] + len(quote))
    if not isinstance(occurrence, int) or not 1 <= occurrence <= len(starts):
        raise GoldError(f"{where}: occurrence {occurrence!r} of a quote found {len(starts)} times")
    return Span(name, starts[occurrence - 1], starts[occurrence - 1] + len(quote))


def load_gold(path: Path, texts: dict[str, str]) -> list[Pair]:
    """The gold file's pairs with their quotes located, or ``GoldError`` saying what is wrong:
    unreadable JSON, a missing field, a quote not found exactly once, a target or negative in
    the query's own document, a negative that overlaps a target, or a repeated id."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GoldError(f"{path}: {error}") from None
    raw = data.get("pairs") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise GoldError(f"{path}: needs a non-empty list 'pairs'")
    pairs, seen = [], set()
    for number, entry in enumerate(raw, 1):
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"pair {number} ({name})"
        if not isinstance(name, str) or not name or name in seen:
            raise GoldError(f"{where}: needs a unique 'id'")
        seen.add(name)
        if not isinstance(entry.get("targets"), list) or not entry["targets"]:
            raise GoldError(f"{where}: needs at least one target")
        if not isinstance(entry.get("negatives", []), list):
            raise GoldError(f"{where}: 'negatives' must be a list")
        query = locate(entry.get("query"), texts, f"{where} query")
        targets = [
            locate(t, texts, f"{where} target {i}") for i, t in enumerate(entry["targets"], 1)
        ]
        negatives = [
            locate(n, texts, f"{where} negative {i}")
            for i, n in enumerate(entry.get("negatives", []), 1)
        ]
        for span in targets + negatives:
            if span.file == query.file:
                raise GoldError(f"{where}: a target or negative is in the query's own document")
        for negative in negatives:
            if any(negative.overlaps(t.file, t.start, t.end) for t in targets):
                raise GoldError(f"{where}: a negative overlaps a target")
        pairs.append(Pair(name, query, targets, negatives))
    return pairs


@dataclass
class Outcome:
    """One method's answer to one query: the rank (1-based) of its first counterpart, the
    share of the query's negatives it suggested, what it suggested, and how long it took."""

    rank: int | None
    target_ranks: list[int | None]
    negatives: float
    suggested: list[tuple[str, int, int, str]]
    ms: float


def evaluate(pair: Pair, suggestions, ms: float) -> Outcome:
    found = [(s.document.original_filename, s.start, s.end, s.quote) for s in suggestions]
    hits = [any(t.overlaps(f, s, e) for t in pair.targets) for f, s, e, _ in found]
    rank = hits.index(True) + 1 if True in hits else None
    target_ranks = [
        next((i for i, (f, s, e, _) in enumerate(found, 1) if t.overlaps(f, s, e)), None)
        for t in pair.targets
    ]
    wrong = [f_s_e for f_s_e, hit in zip(found[:NEGATIVES_AT], hits, strict=False) if not hit]
    suggested_negatives = sum(
        any(n.overlaps(f, s, e) for f, s, e, _ in wrong) for n in pair.negatives
    )
    share = suggested_negatives / len(pair.negatives) if pair.negatives else 0.0
    return Outcome(rank, target_ranks, share, found, ms)


def methods() -> list[str]:
    """bm25 and lexical, and semantic when its extra is installed and its model configured;
    otherwise says why that column is left out."""
    from suggestions import semantic

    if semantic.available():
        return ["bm25", "lexical", "semantic"]
    reason = semantic.ERROR_NOT_INSTALLED if semantic.enabled() else semantic.ERROR_NOT_CONFIGURED
    print(f"semantic: left out. {reason}")
    return ["bm25", "lexical"]


def embed(documents: list[Document]) -> None:
    """Store the passages' embeddings, as the worker's job does after indexing."""
    from suggestions.embeddings import embed_document

    started = time.perf_counter()
    stored = sum(embed_document(document) for document in documents)
    print(f"embedded {stored:,} passages in {time.perf_counter() - started:.1f} s")


def run(pairs: list[Pair], documents: dict[str, Document], method: str) -> list[Outcome]:
    from suggestions.services import suggest_for_span

    outcomes = []
    for pair in pairs:
        started = time.perf_counter()
        found = suggest_for_span(
            documents[pair.query.file], pair.query.start, pair.query.end,
            limit=LIMIT, method=method,
        )  # fmt: skip
        outcomes.append(evaluate(pair, found, (time.perf_counter() - started) * 1000))
    return outcomes


def table(results: dict[str, list[Outcome]]) -> str:
    """Two tables: recall@k over the gold's counterpart pairs (query, counterpart), the
    issue's measure; then, per query, the share with any counterpart in the first k (hit@k),
    MRR, the negatives suggested and the time."""
    lines = ["Per counterpart pair:", "",
             "| method | " + " | ".join(f"recall@{k}" for k in RECALL_AT) + " |",
             "| --- |" + " ---: |" * len(RECALL_AT)]  # fmt: skip
    for method, outcomes in results.items():
        ranks = [r for o in outcomes for r in o.target_ranks]
        recall = [sum(r is not None and r <= k for r in ranks) / len(ranks) for k in RECALL_AT]
        lines.append(f"| {method} | " + " | ".join(f"{r:.2f}" for r in recall) + " |")
    lines += ["", "Per query:", "",
              "| method | " + " | ".join(f"hit@{k}" for k in RECALL_AT)
              + f" | MRR | negatives in top {NEGATIVES_AT} | median ms |",
              "| --- |" + " ---: |" * (len(RECALL_AT) + 3)]  # fmt: skip
    for method, outcomes in results.items():
        n = len(outcomes)
        hit = [sum(o.rank is not None and o.rank <= k for o in outcomes) / n for k in RECALL_AT]
        mrr = sum(1 / o.rank for o in outcomes if o.rank) / n
        negatives = sum(o.negatives for o in outcomes) / n
        ms = statistics.median(o.ms for o in outcomes)
        cells = [f"{r:.2f}" for r in hit] + [f"{mrr:.2f}", f"{negatives:.2f}", f"{ms:.0f}"]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    lines += ["", *gains(results)]
    return "\n".join(lines)


def gains(results: dict[str, list[Outcome]], k: int = 10) -> list[str]:
    """Each ranking's recall@k (per pair) and hit@k (per query) above plain BM25's."""

    def recall(outcomes: list[Outcome]) -> float:
        ranks = [r for o in outcomes for r in o.target_ranks]
        return sum(r is not None and r <= k for r in ranks) / len(ranks)

    def hit(outcomes: list[Outcome]) -> float:
        return sum(o.rank is not None and o.rank <= k for o in outcomes) / len(outcomes)

    if "bm25" not in results:
        return []
    base = results["bm25"]
    return [
        f"{method}: recall@{k} {recall(o) - recall(base):+.2f} per pair, "
        f"hit@{k} {hit(o) - hit(base):+.2f} per query, against plain BM25"
        for method, o in results.items()
        if method != "bm25"
    ]


def details(pairs: list[Pair], results: dict[str, list[Outcome]]) -> str:
    """Each query's rank of its first counterpart per method (– when none in 20), then for
    every miss in the top 10 the first three suggestions instead."""
    width = max(len(p.id) for p in pairs)
    lines = [f"{'query':{width}}  " + "  ".join(f"{m:>8}" for m in results)]
    for i, pair in enumerate(pairs):
        ranks = [results[m][i].rank for m in results]
        lines.append(f"{pair.id:{width}}  " + "  ".join(f"{r or '–':>8}" for r in ranks))
    for method, outcomes in results.items():
        for pair, outcome in zip(pairs, outcomes, strict=True):
            if outcome.rank is not None and outcome.rank <= 10:
                continue
            lines.append(f"\n{method} misses {pair.id} (first counterpart: "
                         f"{outcome.rank or 'none in 20'}); it suggested:")  # fmt: skip
            for f, s, e, quote in outcome.suggested[:3]:
                lines.append(f"  {f[:3]} {s}-{e}: {' '.join(quote.split())[:110]}")
    return "\n".join(lines)


def indexed_gold(path: Path = GOLD) -> tuple[dict[str, Document], list[Pair]]:
    """The seeds loaded and indexed (by ``bench/common.py``'s scratch database), by file name,
    and the gold file's pairs located in them (``GoldError`` when it is malformed)."""
    from suggestions.services import index_document

    prepare()
    documents = {d.original_filename: d for d in Document.objects.all()}
    pairs = load_gold(path, {name: d.text for name, d in documents.items()})
    for document in documents.values():
        index_document(document)
    return documents, pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    prepare()
    documents = {d.original_filename: d for d in Document.objects.all()}
    try:
        pairs = load_gold(args.gold, {name: d.text for name, d in documents.items()})
    except GoldError as error:
        print(f"malformed gold file: {error}", file=sys.stderr)
        sys.exit(2)

    from suggestions.services import index_document

    started = time.perf_counter()
    passages = sum(index_document(document) for document in documents.values())
    print(f"indexed {len(documents)} documents, {passages:,} passages, "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    chosen = methods()
    if "semantic" in chosen:
        embed(list(documents.values()))
    results = {method: run(pairs, documents, method) for method in chosen}
    print(f"\nCounterparts on the gold file: {len(pairs)} queries, "
          f"{sum(len(p.targets) for p in pairs)} counterparts, "
          f"{sum(len(p.negatives) for p in pairs)} hard negatives; top {LIMIT} asked")  # fmt: skip
    print(table(results))
    if args.verbose:
        print()
        print(details(pairs, results))


if __name__ == "__main__":
    main()
