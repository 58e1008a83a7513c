"""The editors' admin of user accounts: people who leave are deactivated, never deleted.

Claims, links, evidence, reviews and imported documents keep their author (``PROTECT``),
so a user is never deleted, by anyone, superusers included: there is no delete button and
no "Delete selected" action. "Deactivate the selected users" turns the account off instead
(no sign-in, no role; the work keeps showing its author), "Reactivate" turns it back on,
and each is recorded in the user's admin history with who did it.

Editors give people roles, nothing more: only a superuser changes a group or its
permissions, makes a superuser, grants a user a permission, or puts a user in a group
outside the roles (``crosscheck.roles.ROLES``), so the admin is no path past one's role.

Imported from an app's ``ready()`` once every app's admin module has been imported, so it
replaces the ``UserAdmin`` and ``GroupAdmin`` that ``django.contrib.auth.admin`` registered."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from crosscheck.roles import ROLES
from crosscheck.text import plural

User = get_user_model()

MESSAGE_DEACTIVATED = (
    "Deactivated {users}: they can no longer sign in; their work keeps their name."
)
MESSAGE_REACTIVATED = "Reactivated {users}: they can sign in again, with the roles they had."
MESSAGE_NOTHING_TO_DO = "No user changed: the selected were already {state}."
ERROR_NOT_YOURSELF = "You cannot deactivate your own account; ask another editor."
ERROR_SUPERUSER = "Only a superuser can deactivate or reactivate the superuser “{username}”."
LOG_DEACTIVATED = "Deactivated."
LOG_REACTIVATED = "Reactivated."


class CrosscheckUserAdmin(UserAdmin):
    actions = ("deactivate_selected", "reactivate_selected")
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Nobody deletes a user, superusers included: their work keeps its author.
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        # An editor who is not a superuser must not lock out or take over a superuser.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return allowed

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        # Only a superuser hands out superuser status or permissions outside the roles.
        return (*readonly, "is_superuser", "user_permissions")

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # An editor hands out the roles; a group a superuser made may hold anything.
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Keep the groups outside the roles that an editor's form cannot show (it offers
        the roles only): the form's save would drop them."""
        kept = []
        if change and not request.user.is_superuser and "groups" in form.cleaned_data:
            kept = list(form.instance.groups.exclude(name__in=ROLES))
        super().save_related(request, form, formsets, change)
        form.instance.groups.add(*kept)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Deactivate the selected users", permissions=["change"])
    def deactivate_selected(self, request: HttpRequest, queryset) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description="Reactivate the selected users", permissions=["change"])
    def reactivate_selected(self, request: HttpRequest, queryset) -> None:
        self._set_active(request, queryset, active=True)

    def _set_active(self, request: HttpRequest, queryset, *, active: bool) -> None:
        """Turn the selected accounts on or off, each recorded in the admin log as done by
        ``request.user``; the acting user and (for non-superusers) superusers are skipped
        with a message saying why."""
        changed = 0
        for user in queryset.filter(is_active=not active).order_by("pk"):
            if not active and user.pk == request.user.pk:
                self.message_user(request, ERROR_NOT_YOURSELF, messages.ERROR)
                continue
            if not self.has_change_permission(request, user):
                username = user.get_username()
                self.message_user(
                    request, ERROR_SUPERUSER.format(username=username), messages.ERROR
                )
                continue
            user.is_active = active
            user.save(update_fields=["is_active"])
            self.log_change(request, user, LOG_REACTIVATED if active else LOG_DEACTIVATED)
            changed += 1
        if changed:
            message = MESSAGE_REACTIVATED if active else MESSAGE_DEACTIVATED
            self.message_user(
                request, message.format(users=plural(changed, "user")), messages.SUCCESS
            )
        elif not queryset.filter(is_active=not active).exists():
            state = "active" if active else "inactive"
            self.message_user(request, MESSAGE_NOTHING_TO_DO.format(state=state), messages.INFO)


class CrosscheckGroupAdmin(GroupAdmin):
    """The groups are the roles and their permissions: editors see them, read-only; only a
    superuser adds, changes or deletes one (whatever permissions a group was given)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


for model, model_admin in ((User, CrosscheckUserAdmin), (Group, CrosscheckGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
