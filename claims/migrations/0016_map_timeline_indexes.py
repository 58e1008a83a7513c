"""Indexes for the comparison pages (issue 19, bench/compare.py, bench/timeline.py at
100,000 claims and 20,000 links):

- claim_id_document_idx: the contradiction map groups every link by its two claims'
  documents; probed by id for each side, it holds the document (and the event year the
  map may filter on), so no claim row is read (SQLite names it: its planner prefers the
  table's rowid without statistics).
- claim_dated_idx: the timeline's date conflicts start from the dated claims' ids (about
  2,000 of 100,000) and probe the links of each instead of reading every link."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_listing_order_indexes"),
        ("corpus", "0004_document_text_last"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["id", "document", "event_year"], name="claim_id_document_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("event_year__isnull", False)),
                fields=["id"],
                name="claim_dated_idx",
            ),
        ),
    ]
