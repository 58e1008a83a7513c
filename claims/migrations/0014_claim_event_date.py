"""A claim's event date: the year, month and day of the event it speaks of (each optional,
as precise as its source) and whether the source says "about", kept valid by the
claim_event_date_valid constraint, with a partial index for the timeline (comparison app).

On SQLite, adding the fields and the constraint makes Django's schema editor copy
claims_claim into a new table, which drops the claim search's FTS5 triggers (migration
0010): they are created again and the index rebuilt, forwards and backwards."""

import importlib

import django.db.models.expressions
import django.db.models.lookups
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
    dependencies = [("claims", "0013_search_text_nfc")]

    operations = [
        # Backwards, last: removing the fields copied the table again.
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        migrations.AddField(
            model_name='claim',
            name='event_approximate',
            field=models.BooleanField(default=False, help_text='The source dates it only roughly (“about 1929”).'),
        ),
        migrations.AddField(
            model_name='claim',
            name='event_day',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Its day of the month, if the source says.', null=True),
        ),
        migrations.AddField(
            model_name='claim',
            name='event_month',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Its month (1–12), if the source says.', null=True),
        ),
        migrations.AddField(
            model_name='claim',
            name='event_year',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Year of the event the claim speaks of.', null=True),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='event_approximate',
            field=models.BooleanField(default=False, help_text='The source dates it only roughly (“about 1929”).'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='event_day',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Its day of the month, if the source says.', null=True),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='event_month',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Its month (1–12), if the source says.', null=True),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='event_year',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Year of the event the claim speaks of.', null=True),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(condition=models.Q(('event_year__isnull', False)), fields=['event_year', 'event_month', 'event_day', 'event_approximate', 'document'], name='claim_event_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('event_month__isnull', True), ('event_year__isnull', False), _connector='OR'), models.Q(('event_day__isnull', True), ('event_month__isnull', False), _connector='OR'), models.Q(('event_year__isnull', True), models.Q(('event_year__gte', 1000), ('event_year__lte', 2100)), _connector='OR'), models.Q(('event_month__isnull', True), models.Q(('event_month__gte', 1), ('event_month__lte', 12)), _connector='OR'), models.Q(('event_day__isnull', True), models.Q(('event_day__gte', 1), models.Q(('event_day__lte', 28), models.Q(('event_day__lte', 30), ('event_month__in', [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])), models.Q(('event_day', 31), ('event_month__in', [1, 3, 5, 7, 8, 10, 12])), models.Q(('event_day', 29), ('event_month', 2), django.db.models.lookups.Exact(django.db.models.expressions.CombinedExpression(models.F('event_year'), '%%', models.Value(4)), 0), models.Q(models.Q(django.db.models.lookups.Exact(django.db.models.expressions.CombinedExpression(models.F('event_year'), '%%', models.Value(100)), 0), _negated=True), django.db.models.lookups.Exact(django.db.models.expressions.CombinedExpression(models.F('event_year'), '%%', models.Value(400)), 0), _connector='OR')), _connector='OR')), _connector='OR'), models.Q(('event_approximate', False), ('event_year__isnull', False), _connector='OR')), name='claim_event_date_valid', violation_error_message='This event date cannot be: a month needs a year and a day its month, the year is 1000–2100, and the day must be in its month (29 February in leap years only).'),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
