"""Record which claim of a *qualifies* link narrows the other (``ClaimLink.direction``).

The links made before say nothing of it, so every qualifies link, and every recorded
version of one in the history (a deleted link is restored from it), becomes "unknown":
the pages show "direction not recorded" and ask for it. The symmetric relations get
"none", which the constraint then requires of them."""

from django.db import migrations, models

DIRECTIONS = [
    ("left_qualifies_right", "left qualifies right"),
    ("right_qualifies_left", "right qualifies left"),
    ("unknown", "direction not recorded"),
    ("none", "both ways"),
]


def qualifies_direction_unknown(apps, schema_editor):
    for name in ("ClaimLink", "HistoricalClaimLink"):
        model = apps.get_model("claims", name)
        model.objects.filter(relation="qualifies").update(direction="unknown")


def qualifies_direction_none(apps, schema_editor):
    for name in ("ClaimLink", "HistoricalClaimLink"):
        model = apps.get_model("claims", name)
        model.objects.filter(relation="qualifies").update(direction="none")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_claim_search_entry"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimlink",
            name="direction",
            field=models.CharField(choices=DIRECTIONS, default="none", max_length=20),
        ),
        migrations.AddField(
            model_name="historicalclaimlink",
            name="direction",
            field=models.CharField(choices=DIRECTIONS, default="none", max_length=20),
        ),
        migrations.RunPython(qualifies_direction_unknown, qualifies_direction_none),
        migrations.AddConstraint(
            model_name="claimlink",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        (
                            "direction__in",
                            ("left_qualifies_right", "right_qualifies_left", "unknown"),
                        ),
                        ("relation", "qualifies"),
                    ),
                    models.Q(
                        models.Q(("relation", "qualifies"), _negated=True), ("direction", "none")
                    ),
                    _connector="OR",
                ),
                name="link_direction_fits_relation",
            ),
        ),
    ]
