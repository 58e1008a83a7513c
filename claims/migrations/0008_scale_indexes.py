"""Indexes for the pages at 100 times the seed corpus (bench/review_queue.py: 100,000 claims
and links, 50,000 reviews); the model says which query needs each."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0007_import_export_permissions")]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["created_at", "id"], name="claim_created_idx"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["document", "created_at", "id"], name="claim_document_recent_idx"
            ),
        ),
        # Replaced by link_state_relation_idx, which starts with the same column.
        migrations.RemoveIndex(model_name="claimlink", name="link_review_state_idx"),
        migrations.AddIndex(
            model_name="claimlink",
            index=models.Index(fields=["review_state", "relation"], name="link_state_relation_idx"),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                condition=models.Q(("is_current", True)),
                fields=["reviewer", "verdict"],
                name="review_current_verdicts_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                condition=models.Q(("is_current", True)),
                fields=["link", "reviewer", "verdict"],
                name="review_current_link_idx",
            ),
        ),
    ]
