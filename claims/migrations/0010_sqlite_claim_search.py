"""A trigram full-text index of claims for the claim search on SQLite.

The link typeahead (claims.api.claim_search, GET /api/claims/search/?q=…) and the claims
list's search (claims.filters.ClaimFilter.search, GET /claims/?q=…) keep the claims whose
``search_text`` contains every word typed: ``search_text LIKE '%word%' ESCAPE '\\'`` for
each word. PostgreSQL answers that from the trigram GIN index of 0004; SQLite read every
claim until it had found enough. At 100,000 claims (bench/generate.py, scale 1;
bench/link_search.py --generated, medians of 3 × 15 requests, before → after):

    link typeahead, "nothing matches this" (every claim read)   106 ms → 9 ms
    link typeahead, "Alma Ata" (rare)                            44 ms → 7 ms
    link typeahead, "Trotsky", "that" (many matches)          8–9 ms → 6–8 ms
    claims list, /claims/?q=expelled+1929                       338 ms → 63 ms
    claims list, /claims/?q=alma+ata                            482 ms → 45 ms
    claims list, /claims/?q=trotsky                              74 ms → 67 ms

(the claims list's remaining ~50 ms is the page itself: its SQL now takes 2–15 ms).

This is an FTS5 table with the trigram tokenizer, which answers a word of 3 or more
characters (MATCH with the word as a quoted phrase) from its index; claims.search joins
it. It is an external-content table (https://sqlite.org/fts5.html#external_content_tables):
the text stays in claims_claim, the table holds only the index, whose rowid is the claim's
id, kept in step by the triggers below. Building it for 100,000 claims takes about 9 s, it
takes a third as much room again as the whole database (184 MB → 251 MB), and a SQLite
backup copies it with the rest.

Django's SQLite schema editor alters a table it cannot ALTER by copying it into a new
one, dropping the old one (and with it these triggers) and renaming the new one: a later
migration that does that to claims_claim must create the triggers again (CREATE_TRIGGERS)
and rebuild the index. tests/claims/test_search.py checks they exist after every migration.
"""

from django.db import migrations

FTS_TABLE = "claims_claim_fts"

CREATE_TABLE = f"""
CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
    search_text, content='claims_claim', content_rowid='id', tokenize='trigram'
)"""

# As https://sqlite.org/fts5.html#external_content_tables writes them: 'delete' must be given
# the values the index holds, so the old row's.
CREATE_TRIGGERS = [
    f"""
CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON claims_claim BEGIN
    INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
END""",
    f"""
CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON claims_claim BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END""",
    f"""
CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF id, search_text ON claims_claim BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
END""",
]

REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"

DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

ERROR_NO_TRIGRAM = (
    "Claim search on SQLite needs SQLite 3.34 or later built with FTS5 (for its trigram "
    "tokenizer); this Python's sqlite3 module has SQLite {version}, which cannot create "
    "the index ({error}). Use a Python whose SQLite has it, or PostgreSQL."
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    try:
        schema_editor.execute(CREATE_TABLE)
    except Exception as error:  # no FTS5, or no trigram tokenizer (SQLite before 3.34)
        version = schema_editor.connection.Database.sqlite_version
        raise RuntimeError(ERROR_NO_TRIGRAM.format(version=version, error=error)) from error
    for statement in CREATE_TRIGGERS:
        schema_editor.execute(statement)
    schema_editor.execute(REBUILD)  # index the claims there already


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("claims", "0009_deleted_history_names")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
