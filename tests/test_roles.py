"""Roles are groups with permissions; only editors reach the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from crosscheck.roles import ROLE_PERMISSIONS, roles_sync
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_the_three_role_groups_exist_with_their_corpus_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {"annotator", "reviewer", "editor"}
    assert {"corpus.add_document", "corpus.view_document"} <= permissions_of("annotator")
    assert "corpus.add_document" not in permissions_of("reviewer")
    assert {"corpus.change_document", "corpus.delete_source", "auth.change_user"} <= (
        permissions_of("editor")
    )


def test_every_permission_in_the_role_table_exists_and_is_granted():
    for role, dotted_names in ROLE_PERMISSIONS.items():
        assert permissions_of(role) >= set(dotted_names), role


def test_roles_sync_adds_but_never_removes_permissions():
    group = Group.objects.get(name="reviewer")
    extra = Permission.objects.get(codename="add_source")
    group.permissions.add(extra)
    group.permissions.remove(Permission.objects.get(codename="view_document"))
    roles_sync()
    assert {"corpus.add_source", "corpus.view_document"} <= permissions_of("reviewer")


def test_an_editor_reaches_the_admin(editor_client):
    assert editor_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("role", [None, "annotator", "reviewer"])
def test_others_do_not_reach_the_admin_even_when_staff(client, role):
    client.force_login(make_user(role, is_staff=True))
    assert client.get(reverse("admin:index")).status_code == 403


def test_the_admin_opens_to_the_permission_of_curating_whatever_the_group_is_called(client):
    curator = make_user(None, is_staff=True)
    group = Group.objects.create(name="curators")
    group.permissions.add(Permission.objects.get(codename="change_document"))
    curator.groups.add(group)
    client.force_login(curator)
    assert client.get(reverse("admin:index")).status_code == 200

    client.force_login(make_user(None, is_staff=True))  # in no group: refused
    assert client.get(reverse("admin:index")).status_code == 403
