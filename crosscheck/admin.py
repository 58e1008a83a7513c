from django.contrib import admin
from django.http import HttpRequest

from crosscheck.roles import is_editor


class CrosscheckAdminSite(admin.AdminSite):
    site_header = "Crosscheck administration"
    site_title = "Crosscheck admin"
    index_title = "Curate the corpus"

    def has_permission(self, request: HttpRequest) -> bool:
        """Only staff in the editor group (or superusers) reach the admin."""
        user = request.user
        return user.is_active and user.is_staff and is_editor(user)
