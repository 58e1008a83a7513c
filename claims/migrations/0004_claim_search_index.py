"""A trigram index for the link typeahead on PostgreSQL.

The typeahead (claims.api.claim_search) matches each word as a substring of
``Claim.search_text`` (``LIKE '%word%'``); a GIN trigram index answers that without reading
the whole table (bench/link_search.py: about 140 ms → a few ms at 100,000 claims). SQLite
has no such index and needs none at that size. pg_trgm is a trusted extension: the
database owner may create it."""

from django.db import migrations

INDEX = "claim_search_text_trgm_idx"


def forwards(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    for claim in Claim.objects.filter(search_text="").only("pk", "statement", "quote").iterator():
        # search_key() as of this migration: statement and quote, case-folded.
        claim.search_text = f"{claim.statement}\n{claim.quote}".casefold()
        claim.save(update_fields=["search_text"])
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON claims_claim USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_search_text_and_reviews")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
