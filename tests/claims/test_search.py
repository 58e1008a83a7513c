"""Matching claims against typed words (claims.search): the link typeahead and the claims
list find a claim when every word is a substring of its case-folded quote and statement,
the same on SQLite (through the FTS5 trigram index of migration 0010) and PostgreSQL."""

import importlib
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, search_key
from claims.search import FTS_TABLE, claims_matching, fts_phrase
from claims.services import claim_delete, claim_update
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("claims:api-claim-search")
LIST_URL = reverse("claims:list")
on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's index")
migration = importlib.import_module("claims.migrations.0010_sqlite_claim_search")

# (statement, quote): each claim's search text is search_key(statement, quote).
CLAIMS = {
    "percent": ("Taxes rose by 5% in Q_1.", "Budget: taxes rose by 5% in Q_1."),
    "digits": ("Taxes climbed 55 in Q11.", "Budget: taxes rose 55 in Q11."),
    "quotes": ('He said "no" to the plan.', "The file C:\\Temp\\plan.txt was lost."),
    "german": ("L'état, c'est moi.", "Der Ärger über die Straße."),
    "syntax": ("Unemployment (AND prices) OR NOT* rose.", "Λόγος NEAR(a b) ^x col:1."),
    "turkish": ("İstanbul grew.", "The city grew fast."),
}

# A query and the claims it finds: every word a substring, ignoring case as str.casefold.
QUERIES = [
    ("taxes rose", {"percent", "digits"}),  # every word, in any claim that has them all
    ("ROSE taxes", {"percent", "digits"}),
    ("rose budget 55", {"digits"}),
    ("employ", {"syntax"}),  # part of a word
    ("xes ros", {"percent", "digits"}),
    ("rose nowhere", set()),
    # Words of 1 or 2 characters, alone and with longer ones.
    ("q1", {"digits"}),
    ("5 in", {"percent", "digits"}),
    ("taxes 5", {"percent", "digits"}),
    ("taxes q1", {"digits"}),
    ("55 q11", {"digits"}),
    # LIKE's wildcards and escape character, and FTS5's quote, are plain characters.
    ("5%", {"percent"}),
    ("5% taxes", {"percent"}),
    ("%", {"percent"}),
    ("_", {"percent"}),
    ("q_1", {"percent"}),
    ("q_1.", {"percent"}),
    ("q%1", set()),
    ("5_", set()),
    ("__1", set()),
    ("%%%", set()),
    ("\\", {"quotes"}),
    ("c:\\temp\\plan", {"quotes"}),
    ("\\%", set()),
    ("\\_1", set()),
    ('"no"', {"quotes"}),
    ('"no" plan', {"quotes"}),
    ('"', {"quotes"}),
    ('""', set()),
    ('"""', set()),
    ('said "no', {"quotes"}),
    ("'", {"german"}),
    ("l'état c'est", {"german"}),
    ("'état'", set()),
    # FTS5's query syntax means nothing in a word.
    ("(and", {"syntax"}),
    ("or not*", {"syntax"}),
    ("NOT*", {"syntax"}),
    ("near(a", {"syntax"}),
    ("col:1", {"syntax"}),
    ("^x", {"syntax"}),
    ("AND OR", {"syntax"}),
    ("*", {"syntax"}),
    ("taxes*", set()),
    # Case folding beyond ASCII, as str.casefold does it (no accent folding).
    ("ärger", {"german"}),
    ("ÄRGER", {"german"}),
    ("ärg", {"german"}),
    ("arger", set()),
    ("ÉTAT", {"german"}),
    ("straße", {"german"}),
    ("STRASSE", {"german"}),
    ("ß", {"german"}),  # "ss", two characters
    ("ss", {"german"}),
    ("λόγος", {"syntax"}),
    ("ΛΌΓΟΣ", {"syntax"}),
    ("İstanbul", {"turkish"}),
    ("istanbul", set()),  # "İ".casefold() is "i̇", an i and a combining dot
    ("i̇stanbul grew", {"turkish"}),
]


@pytest.fixture
def claims(annotator):
    made = {}
    for key, (statement, quote) in CLAIMS.items():
        made[key] = make_claim(
            make_document(f"{quote}\n\nThe end."), quote=quote, statement=statement,
            user=annotator,
        )  # fmt: skip
    return made


def found(claims, queryset) -> set[str]:
    names = {claim.pk: key for key, claim in claims.items()}
    return {names[pk] for pk in queryset.values_list("pk", flat=True)}


def expected_by_substring(claims, q: str) -> set[str]:
    """What the search must find, worked out here: str.casefold and Python's ``in``."""
    texts = {key: Claim.objects.get(pk=claim.pk).search_text for key, claim in claims.items()}
    return {key for key, text in texts.items() if all(search_key(w) in text for w in q.split())}


