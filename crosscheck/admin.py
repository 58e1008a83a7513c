from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
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

    def admin_view(self, view, cacheable=False):
        """A signed-in user who is not an editor gets 403 (the admin's own answer, its
        sign-in page, would invite them to sign in as someone else); others sign in."""
        wrapped = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request: HttpRequest, *args, **kwargs):
            signed_in = request.user.is_authenticated
            if signed_in and not self.has_permission(request) and view != self.logout:
                raise PermissionDenied
            return wrapped(request, *args, **kwargs)

        return inner
