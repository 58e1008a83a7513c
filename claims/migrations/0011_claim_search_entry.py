"""The index of migration 0010 declared as an unmanaged model (claims.models.ClaimSearchEntry),
so that claims.search joins it through the ORM: nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models

import claims.models


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_sqlite_claim_search")]

    operations = [
        migrations.CreateModel(
            name="ClaimSearchEntry",
            fields=[
                (
                    "claim",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="claims.claim",
                    ),
                ),
                ("index", claims.models.FullTextColumn(db_column="claims_claim_fts")),
            ],
            options={
                "db_table": "claims_claim_fts",
                "managed": False,
                "default_permissions": (),
            },
        ),
    ]