def typeahead(client, q: str, **params) -> list[str]:
    response = client.get(SEARCH_URL, {"q": q, **params})
    assert response.status_code == 200
    return [result["id"] for result in response.json()["results"]]


def listed(client, q: str) -> list[str]:
    response = client.get(LIST_URL, {"q": q})
    assert response.status_code == 200
    return [str(claim.public_id) for claim in response.context["page"].object_list]


def fts_rowids(word: str) -> list[int]:
    """The claims the FTS5 index finds for ``word`` (SQLite only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT rowid FROM "{FTS_TABLE}" WHERE "{FTS_TABLE}" MATCH %s',
            [fts_phrase(search_key(word))],
        )
        return [rowid for (rowid,) in cursor.fetchall()]


def check_index_integrity() -> None:
    """FTS5's integrity check, comparing the index with claims_claim (rank 1): an index out
    of step with the claims makes it fail ("database disk image is malformed")."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")


# What matches


@pytest.mark.parametrize(("q", "expected"), QUERIES)
def test_a_claim_matches_when_every_word_is_in_its_case_folded_text(claims, q, expected):
    assert expected_by_substring(claims, q) == expected  # the table above is right
    for use_index in (True, False):
        queryset = claims_matching(Claim.objects.all(), q.split(), use_index=use_index)
        assert found(claims, queryset) == expected, use_index


@pytest.mark.parametrize(("q", "expected"), QUERIES)
def test_the_typeahead_and_the_claims_list_find_the_same_claims(
    claims, reviewer_client, q, expected
):
    newest_first = [
        str(claims[key].public_id) for key in sorted(expected, key=lambda key: -claims[key].pk)
    ]
    if len(q.replace(" ", "")) >= 2:  # the typeahead's shortest search
        assert typeahead(reviewer_client, q) == newest_first
    assert sorted(listed(reviewer_client, q)) == sorted(newest_first)


def test_the_text_a_claim_stores_decides_not_the_index_folding(claims):
    """The FTS5 index folds case itself; a word it finds in a search text that was not
    case-folded (stored some other way than through search_key) is still checked by LIKE,
    which folds only ASCII letters on SQLite and nothing on PostgreSQL."""
    Claim.objects.filter(pk=claims["german"].pk).update(search_text="DER ÄRGER")
    assert found(claims, claims_matching(Claim.objects.all(), ["ärger"])) == set()
    assert found(claims, claims_matching(Claim.objects.all(), ["ÄRGER"])) == set()


def test_the_typeahead_lists_newest_first_and_leaves_out_the_excluded_document(
    reviewer_client, annotator
):
    made = [
        make_claim(make_document(f"Trotsky spoke, {n}."), quote=f"Trotsky spoke, {n}.",
                   user=annotator)
        for n in range(13)
    ]  # fmt: skip
    expected = [str(claim.public_id) for claim in reversed(made)]
    assert typeahead(reviewer_client, "trotsky spoke") == expected[:10]
    excluded = made[-1].document_id
    assert typeahead(reviewer_client, "trotsky", exclude_document=excluded) == expected[1:11]


def test_an_edited_claim_is_found_by_its_new_statement_only(claims, annotator, reviewer_client):
    claim = claims["digits"]
    assert found(claims, claims_matching(Claim.objects.all(), ["climbed"])) == {"digits"}
    claim_update(
        claim=claim, statement="Zinoviev was expelled.", topics=[], version=claim.version,
        user=annotator,
    )  # fmt: skip
    assert found(claims, claims_matching(Claim.objects.all(), ["zinoviev"])) == {"digits"}
    assert found(claims, claims_matching(Claim.objects.all(), ["expelled", "55"])) == {"digits"}
    # The old statement is gone; the quote ("Budget: taxes rose 55 in Q11.") stays.
    assert found(claims, claims_matching(Claim.objects.all(), ["q11", "taxes"])) == {"digits"}
    assert found(claims, claims_matching(Claim.objects.all(), ["climbed"])) == set()
    assert typeahead(reviewer_client, "climbed") == []
    assert typeahead(reviewer_client, "zinoviev") == [str(claim.public_id)]
    assert listed(reviewer_client, "zinoviev") == [str(claim.public_id)]
    if connection.vendor == "sqlite":
        assert fts_rowids("zinoviev") == [claim.pk]
        check_index_integrity()


def test_a_deleted_claim_is_not_found(claims, annotator, reviewer_client):
    claim = claims["percent"]
    claim_delete(claim=claim, version=claim.version, user=annotator, confirm=True)
    assert found(claims, claims_matching(Claim.objects.all(), ["5%"])) == set()
    assert typeahead(reviewer_client, "5%") == []
    assert listed(reviewer_client, "5%") == []
    if connection.vendor == "sqlite":
        assert fts_rowids("5%") == []
        check_index_integrity()


