from django.contrib.admin.apps import AdminConfig


class CrosscheckAdminConfig(AdminConfig):
    default_site = "crosscheck.admin.CrosscheckAdminSite"
