"""Reviews get a public id, like claims, links and evidence, so that an export of one
Crosscheck can be imported into another and found again on a second import."""

import uuid

from django.db import migrations, models


def give_public_ids(apps, schema_editor):
    Review = apps.get_model("claims", "Review")
    reviews = list(Review.objects.only("pk"))
    for review in reviews:
        review.public_id = uuid.uuid4()
    Review.objects.bulk_update(reviews, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_history")]

    operations = [
        migrations.AddField(
            model_name="review",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="review",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="historicalreview",
            name="public_id",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
    ]
