"""The task engine's own records (django-tasks-db registers them in the admin) are not for
editors: jobs are followed on the Jobs page, and the engine's table is tidied by its own
`prune_db_task_results` command."""

from django.apps import apps
from django.contrib import admin

if apps.is_installed("django_tasks_db"):
    _engine_results = apps.get_model("django_tasks_database", "DBTaskResult")
    if admin.site.is_registered(_engine_results):
        admin.site.unregister(_engine_results)
