"""suggestions.services: passages of other documents about the same thing as a span or a
claim — never the query's own document, without the dismissed ones, with the claim
already there; plain BM25 and the lexical ranking (run on SQLite and PostgreSQL)."""

import pytest

from suggestions import semantic, services
from suggestions.models import Dismissal
from tests.factories import make_claim, make_document, make_user

pytestmark = pytest.mark.django_db

QUERY = (
    "The weather in Moscow was cold that winter, and the papers wrote of the harvest. "
    "Originally the murderers of Kirov were declared to be a group of 13 Zinovievists, "
    "shot in December 1934. Later the trials in Moscow began, and the papers wrote of them."
)
ENCYCLOPEDIA = (
    "Moscow Trials were a series of trials held in the Soviet Union. "
    "In December 1934, Sergei Kirov was assassinated and 15 defendants, Zinovievists, "
    "were found guilty of involvement in the crime and shot. "
    "Stalin used the trials against the opposition for years."
)
BLOG = (
    "The assassin 😀 was Leonid Nikolayev, a former worker of the inspection in Leningrad. "
    "The harvest of 1934 was poor in the Ukraine, the papers wrote. "
    "Nobody in the Moscow papers wrote of cold weather that winter."
)
SENTENCE = (
    "Originally the murderers of Kirov were declared to be a group of 13 Zinovievists, "
    "shot in December 1934."
)


@pytest.fixture
def corpus():
    documents = {
        "query": make_document(QUERY),
        "encyclopedia": make_document(ENCYCLOPEDIA),
        "blog": make_document(BLOG),
    }
    for document in documents.values():
        services.index_document(document)
    return documents


def span_of(document, quote: str) -> tuple[int, int]:
    start = document.text.index(quote)
    return start, start + len(quote)


@pytest.mark.parametrize("method", ["bm25", "lexical", "semantic", None])
def test_the_counterpart_comes_first_and_never_from_the_query_document(corpus, method):
    start, end = span_of(corpus["query"], SENTENCE)
    found = services.suggest_for_span(corpus["query"], start, end, method=method)
    assert found, method
    assert all(s.document.pk != corpus["query"].pk for s in found)
    best = found[0]
    assert best.document == corpus["encyclopedia"]
    assert best.quote == ENCYCLOPEDIA[best.start : best.end]
    assert "Sergei Kirov was assassinated" in best.quote
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_it_says_what_the_counterpart_shares_and_where_it_differs(corpus):
    start, end = span_of(corpus["query"], SENTENCE)
    best = services.suggest_for_span(corpus["query"], start, end)[0]
    assert best.shared == ["Kirov", "Zinovievists", "December 1934"]
    assert best.differs == ["13 here, 15 there"]


def test_plain_bm25_says_what_is_shared_too(corpus):
    start, end = span_of(corpus["query"], SENTENCE)
    best = services.suggest_for_span(corpus["query"], start, end, method="bm25")[0]
    assert "13 here, 15 there" in best.differs


def test_the_lexical_ranking_finds_spelling_variants_that_bm25_misses(corpus):
    document = make_document("Nicolaiev was an obscure employee.")
    services.index_document(document)
    start, end = 0, len(document.text)
    assert services.suggest_for_span(document, start, end, method="bm25") == []
    lexical = services.suggest_for_span(document, start, end, method="lexical")
    assert lexical[0].document == corpus["blog"]
    assert "Leonid Nikolayev" in lexical[0].quote


def test_quote_and_context_are_the_documents_code_points(corpus):
    found = services.suggest_for_span(corpus["query"], 0, len(QUERY), limit=10)
    blog = next(s for s in found if s.document == corpus["blog"] and s.start > 0)
    text = corpus["blog"].text
    assert blog.quote == text[blog.start : blog.end]
    assert blog.before == text[: blog.start]  # short: all of it, not cut
    assert blog.after == text[blog.end :]
    assert "😀" in blog.before


def test_a_dismissed_passage_is_left_out_for_that_claim_only(corpus):
    claim = make_claim(corpus["query"], quote=SENTENCE)
    first = services.suggest_for_claim(claim)[0]
    assert first.document == corpus["encyclopedia"]
    Dismissal.objects.create(
        claim=claim,
        document=first.document,
        start=first.start,
        end=first.end,
        dismissed_by=claim.created_by,
    )
    after = services.suggest_for_claim(claim)
    assert all(
        not (s.document == first.document and s.start < first.end and first.start < s.end)
        for s in after
    )
    other = make_claim(corpus["query"], quote=SENTENCE, user=make_user("annotator"))
    assert services.suggest_for_claim(other)[0].start == first.start


def test_an_existing_claim_on_the_passage_is_named(corpus):
    start, end = span_of(corpus["query"], SENTENCE)
    first = services.suggest_for_span(corpus["query"], start, end)[0]
    assert first.claim is None
    inside = "Sergei Kirov was assassinated"
    elsewhere = make_claim(corpus["encyclopedia"], quote="Stalin used the trials")
    there = make_claim(corpus["encyclopedia"], quote=inside)
    first = services.suggest_for_span(corpus["query"], start, end)[0]
    assert first.claim == there != elsewhere


def test_nothing_to_search_for_suggests_nothing(corpus):
    assert services.suggest_for_span(corpus["query"], 0, 0) == []
    document = make_document("… and the — of a")
    services.index_document(document)
    assert services.suggest_for_span(document, 0, len(document.text)) == []
    assert services.suggest_for_span(corpus["query"], 0, 10, limit=0) == []


def test_an_unknown_method_is_refused(corpus):
    with pytest.raises(ValueError, match="Unknown method"):
        services.suggest_for_span(corpus["query"], 0, 10, method="magic")


def test_the_semantic_method_keeps_the_lexical_order_when_the_model_is_off(corpus):
    assert not semantic.enabled()
    start, end = span_of(corpus["query"], SENTENCE)
    lexical = services.suggest_for_span(corpus["query"], start, end, method="lexical")
    semantic_found = services.suggest_for_span(corpus["query"], start, end, method="semantic")
    assert [(s.document.pk, s.start) for s in semantic_found] == [
        (s.document.pk, s.start) for s in lexical
    ]


def test_the_semantic_method_takes_the_rerankers_order(corpus, monkeypatch):
    start, end = span_of(corpus["query"], SENTENCE)
    seen = {}

    def rerank(query_passage_ids, candidates):
        seen["query"], seen["candidates"] = query_passage_ids, candidates
        return [(pk, 1.0 / (i + 1)) for i, (pk, _) in enumerate(reversed(candidates))]

    monkeypatch.setattr(semantic, "rerank", rerank)
    found = services.suggest_for_span(corpus["query"], start, end, method="semantic")
    assert seen["query"] and seen["candidates"]
    assert [s.passage for s in found] == [pk for pk, _ in reversed(seen["candidates"])][:10]


def test_a_suggestion_takes_a_bounded_number_of_queries(corpus, django_assert_max_num_queries):
    claim = make_claim(corpus["query"], quote=SENTENCE)
    with django_assert_max_num_queries(13):
        found = services.suggest_for_claim(claim, limit=10)
        [s.document.source.name for s in found]  # loaded with the suggestions
