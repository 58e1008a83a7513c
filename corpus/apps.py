from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    from crosscheck.roles import roles_sync

    roles_sync()


class CorpusConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "corpus"
    verbose_name = "Corpus"

    def ready(self) -> None:
        # Runs after each app's own post_migrate handlers (permissions) for every app.
        post_migrate.connect(_sync_roles, dispatch_uid="crosscheck_roles_sync")
