"""Benchmark: does pseudo-relevance feedback lift Counterparts' recall on the gold file?

``bench/suggest_ceiling.py`` showed that no weighting of the per-candidate signals passes
0.52 recall@10 per counterpart pair. Pseudo-relevance feedback brings a signal none of them
has: what the first pass's best results say besides the query's words. For every gold
query this runs the engine's own steps (``suggestions.services``' query, candidates and
lexical scoring, ``--candidates`` passages, the query's document left out), then:

1. RM3-style expansion: the top ``m`` lexical results' tf·idf vectors (each of length 1,
   weighted by its lexical score) summed; their best ``t`` terms added to the query's term
   weights with ``w`` times the query's total weight; the candidates the expanded query
   brings joined to the first pool; all rescored by the shipped lexical ranking.
2. Similarity to the top results: the lexical score plus ``w`` × the cosine of the
   candidate's tf·idf vector to the mean of the top ``m`` results' (each of length 1).
3. Document agreement: the lexical score plus ``w`` × the best lexical score in the
   candidate's document (relative to the best overall): documents that clearly speak of
   the event lift their other passages. (The seeds are five documents, so four a query.)

It prints, per counterpart pair, recall@1/5/10/20 of plain BM25, the shipped lexical
ranking (both as a suggestion request ranks them: overlapping passages merged) and every
setting; the share of counterparts among the first pool and among the expanded pools (what
expansion brings within reach); each variant's best setting's pairs gained and lost at 10
against the lexical ranking; and each variant's setting chosen by ``--folds``-fold
cross-validation (picked on the other queries' recall@10, scored on the held-out ones):
what the variant would give on new queries rather than at its best point on the gold.

    DATABASE_URL=sqlite:////tmp/prf.sqlite3 .venv/bin/python bench/suggest_prf.py

Uses a throwaway SQLite database unless DATABASE_URL is set; a kept one skips the loading
and indexing of the seeds (about a minute) next time."""

import argparse
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import product

from suggest import Pair, indexed_gold

from common import Document

RECALL_AT = (1, 5, 10, 20)
RM3 = {"m": (3, 5, 10), "t": (10, 20, 30), "w": (0.1, 0.2, 0.3, 0.5)}
SIMILARITY = {"m": (3, 5, 10), "w": (0.1, 0.2, 0.3, 0.5, 1.0)}
DOCUMENT = {"w": (0.05, 0.1, 0.2, 0.3, 0.5)}


@dataclass
class Run:
    """One gold query's first pass and what each setting ranks first (passage ids)."""

    pair: Pair
    targets: dict[int, set[int]]  # passage → the gold targets it overlaps
    rankings: dict[str, list[int]]
    reach: dict[str, set[int]]  # the targets among the first pool, and among any RM3 pool


