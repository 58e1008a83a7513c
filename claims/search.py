"""Matching claims against the words a person typed: the link typeahead
(``claims.api.claim_search``) and the claims list's search (``ClaimFilter.search``).

A claim matches when every word, case-folded by ``search_key``, is a substring of its
``search_text`` (``search_key(statement, quote)``): ``search_text LIKE '%word%'`` for each
word, which is the condition whatever the database. PostgreSQL answers it from a trigram
GIN index (migration 0004). SQLite has no such index for LIKE, and read every claim for a
rare word (at 100,000 claims, 106 ms a typeahead request, 480 ms the claims list); there
the claims are gathered through ``claims_claim_fts``, an FTS5 table with the trigram
tokenizer over ``search_text`` (migration 0010; ``ClaimSearchEntry`` declares it to the
ORM), and the LIKE conditions then test only what it found.

The FTS5 query asks for each word of 3 or more characters as a double-quoted phrase: a
literal string of trigrams, in which ``%``, ``_``, ``\\`` and ``'`` mean themselves and
``"`` is written twice. A claim containing the word contains its trigrams in a row, and
the tokenizer folds case the same way in the claim and the query, so the index finds
every claim that matches (and possibly a few more, should its folding go further than
``str.casefold``): the LIKE conditions decide, and the results are exactly LIKE's. Words
of 1 or 2 characters have no trigram, and are tested by LIKE alone.
"""

from django.db import connections
from django.db.models import Q, QuerySet

from claims.models import ClaimSearchEntry, search_key

# The FTS5 table of migration 0010 (on SQLite only): its rowid is the claim's id.
FTS_TABLE = ClaimSearchEntry._meta.db_table
# The trigram tokenizer indexes runs of 3 characters: a shorter word has none to look up.
FTS_MIN_LENGTH = 3


def fts_phrase(word: str) -> str:
    """``word`` as an FTS5 string: every character literal, ``"`` doubled."""
    return '"' + word.replace('"', '""') + '"'


def claims_matching(
    queryset: QuerySet,
    words: list[str],
    *,
    use_index: bool = True,
    newest_first: bool = False,
    through: str = "",
) -> QuerySet:
    """The claims of ``queryset`` whose search text contains every one of ``words``
    (case-folded here), in any order; ordered newest first (``-pk``) with ``newest_first``.
    With ``through`` (a field path to a claim, e.g. ``"left__"`` or ``"link__right__"``),
    the rows of ``queryset`` whose claim at that path holds the words: on SQLite the
    search index then leads the join, and a query that stops after a few rows (a capped
    count) reads only as many of the matches as it needs.

    On SQLite, ``use_index`` (the default) joins the FTS5 table, which lists the claims that
    hold the words of 3 or more characters (the LIKE conditions test only those). Pass
    False when the caller reads the rows in its own order, expects many matches and stops
    after a page (the claims list past its count limit): each row is then tested as it
    comes, and a page found at once, where the index would gather every match first. With
    ``newest_first`` SQLite reads the FTS5 table backwards, in the claims' id order,
    stopping with the rows needed: ``-pk`` would sort every match first.
    """
    keys = [search_key(word) for word in words]
    for key in keys:
        queryset = queryset.filter(**{f"{through}search_text__contains": key})
    indexed = [key for key in keys if len(key) >= FTS_MIN_LENGTH]
    if not (use_index and indexed and connections[queryset.db].vendor == "sqlite"):
        return queryset.order_by("-pk") if newest_first else queryset
    # A join rather than "id IN (SELECT rowid …)": SQLite can then read the FTS5 table
    # first and stop after a count's or a page's rows, where IN collects every match (at
    # 100,000 claims a word in all of them took 60 ms before anything was returned).
    queryset = queryset.filter(**{
        f"{through}search_entry__index__match": " AND ".join(fts_phrase(key) for key in indexed)
    })  # fmt: skip
    # In the index's order (its rowid, the claim's id): "-pk" would sort every match.
    return queryset.order_by("-search_entry__claim_id") if newest_first else queryset


def either_claim_holds(words: list[str], *, through: str = "") -> Q:
    """A condition on claim links (or on rows pointing at one through the field path
    ``through``, e.g. ``"link__"``): the left or the right claim holds every one of
    ``words``, as ``claims_matching`` matches them, tested row by row through the join
    (for lists whose rows are few, or found in their own order)."""
    left, right = f"{through}left__", f"{through}right__"
    return claim_holds(words, through=left) | claim_holds(words, through=right)


def claim_holds(words: list[str], *, through: str = "") -> Q:
    """A condition on claims (or on rows pointing at one through the field path
    ``through``, e.g. ``"left__"``): the claim holds every one of ``words``, as
    ``claims_matching`` matches them, without the search index."""
    keys = [search_key(word) for word in words]
    return Q(*[Q(**{f"{through}search_text__contains": key}) for key in keys])
