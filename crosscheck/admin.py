from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from crosscheck.permissions import can_use_admin


def changelist_url(model: type[Model], **filters: int | str) -> str:
    """The admin's list of ``model``, filtered by ``filters`` (``source__id__exact=7``)."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def changelist_link(text: object, model: type[Model], **filters: int | str) -> str:
    """``text`` as a link to the admin's list of ``model`` filtered by ``filters``."""
    return format_html('<a href="{}">{}</a>', changelist_url(model, **filters), text)


class ViewOnlyAdmin:
    """For what the admin shows but never adds, changes or deletes: rows the app's services
    write (reviews, comments), read-only inlines and the lists of deleted objects. Put it
    before the admin class it makes view-only."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CrosscheckAdminSite(admin.AdminSite):
    site_header = "Crosscheck administration"
    site_title = "Crosscheck admin"
    index_title = "Curate the corpus"

    def has_permission(self, request: HttpRequest) -> bool:
        """Only staff who curate the corpus (editors, superusers) reach the admin."""
        return can_use_admin(request.user)

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
