"""Benchmark: how far any weighting of the ranking's signals could take recall on the gold file.

``bench/suggest.py`` measures the rankings as shipped. This asks what is left for the
weights to win: for every gold query it takes the engine's candidates (the database's
BM25 best ``--candidates``, the query's own document left out, as a suggestion request
does), computes each candidate's signals — BM25 relative to the best candidate's, the
shares of the query's names, numbers and dates it gives too, a difference in numbers or
dates, the idf-weighted share of the query's terms it holds, its length and, when the
passages have stored embeddings, the cosine to the query — and prints per counterpart
pair recall@1/5/10/20 of:

- plain BM25 and the lexical ranking (the shipped weights), over these candidates;
- a logistic regression over the signals fitted by ``--folds``-fold cross-validation
  (trained on the other queries, scored on the held-out ones): what learned weights
  would give on new queries;
- weights searched on all queries for recall@10 itself (coordinate ascent from the shipped
  weights, scored on the same queries: it has seen the answers, so it is an optimistic
  bound for any weighting of these signals);
- the share of counterparts among the candidates at all (what no re-ranking can pass).

    .venv/bin/python bench/suggest_ceiling.py [--candidates 400] [--folds 5]
    DATABASE_URL=sqlite:////tmp/suggest.sqlite3 CROSSCHECK_SEMANTIC_MODEL=<model directory> \\
        .venv-semantic/bin/python bench/suggest_ceiling.py       # with the cosine signal

Uses a throwaway SQLite database unless DATABASE_URL is set; the cosine signal needs a
database where ``bench/suggest.py`` (or the worker) stored the passages' embeddings.
Needs numpy (in .venv with the test extras, which bring pandas: `make install-test`)."""

import argparse
import math
from collections import defaultdict
from dataclasses import dataclass

from suggest import Pair, indexed_gold

from common import Document

RECALL_AT = (1, 5, 10, 20)
SIGNALS = ("bm25", "names", "numbers", "dates", "differs", "coverage", "length", "cosine")


@dataclass
class Candidate:
    passage: int
    signals: list[float]
    lexical: float  # the shipped lexical score
    bm25: float  # plain BM25 over the query's terms (the lexical query's weights)
    targets: set[int]  # the gold targets it overlaps


def candidates(
    pair: Pair, document: Document, files: dict[int, str], limit: int
) -> list[Candidate]:
    """The engine's candidates for the gold query with their signals (``suggestions.services``'
    own query and candidate steps, so the pool is the one a request re-ranks)."""
    from suggestions import ranking, semantic
    from suggestions import services as engine
    from suggestions.models import Passage, Posting

    query = engine._query(document.pk, pair.query.start, pair.query.end, "lexical")
    if query is None:
        return []
    ids = engine._candidates(query, limit)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for term_id, passage_id, number in Posting.objects.filter(
        passage__in=ids, term__in=list(query.weights)
    ).values_list("term", "passage", "count"):
        counts[passage_id][term_id] = number
    rows = list(
        Passage.objects.filter(pk__in=ids).values_list(
            "pk", "document", "start", "end", "length", "features"
        )
    )
    vectors = semantic.stored_vectors([pk for pk, *_ in rows] + query.passage_ids)
    direction = semantic.mean_direction([vectors[pk] for pk in query.passage_ids if pk in vectors])
    raw = {
        pk: ranking.bm25(counts[pk], length, query.weights, query.average_length, query.k1, query.b)
        for pk, _, _, _, length, _ in rows
    }
    best = max(raw.values(), default=0.0) or 1.0
    features = query.features
    names = len(ranking._name_words(features.get("names", [])))
    numbers, dates = len(features.get("numbers", [])), len(features.get("dates", []))
    total_weight = sum(query.weights.values()) or 1.0
    found = []
    for pk, document_id, start, end, length, stored in rows:
        comparison = ranking.compare(features, stored or {})
        held = sum(w for term, w in query.weights.items() if counts[pk].get(term))
        cosine = semantic.dot(direction, vectors[pk]) if direction and pk in vectors else 0.0
        signals = [
            raw[pk] / best,
            min(1.0, len(comparison.names) / names) if names else 0.0,
            min(1.0, len(comparison.numbers) / numbers) if numbers else 0.0,
            min(1.0, len(comparison.dates) / dates) if dates else 0.0,
            float(bool(comparison.differs)),
            held / total_weight,
            math.log1p(length) / 5,
            cosine,
        ]
        lexical = ranking.fuse(raw[pk], best, comparison, features)
        targets = {
            i for i, t in enumerate(pair.targets) if t.overlaps(files[document_id], start, end)
        }
        found.append(Candidate(pk, signals, lexical, raw[pk], targets))
    return found


