"""The gold file of bench/suggest.py (bench/gold/counterparts.json) stays usable: every quote
is found in its seed as the import stores it, counterparts and hard negatives lie in other
documents than their query, and there are enough pairs over enough documents. Fast: it
reads the files, with no database and no index."""

import json
from collections import Counter

import pytest
from django.conf import settings

from corpus.text import decode, normalise

GOLD = settings.BASE_DIR / "bench" / "gold" / "counterparts.json"
SEEDS = settings.BASE_DIR / "seeds"


@pytest.fixture(scope="module")
def gold():
    return json.loads(GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def texts():
    """Each seed's text as ``document_import`` stores it: offsets count in this text."""
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    return {
        entry["file"]: normalise(decode((SEEDS / entry["file"]).read_bytes()))
        for entry in manifest["documents"]
    }


def passages(pair):
    yield "query", pair["query"]
    for role in ("targets", "negatives"):
        for item in pair[role]:
            yield role, item


def span(item, texts):
    """(file, start, end) of the quote, which must occur once, or ``occurrence`` times."""
    text, quote = texts[item["file"]], item["quote"]
    count = text.count(quote)
    occurrence = item.get("occurrence", 1)
    assert quote and (count == 1 or (count >= occurrence > 1 and "occurrence" in item)), (
        f"{item['file']}: {quote[:60]!r} found {count} times"
    )
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return item["file"], start, start + len(quote)


def test_it_has_at_least_forty_pairs_with_unique_ids(gold):
    ids = [pair["id"] for pair in gold["pairs"]]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)


def test_every_quote_is_found_in_its_seed_file(gold, texts):
    for pair in gold["pairs"]:
        for role, item in passages(pair):
            assert item["file"] in texts, (pair["id"], role, item["file"])
            span(item, texts)


def test_targets_and_negatives_lie_in_another_document_than_the_query(gold):
    for pair in gold["pairs"]:
        for role in ("targets", "negatives"):
            for item in pair[role]:
                assert item["file"] != pair["query"]["file"], (pair["id"], role)


def test_every_query_has_a_target_and_two_to_four_hard_negatives(gold):
    for pair in gold["pairs"]:
        assert pair["targets"], pair["id"]
        assert 2 <= len(pair["negatives"]) <= 4, pair["id"]


def test_no_negative_overlaps_a_target_of_its_query(gold, texts):
    for pair in gold["pairs"]:
        targets = [span(item, texts) for item in pair["targets"]]
        for item in pair["negatives"]:
            file, start, end = span(item, texts)
            assert not any(f == file and start < e and s < end for f, s, e in targets), (
                pair["id"],
                item["quote"],
            )


def test_queries_come_from_every_seed_and_reach_every_other_one(gold, texts):
    queries = Counter(pair["query"]["file"] for pair in gold["pairs"])
    assert set(queries) == set(texts)
    reached = {
        (pair["query"]["file"], item["file"]) for pair in gold["pairs"] for item in pair["targets"]
    }
    assert {(a, b) for a in texts for b in texts if a != b} <= reached
