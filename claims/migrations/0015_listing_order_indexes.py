"""Indexes in the orders the claim pair lists read (issue 16, bench/pair_browser.py,
bench/review_queue.py at 100,000 links):

- link_relation_recent_idx, link_state_recent_idx: the pair browser sorted by relation or
  state (ORDER BY relation, created_at DESC, id DESC LIMIT 50) reads a page from these
  instead of sorting every link; filtered by one relation or state, the pair browser
  reads them forwards (newest first) and the review queue backwards (oldest first).
- review_current_recent_idx: My verdicts, a reviewer's current verdicts newest first,
  read in order, so that a search stops after a page."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0014_claim_event_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claimlink",
            index=models.Index(
                fields=["relation", "-created_at", "-id"], name="link_relation_recent_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="claimlink",
            index=models.Index(
                fields=["review_state", "-created_at", "-id"], name="link_state_recent_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                condition=models.Q(("is_current", True)),
                fields=["reviewer", "-created_at", "-id"],
                name="review_current_recent_idx",
            ),
        ),
    ]