def recall(pools: list[tuple[Pair, list[Candidate]]], scores: list[list[float]]) -> list[float]:
    """Per counterpart pair, the share found among each query's first k candidates."""
    total = sum(len(pair.targets) for pair, _ in pools)
    hits = dict.fromkeys(RECALL_AT, 0)
    for (_, pool), score in zip(pools, scores, strict=True):
        order = sorted(range(len(pool)), key=lambda i: (-score[i], pool[i].passage))
        for k in RECALL_AT:
            hits[k] += len(set().union(*(pool[i].targets for i in order[:k])))
    return [hits[k] / total for k in RECALL_AT]


def fit(matrices, labels, epochs: int = 400, rate: float = 0.5, l2: float = 0.01):
    """Logistic regression by gradient descent, the rare positives weighted up to balance."""
    import numpy as np

    x, y = np.concatenate(matrices), np.concatenate(labels)
    weights, bias = np.zeros(x.shape[1]), 0.0
    balance = np.where(y > 0, (len(y) - y.sum()) / max(y.sum(), 1.0), 1.0)
    balance /= balance.mean()
    for _ in range(epochs):
        gradient = (1 / (1 + np.exp(-(x @ weights + bias))) - y) * balance
        weights -= rate * (x.T @ gradient / len(y) + l2 * weights)
        bias -= rate * gradient.mean()
    return weights


def search(matrices, pools, start, rounds: int = 4):
    """Coordinate ascent on recall@10 (then @20) from ``start``, in-sample."""
    import numpy as np

    def quality(w):
        found = recall(pools, [list(m @ w) for m in matrices])
        return (found[2], found[3])

    weights = np.array(start, dtype=float)
    best = quality(weights)
    for _ in range(rounds):
        improved = False
        for column in range(len(weights)):
            for step in (-1.0, -0.5, -0.2, -0.1, -0.05, 0.05, 0.1, 0.2, 0.5, 1.0):
                trial = weights.copy()
                trial[column] += step
                score = quality(trial)
                if score > best:
                    weights, best, improved = trial, score, True
        if not improved:
            break
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=400)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    try:
        import numpy as np
    except ImportError:
        raise SystemExit("This benchmark needs numpy: pip install numpy") from None

    documents, pairs = indexed_gold()
    from suggestions.ranking import WEIGHTS

    files = {d.pk: name for name, d in documents.items()}
    pools = [(p, candidates(p, documents[p.query.file], files, args.candidates)) for p in pairs]
    with_cosine = any(c.signals[-1] for _, pool in pools for c in pool)
    columns = len(SIGNALS) if with_cosine else len(SIGNALS) - 1
    matrices = [
        np.array([c.signals[:columns] for c in pool]).reshape(-1, columns) for _, pool in pools
    ]
    labels = [np.array([1.0 if c.targets else 0.0 for c in pool]) for _, pool in pools]

    held_out: list[list[float]] = [[] for _ in pools]
    for fold in range(args.folds):
        test = set(range(fold, len(pools), args.folds))
        train = [i for i in range(len(pools)) if i not in test]
        weights = fit([matrices[i] for i in train], [labels[i] for i in train])
        for i in test:
            held_out[i] = list(matrices[i] @ weights)
    shipped = [WEIGHTS["bm25"], WEIGHTS["names"], WEIGHTS["numbers"], WEIGHTS["dates"],
               WEIGHTS["differs"], 0.0, 0.0, 0.0][:columns]  # fmt: skip
    weights = search(matrices, pools, shipped)
    rows = {
        "bm25 (the lexical query's terms)": [[c.bm25 for c in pool] for _, pool in pools],
        "lexical (shipped weights)": [[c.lexical for c in pool] for _, pool in pools],
        f"fitted weights, {args.folds}-fold cross-validated": held_out,
        "weights searched for recall@10, in-sample": [list(m @ weights) for m in matrices],
    }
    total = sum(len(p.targets) for p in pairs)
    reachable = sum(len(set().union(*(c.targets for c in pool))) for _, pool in pools) / total
    print(f"{len(pairs)} queries, {total} counterparts; {args.candidates} candidates a query; "
          f"signals: {', '.join(SIGNALS[:columns])}")  # fmt: skip
    print()
    print("| ranking of the candidates | " + " | ".join(f"recall@{k}" for k in RECALL_AT) + " |")
    print("| --- |" + " ---: |" * len(RECALL_AT))
    for name, scores in rows.items():
        print(f"| {name} | " + " | ".join(f"{r:.2f}" for r in recall(pools, scores)) + " |")
    print()
    print(f"Counterparts among the candidates at all: {reachable:.2f}")
    print("Searched weights: " + ", ".join(
        f"{name} {w:+.2f}" for name, w in zip(SIGNALS, weights, strict=False)
    ))  # fmt: skip


if __name__ == "__main__":
    main()
