"""Anchor states: how claims and passages of evidence came through the correction of their
document (claims.revisions), and what the orphan queue needs of the unsettled ones (the
proposed span, the revision they wait for, the candidates). claim_unsettled_idx: the queue
reads only the unsettled claims, a handful of all.

On SQLite, adding the fields and the constraints copies claims_claim into a new table,
which drops the claim search's FTS5 triggers (migration 0010): as 0014 does, they are
created again and the index rebuilt, forwards and backwards."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

search = importlib.import_module("claims.migrations.0010_sqlite_claim_search")


def restore_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in search.DROP[:3]:  # the triggers (gone with the old table), not the index
        schema_editor.execute(statement)
    for statement in search.CREATE_TRIGGERS:
        schema_editor.execute(statement)
    schema_editor.execute(search.REBUILD)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0016_map_timeline_indexes'),
        ('corpus', '0005_document_revisions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Backwards, last: removing the fields copied the table again.
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        migrations.AddField(
            model_name='claim',
            name='anchor_candidates',
            field=models.JSONField(blank=True, default=list, editable=False, help_text='Best alternatives in the newer revision: [[start, end, score], …].'),
        ),
        migrations.AddField(
            model_name='claim',
            name='anchor_end',
            field=models.PositiveIntegerField(blank=True, editable=False, help_text='Proposed end in the newer revision.', null=True),
        ),
        migrations.AddField(
            model_name='claim',
            name='anchor_kept',
            field=models.BooleanField(default=False, editable=False, help_text='A person chose to keep it on its old revision.'),
        ),
        migrations.AddField(
            model_name='claim',
            name='anchor_method',
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name='claim',
            name='anchor_score',
            field=models.FloatField(blank=True, editable=False, help_text='Confidence 0–1 of the last re-anchoring.', null=True),
        ),
        migrations.AddField(
            model_name='claim',
            name='anchor_start',
            field=models.PositiveIntegerField(blank=True, editable=False, help_text='Proposed start in the newer revision.', null=True),
        ),
        migrations.AddField(
            model_name='claim',
            name='anchor_state',
            field=models.CharField(choices=[('exact', 'exact'), ('moved', 'moved'), ('needs_check', 'needs a check'), ('orphaned', 'orphaned')], default='exact', editable=False, max_length=12),
        ),
        migrations.AddField(
            model_name='claim',
            name='anchor_target',
            field=models.ForeignKey(blank=True, editable=False, help_text='The newer revision this claim has not been carried to yet.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='claims_awaiting', to='corpus.document'),
        ),
        migrations.AddField(
            model_name='evidence',
            name='anchor_score',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='evidence',
            name='anchor_state',
            field=models.CharField(choices=[('exact', 'exact'), ('moved', 'moved'), ('needs_check', 'needs a check'), ('orphaned', 'orphaned')], default='exact', editable=False, max_length=12),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='anchor_candidates',
            field=models.JSONField(blank=True, default=list, editable=False, help_text='Best alternatives in the newer revision: [[start, end, score], …].'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='anchor_end',
            field=models.PositiveIntegerField(blank=True, editable=False, help_text='Proposed end in the newer revision.', null=True),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='anchor_kept',
            field=models.BooleanField(default=False, editable=False, help_text='A person chose to keep it on its old revision.'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='anchor_method',
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='anchor_score',
            field=models.FloatField(blank=True, editable=False, help_text='Confidence 0–1 of the last re-anchoring.', null=True),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='anchor_start',
            field=models.PositiveIntegerField(blank=True, editable=False, help_text='Proposed start in the newer revision.', null=True),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='anchor_state',
            field=models.CharField(choices=[('exact', 'exact'), ('moved', 'moved'), ('needs_check', 'needs a check'), ('orphaned', 'orphaned')], default='exact', editable=False, max_length=12),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='anchor_target',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The newer revision this claim has not been carried to yet.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='corpus.document'),
        ),
        migrations.AddField(
            model_name='historicalevidence',
            name='anchor_score',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='historicalevidence',
            name='anchor_state',
            field=models.CharField(choices=[('exact', 'exact'), ('moved', 'moved'), ('needs_check', 'needs a check'), ('orphaned', 'orphaned')], default='exact', editable=False, max_length=12),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(condition=models.Q(('anchor_kept', False), ('anchor_state__in', ('needs_check', 'orphaned'))), fields=['anchor_target', 'anchor_state', 'id'], name='claim_unsettled_idx'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('anchor_state__in', ['exact', 'moved', 'needs_check', 'orphaned'])), name='claim_anchor_state_known'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('anchor_kept', False), ('anchor_state', 'needs_check'), ('anchor_target__isnull', False), ('anchor_end__isnull', False), ('anchor_start__isnull', False), ('anchor_start__lt', models.F('anchor_end'))), models.Q(('anchor_state', 'orphaned'), ('anchor_end__isnull', True), ('anchor_start__isnull', True), models.Q(('anchor_target__isnull', False), ('anchor_kept', True), _connector='OR')), models.Q(('anchor_kept', False), ('anchor_state__in', ['exact', 'moved']), ('anchor_target__isnull', True), ('anchor_end__isnull', True), ('anchor_start__isnull', True)), _connector='OR'), name='claim_anchor_state_consistent'),
        ),
        migrations.AddConstraint(
            model_name='evidence',
            constraint=models.CheckConstraint(condition=models.Q(('anchor_state__in', ['exact', 'moved', 'needs_check', 'orphaned'])), name='evidence_anchor_state_known'),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
