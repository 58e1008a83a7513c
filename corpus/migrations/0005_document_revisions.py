"""Revisions: a corrected text is a new document linked to the one it corrects
(``previous``, one successor each) with its ``revision`` number.

On SQLite the new columns would come after the text, which 0004 moved last (reading a
column stored after a long text walks its overflow pages): as 0004 does, the text moves to
the end of the migration state and the table is rebuilt in that order."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rebuild_on_sqlite(apps, schema_editor) -> None:
    """Rebuild the table with the text last. Django's rebuild recreates a field that refers
    to its own table (``previous``) after all the others; given fresh copies of it and of
    the text, in that order, it puts them last in that order."""
    if schema_editor.connection.vendor != "sqlite":
        return
    document = apps.get_model("corpus", "Document")
    moved = []
    for name in ("previous", "text"):
        field = document._meta.get_field(name)
        copy = field.clone()
        copy.set_attributes_from_name(name)
        moved.append((field, copy))
    schema_editor._remake_table(document, alter_fields=moved)


class Migration(migrations.Migration):

    dependencies = [
        ('corpus', '0004_document_text_last'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='previous',
            field=models.OneToOneField(blank=True, editable=False, help_text='The revision this text corrects; empty for a first text.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='next_revision', to='corpus.document'),
        ),
        migrations.AddField(
            model_name='document',
            name='revision',
            field=models.PositiveIntegerField(default=1, editable=False, help_text='1 for a first text, then 2, 3… for corrections.'),
        ),
        migrations.AddField(
            model_name='historicaldocument',
            name='previous',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The revision this text corrects; empty for a first text.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='corpus.document'),
        ),
        migrations.AddField(
            model_name='historicaldocument',
            name='revision',
            field=models.PositiveIntegerField(default=1, editable=False, help_text='1 for a first text, then 2, 3… for corrections.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(('revision__gte', 1)), name='document_revision_positive'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('previous__isnull', True), ('revision', 1)), models.Q(('previous__isnull', False), ('revision__gte', 2)), _connector='OR'), name='document_revision_follows_previous'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="document", name="text"),
                migrations.AddField(
                    model_name="document",
                    name="text",
                    field=models.TextField(default=""),
                    preserve_default=False,
                ),
            ],
        ),
        migrations.RunPython(rebuild_on_sqlite, migrations.RunPython.noop, elidable=False),
    ]