def vectors(ids: list[int], passages: int) -> dict[int, dict[int, float]]:
    """Each passage's tf·idf vector over all its terms, of length 1."""
    from suggestions.models import Posting, Term
    from suggestions.ranking import idf

    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for term, passage, count in Posting.objects.filter(passage__in=ids).values_list(
        "term", "passage", "count"
    ):
        counts[passage][term] = count
    terms = {t for c in counts.values() for t in c}
    weight = {
        pk: idf(passages, df)
        for pk, df in Term.objects.filter(pk__in=terms).values_list("pk", "passages")
    }
    found = {}
    for passage, c in counts.items():
        v = {t: n * weight[t] for t, n in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        found[passage] = {t: x / norm for t, x in v.items()}
    return found


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(x * b.get(t, 0.0) for t, x in a.items())
    norm = math.sqrt(sum(x * x for x in a.values()) * sum(x * x for x in b.values()))
    return dot / norm if norm else 0.0


def order(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda pk: (-scores[pk], pk))


def distinct(ranked: list[int], spans) -> list[int]:
    """The best of each group of overlapping passages (a short sentence's passage takes in
    the next one), as a suggestion request keeps them; the first 20."""
    kept: list[int] = []
    for pk in ranked:
        name, start, end = spans[pk]
        if not any(spans[k][0] == name and spans[k][1] < end and start < spans[k][2] for k in kept):
            kept.append(pk)
            if len(kept) == max(RECALL_AT):
                break
    return kept


def first_pass(pair: Pair, document: Document, limit: int, spans) -> Run | None:
    """The engine's query, candidates and lexical scores for one gold query, then every
    setting of the three variants over them."""
    from suggestions import services as engine

    query = engine._query(document.pk, pair.query.start, pair.query.end, "lexical")
    if query is None:
        return None
    ids = engine._candidates(query, limit)
    lexical = {s.passage: s.score for s in engine._score(query, ids, "lexical")}
    bm25_query = engine._query(document.pk, pair.query.start, pair.query.end, "bm25")
    bm25 = engine._score(bm25_query, engine._candidates(bm25_query, limit), "bm25")
    rankings = {"bm25": [s.passage for s in bm25], "lexical": order(lexical)}
    ranked = distinct(order(lexical), spans)  # the first pass, as shown
    vec = vectors(ids, query.passages)
    best = max(lexical.values(), default=0.0) or 1.0
    total = sum(query.weights.values())
    pools = set(ids)

    for m, t, w in product(*RM3.values()):
        feedback: dict[int, float] = defaultdict(float)
        for pk in ranked[:m]:
            for term, x in vec.get(pk, {}).items():
                feedback[term] += x * lexical[pk] / best
        chosen = sorted(feedback, key=lambda term: (-feedback[term], term))[:t]
        mass = sum(feedback[term] for term in chosen) or 1.0
        weights = dict(query.weights)
        for term in chosen:
            weights[term] = weights.get(term, 0.0) + w * total * feedback[term] / mass
        expanded = replace(
            query,
            weights=weights,
            selecting=query.selecting + [term for term in chosen if term not in query.selecting],
        )
        pool = list(dict.fromkeys(ids + engine._candidates(expanded, limit)))
        pools.update(pool)
        rescored = engine._score(expanded, pool, "lexical")
        rankings[f"rm3 m={m} t={t} w={w}"] = [s.passage for s in rescored]

    for m in SIMILARITY["m"]:
        centre: dict[int, float] = defaultdict(float)
        for pk in ranked[:m]:
            for term, x in vec.get(pk, {}).items():
                centre[term] += x / m
        similar = {pk: cosine(vec.get(pk, {}), centre) for pk in lexical}
        for w in SIMILARITY["w"]:
            scores = {pk: s + w * similar[pk] for pk, s in lexical.items()}
            rankings[f"similarity m={m} w={w}"] = order(scores)

    document_of = {pk: spans[pk][0] for pk in lexical}
    best_in: dict[int, float] = defaultdict(float)
    for pk, s in lexical.items():
        best_in[document_of[pk]] = max(best_in[document_of[pk]], s)
    for w in DOCUMENT["w"]:
        scores = {pk: s + w * best_in[document_of[pk]] / best for pk, s in lexical.items()}
        rankings[f"document w={w}"] = order(scores)

    rankings = {name: distinct(found, spans) for name, found in rankings.items()}
    targets = {
        pk: {i for i, t in enumerate(pair.targets) if t.overlaps(*spans[pk])}
        for pk in pools.union(rankings["bm25"])
    }
    reach = {
        "the first pool": set().union(*(targets[pk] for pk in ids)),
        "any RM3 pool": set().union(*(targets[pk] for pk in pools)),
    }
    return Run(pair, targets, rankings, reach)


def recall(runs: list[Run], name: str) -> list[float]:
    """Per counterpart pair, the share found among each query's first k passages."""
    total = sum(len(run.pair.targets) for run in runs)
    found = []
    for k in RECALL_AT:
        hits = 0
        for run in runs:
            hits += len(set().union(*(run.targets[pk] for pk in run.rankings[name][:k])))
        found.append(hits / total)
    return found


def flips(runs: list[Run], name: str, k: int = 10) -> tuple[int, int]:
    """Pairs found in the first k by ``name`` and not by the lexical ranking, and the reverse."""
    gained = lost = 0
    for run in runs:
        ours = set().union(*(run.targets[pk] for pk in run.rankings[name][:k]))
        theirs = set().union(*(run.targets[pk] for pk in run.rankings["lexical"][:k]))
        gained, lost = gained + len(ours - theirs), lost + len(theirs - ours)
    return gained, lost


def cross_validated(runs: list[Run], prefix: str, folds: int) -> tuple[list[float], list[str]]:
    """recall@k with each fold's setting picked on the other folds' recall@10 (then @20)."""
    names = [name for name in runs[0].rankings if name.startswith(prefix)]
    held_out: list[Run] = []
    picked = []
    for fold in range(folds):
        train = [run for i, run in enumerate(runs) if i % folds != fold]
        best = max(names, key=lambda name: recall(train, name)[2:])
        picked.append(best)
        for i, run in enumerate(runs):
            if i % folds == fold:
                held_out.append(replace(run, rankings={"chosen": run.rankings[best]}))
    return recall(held_out, "chosen"), picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200, help="the engine's CANDIDATES")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()

    documents, pairs = indexed_gold()
    from suggestions.models import Passage

    files = {d.pk: name for name, d in documents.items()}
    spans = {
        pk: (files[document], start, end)
        for pk, document, start, end in Passage.objects.values_list(
            "pk", "document", "start", "end"
        )
    }
    runs = [
        run
        for pair in pairs
        if (run := first_pass(pair, documents[pair.query.file], args.candidates, spans))
    ]
    print(f"{len(runs)} queries, {sum(len(r.pair.targets) for r in runs)} counterparts; "
          f"{args.candidates} candidates a query\n")  # fmt: skip
    print("| ranking | " + " | ".join(f"recall@{k}" for k in RECALL_AT) + " |")
    print("| --- |" + " ---: |" * len(RECALL_AT))
    for name in runs[0].rankings:
        print(f"| {name} | " + " | ".join(f"{r:.2f}" for r in recall(runs, name)) + " |")
    total = sum(len(run.pair.targets) for run in runs)
    print()
    for pool in runs[0].reach:
        print(f"Counterparts among {pool}: {sum(len(r.reach[pool]) for r in runs) / total:.2f}")
    print("\nEach variant's best setting at recall@10 against the lexical ranking's pairs:")
    for prefix in ("rm3", "similarity", "document"):
        best = max((n for n in runs[0].rankings if n.startswith(prefix)),
                   key=lambda n: recall(runs, n)[2:])  # fmt: skip
        gained, lost = flips(runs, best)
        print(f"  {best}: {gained} pairs gained, {lost} lost")
    print(f"\nEach variant's setting chosen by {args.folds}-fold cross-validation:\n")
    print("| variant | " + " | ".join(f"recall@{k}" for k in RECALL_AT) + " | settings picked |")
    print("| --- |" + " ---: |" * len(RECALL_AT) + " --- |")
    for prefix in ("rm3", "similarity", "document"):
        found, picked = cross_validated(runs, prefix, args.folds)
        cells = " | ".join(f"{r:.2f}" for r in found)
        print(f"| {prefix} | {cells} | {'; '.join(sorted(set(picked)))} |")


if __name__ == "__main__":
    main()
