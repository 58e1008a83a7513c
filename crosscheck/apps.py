from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class CrosscheckAdminConfig(AdminConfig):
    default_site = "crosscheck.admin.CrosscheckAdminSite"


class CrosscheckConfig(AppConfig):
    """The project package as an app: its static files, its management commands (backup,
    restore) and the user admin, which replaces django.contrib.auth's once every admin
    module has been imported."""

    name = "crosscheck"

    def ready(self) -> None:
        import crosscheck.users_admin  # noqa: F401
