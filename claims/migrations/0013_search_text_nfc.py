"""Recompute every claim's search text by ``search_key`` as it is now: in Unicode NFC
before and after case folding, so that a statement typed in NFD ("e" and a combining
accent) is found by words typed in NFC, and the other way round. Only the claims whose
search text differs are written; on SQLite the FTS5 index follows them through its
update trigger (migration 0010)."""

import unicodedata

from django.db import migrations

BATCH_ROWS = 2000


def search_key(*texts: str) -> str:
    """``claims.models.search_key`` as of this migration."""
    folded = unicodedata.normalize("NFC", "\n".join(texts)).casefold()
    return unicodedata.normalize("NFC", folded)


def recompute_search_text(apps, schema_editor) -> None:
    Claim = apps.get_model("claims", "Claim")
    rows = Claim.objects.order_by("pk").values_list("pk", "statement", "quote", "search_text")
    stale = []
    for pk, statement, quote, stored in rows.iterator(chunk_size=BATCH_ROWS):
        key = search_key(statement, quote)
        if key != stored:
            stale.append(Claim(pk=pk, search_text=key))
    Claim.objects.bulk_update(stale, ["search_text"], batch_size=BATCH_ROWS)


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_link_direction")]

    # Backwards: nothing to undo; the search texts stay as findable as before.
    operations = [migrations.RunPython(recompute_search_text, migrations.RunPython.noop)]
