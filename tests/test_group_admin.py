"""Editors' admin is no path to privilege: only a superuser changes groups and their
permissions; an editor gives people roles (the role groups) and nothing else."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from crosscheck.roles import ROLES
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
GROUPS = reverse("admin:auth_group_changelist")

# Permissions no role holds, each a way past the roles if an editor could hand it out.
DANGEROUS = ["auth.delete_user", "auth.change_permission", "axes.delete_accessattempt"]


def permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def permissions_of(group: Group) -> set[int]:
    return set(group.permissions.values_list("pk", flat=True))


def user_form_data(client: Client, user) -> dict:
    """The user's change form as the admin renders it, ready to post back."""
    form = client.get(reverse("admin:auth_user_change", args=[user.pk])).context["adminform"]
    data = {}
    for name, field in form.form.fields.items():
        value = form.form.initial.get(name, field.initial)
        if value is None:
            continue
        if name == "groups":
            data[name] = [group.pk for group in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(value, "isoformat"):
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), "00:00:00"
        else:
            data[name] = value
    return data


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    return client


@pytest.fixture
def outside_group(db):
    """A group a superuser made, holding a permission outside the roles."""
    group = Group.objects.create(name="account-cleaners")
    group.permissions.add(permission("auth.delete_user"))
    return group


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("dotted", [*DANGEROUS, "claims.change_claim"])
def test_an_editor_cannot_add_a_permission_to_a_role(editor_client, role, dotted):
    group = Group.objects.get(name=role)
    before = permissions_of(group)
    granted = [*before, permission(dotted).pk]
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = editor_client.post(url, {"name": role, "permissions": granted})
    assert response.status_code == 403
    group.refresh_from_db()
    assert (group.name, permissions_of(group)) == (role, before)


def test_an_editor_sees_a_group_read_only(editor_client):
    group = Group.objects.get(name="editor")
    response = editor_client.get(reverse("admin:auth_group_change", args=[group.pk]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["adminform"].form.fields == {}
    page = editor_client.get(GROUPS)
    assert page.status_code == 200
    assert not page.context["has_add_permission"]


def test_an_editor_cannot_add_a_group(editor_client):
    url = reverse("admin:auth_group_add")
    response = editor_client.post(
        url, {"name": "powers", "permissions": [permission("auth.delete_user").pk]}
    )
    assert response.status_code == 403
    assert not Group.objects.filter(name="powers").exists()


def test_an_editor_cannot_delete_a_group(editor_client):
    group = Group.objects.get(name="reviewer")
    url = reverse("admin:auth_group_delete", args=[group.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    editor_client.post(
        GROUPS, {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"}
    )
    assert Group.objects.filter(pk=group.pk).exists()


def test_a_superuser_changes_a_groups_permissions(superuser_client):
    group = Group.objects.get(name="reviewer")
    granted = [*permissions_of(group), permission("claims.change_claim").pk]
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = superuser_client.post(url, {"name": "reviewer", "permissions": granted})
    assert response.status_code == 302
    group.refresh_from_db()
    assert permissions_of(group) == set(granted)


def test_an_editor_gives_a_user_a_role(editor_client):
    user = make_user("annotator")
    data = user_form_data(editor_client, user)
    data["groups"] = [Group.objects.get(name=name).pk for name in ("annotator", "reviewer")]
    response = editor_client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302
    assert set(user.groups.values_list("name", flat=True)) == {"annotator", "reviewer"}


def test_an_editor_cannot_put_a_user_in_a_group_outside_the_roles(
    editor_client, editor, outside_group
):
    for user in (make_user("annotator"), editor):
        data = user_form_data(editor_client, user)
        data["groups"] = [*data["groups"], outside_group.pk]
        response = editor_client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
        assert response.status_code == 200  # the form again, with an error
        assert response.context["adminform"].form.errors["groups"]
        assert not user.groups.filter(pk=outside_group.pk).exists()
        assert not user.has_perm("auth.delete_user")


def test_an_editor_changing_a_user_keeps_the_groups_a_superuser_gave(editor_client, outside_group):
    user = make_user("annotator")
    user.groups.add(outside_group)
    data = user_form_data(editor_client, user)
    data["groups"] = [Group.objects.get(name="reviewer").pk]
    data["first_name"] = "Renamed"
    response = editor_client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.first_name == "Renamed"
    assert set(user.groups.values_list("name", flat=True)) == {"reviewer", "account-cleaners"}


def test_an_editor_cannot_grant_a_user_a_permission(editor_client):
    user = make_user("annotator")
    data = user_form_data(editor_client, user)
    data["user_permissions"] = [permission("auth.delete_user").pk]
    data["is_superuser"] = "on"
    response = editor_client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_superuser
    assert not user.user_permissions.exists()


def test_a_superuser_puts_a_user_in_any_group(superuser_client, outside_group):
    user = make_user("annotator")
    data = user_form_data(superuser_client, user)
    data["groups"] = [*data["groups"], outside_group.pk]
    response = superuser_client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302
    assert user.groups.filter(pk=outside_group.pk).exists()


def test_permissions_have_no_admin_of_their_own():
    assert not admin.site.is_registered(Permission)
    assert not admin.site.is_registered(ContentType)
