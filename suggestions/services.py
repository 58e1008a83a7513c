"""Counterparts: index documents, suggest passages of other documents, act on suggestions.

INTERFACE (the engine fills these in; the API, pages, bench and semantic re-ranker call them):

    index_document(document, progress=None) -> int
        Cut the document into passages and index them, in one transaction (idempotent: an
        indexed document is left as it is). Returns the number of passages.
    documents_unindexed() -> QuerySet[Document]
        Documents not in the index yet (text deferred), oldest first.
    suggest_for_span(document, start, end, *, limit=10, method="lexical", user=None,
                     claim=None) -> list[Suggestion]
        Passages of OTHER documents about the same thing as document.text[start:end], best
        first. method: "bm25" (plain BM25, the baseline), "lexical" (the fused ranking),
        "semantic" (lexical top 100 re-ranked by stored embeddings; falls back to lexical
        when the model is off), None (the default: "semantic" when the model is
        configured, else "lexical"). ``claim``: leave out the passages dismissed for it.
    suggest_for_claim(claim, *, limit=10, method=None, user=None) -> list[Suggestion]
        The same for a claim's span, without its dismissed passages.
        method None: the setting's default ("semantic" when configured, else "lexical").

How a suggestion is found (each step a few SQL queries, whatever the corpus' size):

1. The span's text is read with SUBSTR (never the whole document) and cut into index
   terms (``suggestions.text``); for "lexical", the spelling variants of its names and
   rare words are looked up in the vocabulary by character trigrams (``TermGram``).
2. Candidates: BM25 computed by the database over the postings of the span's rarest
   terms (then those of the words around it) — rarest first, until ``POSTINGS_BUDGET``
   postings (a word in most passages adds little to BM25 and much to the work) — grouped
   by passage, best ``CANDIDATES`` kept, the query's own document left out.
3. The candidates are scored in Python (``suggestions.ranking``) with every query term's
   counts and their stored features: plain BM25, or BM25 fused with what they share with
   the span (names, numbers, dates) and where the same names come with other numbers or
   dates. Overlapping passages of one document give one suggestion (the best).
4. The best ``limit`` get their quote and context (one SUBSTR each) and the existing
   claim covering most of them.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.functions import Greatest, Substr

from claims.models import Claim
from corpus.models import Document
from suggestions import ranking
from suggestions import text as text_utils
from suggestions.index import documents_unindexed, index_document
from suggestions.models import Dismissal, IndexedDocument, Passage, Posting, Term, TermGram

__all__ = [
    "Suggestion",
    "documents_unindexed",
    "index_document",
    "suggest_for_claim",
    "suggest_for_span",
]

METHODS = ("bm25", "lexical", "semantic")
CANDIDATES = 200  # passages the database ranks by BM25 for the re-ranking
SEMANTIC_CANDIDATES = 100  # of those, the lexical best the semantic re-ranker sees
POSTINGS_BUDGET = 12_000  # postings the candidate query may sum (rarest terms first)
MAX_SELECTING_TERMS = 40  # and of how many terms
MAX_QUERY_CHARACTERS = 3_000  # of a span, what the query terms are taken from
QUERY_CONTEXT_CHARACTERS = 300  # around the span, whose words weigh less ("lexical")
MAX_VARIANT_WORDS = 6  # query words whose spelling variants are looked up
# A query word is rare, and its spelling variants worth looking up, when this few passages
# hold it (or this share of them).
RARE_PASSAGES, RARE_SHARE = 3, 0.01
VARIANTS_PER_WORD = 6
CONTEXT_CHARACTERS = 150  # of the document, shown either side of a suggested passage


@dataclass(frozen=True)
class Suggestion:
    document: Document  # with its source; the text is not loaded
    start: int  # code points into document.text: the passage's span
    end: int
    quote: str
    score: float
    shared: list[str] = field(default_factory=list)  # what both say: names, numbers, dates
    differs: list[str] = field(default_factory=list)  # e.g. "13 here, 14 there"
    claim: Claim | None = None  # an existing claim covering the passage, if any
    passage: int | None = None  # the Passage's pk
    # The text around the passage, cut at a word ("…" where the document goes on).
    before: str = ""
    after: str = ""


# --- the query ----------------------------------------------------------------------------


@dataclass
class _Query:
    document_id: int
    weights: dict[int, float]  # term id → idf (× similarity, for a spelling variant)
    selecting: list[int]  # the rarest terms, which pick the candidates
    features: dict[str, list]
    passage_ids: list[int]  # the query document's passages overlapping the span
    passages: int  # in the index
    average_length: float
    k1: float = ranking.K1
    b: float = ranking.B


def _span_text(document_id: int, start: int, end: int, around: int) -> tuple[str, str]:
    """The span's text (at most ``MAX_QUERY_CHARACTERS``) and up to ``around`` characters
    either side of it, read with one SUBSTR."""
    length = min(end - start, MAX_QUERY_CHARACTERS)
    first = max(0, start - around)
    window = (
        Document.objects.filter(pk=document_id)
        .annotate(window=Substr("text", first + 1, start - first + length + around))
        .values_list("window", flat=True)
        .get()
    )
    span = window[start - first : start - first + length]
    return span, window[: start - first] + " " + window[start - first + length :]


def _index_size() -> tuple[int, float]:
    """Passages in the index and their average length in terms."""
    totals = IndexedDocument.objects.aggregate(passages=Sum("passages"), terms=Sum("terms"))
    passages = totals["passages"] or 0
    return passages, (totals["terms"] or 0) / passages if passages else 1.0


def _variants(
    words: Iterable[str], known: set[str], names: set[str]
) -> dict[str, list[tuple[int, int, float]]]:
    """Spelling variants of each word in the vocabulary: (term id, passages holding it,
    similarity), most similar first, from the terms sharing enough of its trigrams."""
    wanted = {word: text_utils.variant_grams(word) for word in words}
    all_grams = sorted(set().union(*wanted.values())) if wanted else []
    if not all_grams:
        return {}
    shared: dict[int, set[str]] = defaultdict(set)
    for gram, term_id in TermGram.objects.filter(gram__in=all_grams).values_list("gram", "term"):
        shared[term_id].add(gram)
    likely = {
        term_id: grams
        for term_id, grams in shared.items()
        # Dice over trigram sets ≥ the threshold needs at least this share of the word's.
        if any(len(grams & g) >= ranking.VARIANT_SIMILARITY * len(g) / 2 for g in wanted.values())
    }
    terms = Term.objects.filter(pk__in=list(likely)).values_list("pk", "text", "passages")
    found: dict[str, list[tuple[int, int, float]]] = {}
    for word in wanted:
        scored = [
            (term_id, holding, ranking.similarity(word, other))
            for term_id, other, holding in terms
            if other != word and other not in known
        ]
        least = ranking.VARIANT_SIMILARITY if word in names else ranking.WORD_VARIANT_SIMILARITY
        scored = [s for s in scored if s[2] >= least]
        scored.sort(key=lambda s: (-s[2], -s[1]))  # the most similar, then the most common
        found[word] = scored[:VARIANTS_PER_WORD]
    return found


def _query(document_id: int, start: int, end: int, method: str) -> _Query | None:
    around = QUERY_CONTEXT_CHARACTERS if method != "bm25" else 0
    span, context = _span_text(document_id, start, end, around)
    counts = text_utils.index_terms(span)
    context_counts = text_utils.index_terms(context) if around else Counter()
    if not counts:
        return None
    passages, average = _index_size()
    overlapping = list(
        Passage.objects.filter(document_id=document_id, start__lt=end, end__gt=start)
        .order_by("start")
        .values_list("pk", "features")[:50]
    )
    known = {
        text_utils.name_key(name)
        for _, stored in overlapping
        for name in (stored or {}).get("names", [])
    }
    features = text_utils.features(span, known)
    words = list(counts | context_counts)
    terms = {t: (pk, df) for t, pk, df in Term.objects.filter(text__in=words).values_list(
        "text", "pk", "passages"
    )}  # fmt: skip
    weights: dict[int, float] = {}
    holding: dict[int, int] = {}
    for word, (pk, df) in terms.items():
        if word in counts:
            weights[pk] = ranking.idf(passages, df) * counts[word]
        else:  # a word of the text around the span only
            weights[pk] = ranking.idf(passages, df) * ranking.CONTEXT_WEIGHT
        holding[pk] = df
    if method != "bm25":
        # Names weigh more: the same people and places make the same event.
        name_words = {text_utils.term(w) for n in features["names"] for w in n.split()}
        capitalised = {text_utils.term(w) for _, _, w in text_utils.tokens(span) if w[0].isupper()}
        for word in name_words & set(terms) & set(counts):
            weights[terms[word][0]] *= 1 + ranking.NAME_TERM_BOOST
        # Spelling variants of the names and of the words found in few passages.
        rare = sorted(
            (w for w in counts if w.isalpha() and len(w) >= 5 and (
                w in name_words or w in capitalised or w not in terms
                or terms[w][1] <= max(RARE_PASSAGES, passages * RARE_SHARE)
            )),
            key=lambda w: (w not in name_words, terms.get(w, (0, 0))[1]),
        )[:MAX_VARIANT_WORDS]  # fmt: skip
        for found in _variants(rare, set(terms), name_words | capitalised).values():
            for pk, df, similar in found:
                weights[pk] = max(weights.get(pk, 0.0), ranking.idf(passages, df) * similar)
                holding[pk] = df
    # The span's words pick the candidates, then the words around it, rarest first.
    around_only = {pk for word, (pk, _) in terms.items() if word not in counts}
    selecting: list[int] = []
    budget = 0
    for pk in sorted(holding, key=lambda pk: (pk in around_only, holding[pk])):
        if selecting and (
            budget + holding[pk] > POSTINGS_BUDGET or len(selecting) >= MAX_SELECTING_TERMS
        ):
            break
        selecting.append(pk)
        budget += holding[pk]
    return _Query(
        document_id=document_id,
        weights=weights,
        selecting=selecting,
        features=features,
        passage_ids=[pk for pk, _ in overlapping],
        passages=passages,
        average_length=average,
        k1=ranking.K1 if method == "bm25" else ranking.LEXICAL_K1,
        b=ranking.B if method == "bm25" else ranking.LEXICAL_B,
    )


# --- candidates ---------------------------------------------------------------------------


def _candidates(query: _Query, limit: int) -> list[int]:
    """The passages of other documents with the best BM25 over the selecting terms, by
    the database: one GROUP BY over their postings, read from an index alone
    (``posting_term_cover_idx``). Each passage is taken to be of the average length
    (BM25 with b = 0): joining the passages for their lengths cost more than all the
    rest, and ``_score`` computes the whole BM25 of the candidates anyway."""
    if not query.selecting:
        return []
    quote = connection.ops.quote_name
    cases = " ".join("WHEN %s THEN %s" for _ in query.selecting)
    case_params: list[Any] = []
    for pk in query.selecting:
        case_params += [pk, float(query.weights[pk])]
    count = f"CAST(p.{quote('count')} AS DOUBLE PRECISION)"  # float arithmetic on PostgreSQL
    sql = (
        f"SELECT p.passage_id, SUM(CAST(CASE p.term_id {cases} ELSE 0 END AS DOUBLE PRECISION)"
        f" * {count} / ({count} + %s)) AS score "
        f"FROM {quote(Posting._meta.db_table)} p "
        f"WHERE p.term_id IN ({', '.join(['%s'] * len(query.selecting))}) "
        f"AND p.passage_id NOT IN (SELECT id FROM {quote(Passage._meta.db_table)} "
        "WHERE document_id = %s) "
        "GROUP BY p.passage_id ORDER BY score DESC, p.passage_id LIMIT %s"
    )
    params = [*case_params, float(query.k1), *query.selecting, query.document_id, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass
class _Scored:
    passage: int
    document_id: int
    start: int
    end: int
    score: float
    comparison: ranking.Comparison


def _score(query: _Query, candidate_ids: list[int], method: str) -> list[_Scored]:
    """The candidates scored in Python, best first, with what they share."""
    if not candidate_ids:
        return []
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for term_id, passage_id, number in Posting.objects.filter(
        passage__in=candidate_ids, term__in=list(query.weights)
    ).values_list("term", "passage", "count"):
        counts[passage_id][term_id] = number
    rows = Passage.objects.filter(pk__in=candidate_ids).values_list(
        "pk", "document", "start", "end", "length", "features"
    )
    scored = []
    for pk, document_id, start, end, length, features in rows:
        score = ranking.bm25(
            counts[pk],
            length,
            query.weights,
            query.average_length,
            query.k1,
            query.b,
        )
        comparison = ranking.compare(query.features, features or {})
        scored.append(_Scored(pk, document_id, start, end, score, comparison))
    if method != "bm25":
        best = max((s.score for s in scored), default=0.0)
        for s in scored:
            s.score = ranking.fuse(s.score, best, s.comparison, query.features)
    scored.sort(key=lambda s: (-s.score, s.passage))
    return scored


def _overlaps(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _distinct(scored: list[_Scored], dismissed: dict[int, list[tuple[int, int]]]) -> list[_Scored]:
    """The best of each group of overlapping passages, none overlapping a dismissed one."""
    kept: list[_Scored] = []
    taken: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s in scored:
        if _overlaps(taken[s.document_id], s.start, s.end):
            continue
        if _overlaps(dismissed.get(s.document_id, []), s.start, s.end):
            continue
        taken[s.document_id].append((s.start, s.end))
        kept.append(s)
    return kept


def _semantic(query: _Query, scored: list[_Scored]) -> list[_Scored]:
    from suggestions import semantic

    top = scored[:SEMANTIC_CANDIDATES]
    reranked = semantic.rerank(query.passage_ids, [(s.passage, s.score) for s in top])
    if reranked is None:
        return scored
    by_id = {s.passage: s for s in top}
    result = []
    for passage_id, score in reranked:
        s = by_id[passage_id]
        s.score = float(score)
        result.append(s)
    return result + scored[SEMANTIC_CANDIDATES:]


# --- the suggestions shown ----------------------------------------------------------------


def _cut_context(window: str, offset: int, start: int, end: int) -> tuple[str, str]:
    """The text before and after ``start``–``end`` in ``window`` (which begins at
    ``offset`` and holds one character more than the context after the span), cut at a
    word where the document goes on, an ellipsis marking the cut."""
    before = window[: start - offset]
    after = window[end - offset :]
    if offset > 0:
        cut = before.find(" ")
        before = "…" + (before[cut + 1 :] if 0 <= cut < len(before) - 1 else before)
    if len(after) > CONTEXT_CHARACTERS:
        after = after[:CONTEXT_CHARACTERS]
        cut = after.rfind(" ")
        after = (after[:cut] if cut > 0 else after) + "…"
    return before, after


def _covering_claims(chosen: list[_Scored]) -> dict[int, Claim]:
    """For each passage, the existing claim that covers most of it (overlapping it by at
    least half of the claim): one query."""
    if not chosen:
        return {}
    condition = Q()
    for s in chosen:
        condition |= Q(document_id=s.document_id, start__lt=s.end, end__gt=s.start)
    claims = list(Claim.objects.filter(condition).order_by("pk"))
    best: dict[int, tuple[float, Claim]] = {}
    for s in chosen:
        for claim in claims:
            if claim.document_id != s.document_id:
                continue
            overlap = min(claim.end, s.end) - max(claim.start, s.start)
            if overlap <= 0 or 2 * overlap < claim.end - claim.start:
                continue
            union = max(claim.end, s.end) - min(claim.start, s.start)
            if s.passage not in best or overlap / union > best[s.passage][0]:
                best[s.passage] = (overlap / union, claim)
    return {pk: claim for pk, (_, claim) in best.items()}


def _suggestions(chosen: list[_Scored]) -> list[Suggestion]:
    """The chosen passages with their documents (and sources), quotes in context and
    covering claims: three queries, each reading only a window of each text."""
    if not chosen:
        return []
    offset = Greatest(F("start") - CONTEXT_CHARACTERS, 0)
    windows = {
        pk: (window, first)
        for pk, window, first in Passage.objects.filter(pk__in=[s.passage for s in chosen])
        .annotate(
            first=offset,
            # One character more than the context: whether the document goes on.
            window=Substr("document__text", offset + 1, F("end") - offset + CONTEXT_CHARACTERS + 1),
        )
        .values_list("pk", "window", "first")
    }
    documents = (
        Document.objects.select_related("source")
        .defer("text")
        .in_bulk({s.document_id for s in chosen})
    )
    claims = _covering_claims(chosen)
    result = []
    for s in chosen:
        window, first = windows[s.passage]
        before, after = _cut_context(window, first, s.start, s.end)
        document = documents[s.document_id]
        result.append(
            Suggestion(
                document=document,
                start=s.start,
                end=s.end,
                quote=window[s.start - first : s.end - first],
                score=round(s.score, 6),
                shared=s.comparison.shared,
                differs=s.comparison.differs,
                claim=claims.get(s.passage),
                passage=s.passage,
                before=before,
                after=after,
            )
        )
    return result


def _default_method() -> str:
    from suggestions import semantic

    return "semantic" if semantic.enabled() else "lexical"


def suggest_for_span(
    document: Document,
    start: int,
    end: int,
    *,
    limit: int = 10,
    method: str | None = "lexical",
    user=None,
    claim: Claim | None = None,
) -> list[Suggestion]:
    """Passages of other documents about the same thing as ``document.text[start:end]``,
    best first (see the module docstring). About fifteen queries, whatever the corpus size."""
    return _suggest(document.pk, start, end, limit=limit, method=method, claim=claim)


def _suggest(
    document_id: int, start: int, end: int, *, limit: int, method: str | None, claim: Claim | None
) -> list[Suggestion]:
    method = method or _default_method()
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}: one of {', '.join(METHODS)}.")
    if limit <= 0 or end <= start:
        return []
    query = _query(document_id, start, end, method)
    if query is None:
        return []
    scored = _score(query, _candidates(query, CANDIDATES), method)
    dismissed: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if claim is not None:
        for document_id, d_start, d_end in Dismissal.objects.filter(claim=claim).values_list(
            "document", "start", "end"
        ):
            dismissed[document_id].append((d_start, d_end))
    scored = _distinct(scored, dismissed)
    if method == "semantic":
        scored = _semantic(query, scored)
    return _suggestions(scored[:limit])


def suggest_for_claim(
    claim: Claim, *, limit: int = 10, method: str | None = None, user=None
) -> list[Suggestion]:
    """Suggestions for a claim's span, without the passages dismissed for it."""
    return _suggest(
        claim.document_id, claim.start, claim.end, limit=limit, method=method, claim=claim
    )
