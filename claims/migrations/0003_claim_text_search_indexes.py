"""Trigram indexes for the link typeahead on PostgreSQL.

The typeahead (claims.api.claim_search) filters with ``icontains`` on quote and statement,
which PostgreSQL runs as ``UPPER(column) LIKE '%WORD%'``; a GIN trigram index on
``UPPER(column)`` answers that without reading the whole table (bench/link_search.py:
about 140 ms → a few ms at 100,000 claims). SQLite has no such index and needs none at
that size. pg_trgm is a trusted extension: the database owner may create it."""

from django.db import migrations

INDEXES = {
    "claim_quote_trgm_idx": "quote",
    "claim_statement_trgm_idx": "statement",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON claims_claim "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_links_and_evidence")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