# How it is found


@on_sqlite
def test_on_sqlite_the_typeahead_reads_the_fts_index_newest_first(claims, reviewer_client):
    with CaptureQueriesContext(connection) as captured:
        results = typeahead(reviewer_client, "taxes 5")
    assert results == [str(claims["digits"].public_id), str(claims["percent"].public_id)]
    searches = [query["sql"] for query in captured if "claims_claim_fts" in query["sql"]]
    assert len(searches) == 1
    assert f'"{FTS_TABLE}" MATCH' in searches[0]

    queryset = claims_matching(Claim.objects.all(), ["taxes", "rose", "5"], newest_first=True)
    plan = queryset[:10].explain()
    assert f"SCAN {FTS_TABLE} VIRTUAL TABLE INDEX" in plan
    assert "TEMP B-TREE" not in plan  # read in order, not sorted: stops after ten
    # A claim is read only when the index found it, by its id.
    assert "SEARCH claims_claim USING INTEGER PRIMARY KEY (rowid=?)" in plan
    assert not any(line.endswith("SCAN claims_claim") for line in plan.splitlines())


@on_sqlite
def test_on_sqlite_the_claims_list_counts_through_the_fts_index(claims, reviewer_client):
    with CaptureQueriesContext(connection) as captured:
        listed(reviewer_client, "taxes")
    assert any(f'"{FTS_TABLE}" MATCH' in query["sql"] for query in captured)


@on_sqlite
def test_words_shorter_than_a_trigram_do_not_use_the_index(claims):
    assert FTS_TABLE not in str(claims_matching(Claim.objects.all(), ["5%", "q1"]).query)
    indexed = str(claims_matching(Claim.objects.all(), ["5%", "q1", "taxes"]).query)
    assert indexed.count(" MATCH ") == 1
    assert FTS_TABLE not in str(claims_matching(Claim.objects.all(), ["taxes"], use_index=False))


def test_without_the_index_the_sql_is_the_contains_conditions(claims):
    """PostgreSQL (its trigram GIN index answers LIKE) and SQLite without use_index run
    exactly the conditions the search always ran."""
    plain = Claim.objects.filter(search_text__contains="taxes").filter(search_text__contains="5%")
    assert str(claims_matching(Claim.objects.all(), ["TAXES", "5%"], use_index=False).query) == (
        str(plain.query)
    )
    if connection.vendor == "postgresql":
        assert str(claims_matching(Claim.objects.all(), ["TAXES", "5%"]).query) == str(plain.query)
        newest = claims_matching(Claim.objects.all(), ["TAXES", "5%"], newest_first=True)
        assert str(newest.query) == str(plain.order_by("-pk").query)


# The index and its migration


@on_sqlite
def test_the_index_triggers_exist_after_every_migration():
    """Django's SQLite schema editor rebuilds a table it cannot ALTER, losing its triggers:
    a migration that does so to claims_claim must create them again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'claims_claim'"
        )
        triggers = {name for (name,) in cursor.fetchall()}
    assert triggers >= {f"{FTS_TABLE}_insert", f"{FTS_TABLE}_delete", f"{FTS_TABLE}_update"}
    check_index_integrity()


def _schema_editor():
    """Enough of a schema editor for the migration's functions, usable inside the test's
    transaction (SQLite's real one refuses to run inside one)."""

    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    return SimpleNamespace(connection=connection, execute=execute)


def test_the_migration_reverses_and_indexes_the_claims_there_already(claims):
    migration.backwards(None, _schema_editor())
    if connection.vendor == "sqlite":
        assert FTS_TABLE not in connection.introspection.table_names()
        claim = claims["german"]
        Claim.objects.filter(pk=claim.pk).update(search_text=search_key("Ein neuer Ärger"))
    migration.forwards(None, _schema_editor())
    assert found(claims, claims_matching(Claim.objects.all(), ["ärger"])) == {"german"}
    if connection.vendor == "sqlite":
        assert found(claims, claims_matching(Claim.objects.all(), ["neuer"])) == {"german"}
        check_index_integrity()


@on_sqlite
def test_the_migration_says_what_sqlite_it_needs(monkeypatch):
    def execute(sql):
        raise connection.Database.OperationalError("no such tokenizer: trigram")

    editor = SimpleNamespace(connection=connection, execute=execute)
    with pytest.raises(RuntimeError, match="needs SQLite 3.34 or later built with FTS5"):
        migration.forwards(None, editor)


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_index_with_the_claims(annotator):
    claim = make_claim(make_document("Trotsky was expelled."), quote="Trotsky was expelled.")
    assert fts_rowids("trotsky") == [claim.pk]
    call_command("flush", interactive=False, verbosity=0)
    assert fts_rowids("trotsky") == []
    check_index_integrity()
