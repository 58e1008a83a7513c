"""People who leave are deactivated, never deleted: no one deletes a user in the admin,
editors deactivate and reactivate accounts (recorded with who did it), a deactivated user
cannot sign in, and their work still shows them as its author."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from crosscheck.users_admin import (
    ERROR_NOT_YOURSELF,
    ERROR_SUPERUSER,
    LOG_DEACTIVATED,
    LOG_REACTIVATED,
    MESSAGE_DEACTIVATED,
    MESSAGE_REACTIVATED,
    CrosscheckUserAdmin,
)
from tests.factories import PASSWORD, make_claim, make_link, make_review, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
CHANGELIST = reverse("admin:auth_user_changelist")


def delete_url(user) -> str:
    return reverse("admin:auth_user_delete", args=[user.pk])


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def act(client, action: str, *users):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [user.pk for user in users]},
        follow=True,
    )


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    return client


def test_the_project_site_uses_the_crosscheck_user_admin():
    assert isinstance(admin.site._registry[User], CrosscheckUserAdmin)


@pytest.mark.parametrize("who", ["editor_client", "superuser_client"])
def test_nobody_deletes_a_user(request, who):
    client = request.getfixturevalue(who)
    leaver = make_user("annotator")
    assert client.get(delete_url(leaver)).status_code == 403
    assert client.post(delete_url(leaver), {"post": "yes"}).status_code == 403

    page = client.get(CHANGELIST)
    choices = [value for value, _ in page.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in choices
    assert {"deactivate_selected", "reactivate_selected"} <= set(choices)
    assert "deletelink" not in client.get(change_url(leaver)).content.decode()

    response = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [leaver.pk], "post": "yes"}
    )
    assert response.status_code == 302  # "No action selected"
    assert User.objects.filter(pk=leaver.pk).exists()


def test_an_editor_deactivates_a_user_and_it_is_recorded(editor_client, editor):
    leaver, other = make_user("annotator"), make_user("reviewer")
    response = act(editor_client, "deactivate_selected", leaver, other)
    assert MESSAGE_DEACTIVATED.format(users="2 users") in messages_of(response)
    for user in (leaver, other):
        user.refresh_from_db()
        assert not user.is_active
        entry = LogEntry.objects.get(object_id=str(user.pk), action_flag=CHANGE)
        assert (entry.user, entry.change_message) == (editor, LOG_DEACTIVATED)
    history = editor_client.get(reverse("admin:auth_user_history", args=[leaver.pk]))
    assert LOG_DEACTIVATED in history.content.decode()
    assert editor.username in history.content.decode()


def test_a_deactivated_user_cannot_sign_in_and_is_signed_out(editor_client):
    leaver = make_user("annotator", username="leaver")
    signed_in = Client()
    signed_in.force_login(leaver)
    assert signed_in.get(reverse("claims:list")).status_code == 200

    act(editor_client, "deactivate_selected", leaver)

    response = signed_in.get(reverse("claims:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    fresh = Client()
    response = fresh.post(reverse("login"), {"username": "leaver", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    assert response.context["form"].errors
    assert "_auth_user_id" not in fresh.session


def test_a_reactivated_user_signs_in_again_with_the_roles_they_had(editor_client, editor):
    leaver = make_user("annotator", username="returner")
    act(editor_client, "deactivate_selected", leaver)
    response = act(editor_client, "reactivate_selected", leaver)
    assert MESSAGE_REACTIVATED.format(users="1 user") in messages_of(response)
    leaver.refresh_from_db()
    assert leaver.is_active
    assert list(leaver.groups.values_list("name", flat=True)) == ["annotator"]
    entry = LogEntry.objects.filter(object_id=str(leaver.pk)).latest("action_time")
    assert (entry.user, entry.change_message) == (editor, LOG_REACTIVATED)

    client = Client()
    response = client.post(reverse("login"), {"username": "returner", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(leaver.pk)


def test_a_deactivated_users_work_keeps_its_author(editor_client, reviewer_client):
    leaver = make_user("annotator", username="departed")
    reviewing_leaver = make_user("reviewer", username="departed-reviewer")
    link = make_link(make_claim(user=leaver), user=leaver)
    make_review(link, "confirmed", user=reviewing_leaver)
    act(editor_client, "deactivate_selected", leaver, reviewing_leaver)

    link.refresh_from_db()
    assert link.created_by == leaver and link.left.created_by == leaver
    assert link.reviews.get().reviewer == reviewing_leaver
    claims_page = reviewer_client.get(reverse("claims:list")).content.decode()
    assert "by departed" in claims_page
    pair_page = reviewer_client.get(link.get_absolute_url()).content.decode()
    assert "Proposed by departed" in pair_page
    assert "departed-reviewer" in pair_page


def test_an_editor_cannot_deactivate_themselves(editor_client, editor):
    response = act(editor_client, "deactivate_selected", editor)
    assert ERROR_NOT_YOURSELF in messages_of(response)
    editor.refresh_from_db()
    assert editor.is_active


def test_only_a_superuser_deactivates_a_superuser(editor_client, superuser_client):
    root = User.objects.create_superuser("another-root", "r@example.com", PASSWORD)
    response = act(editor_client, "deactivate_selected", root)
    assert ERROR_SUPERUSER.format(username="another-root") in messages_of(response)
    root.refresh_from_db()
    assert root.is_active

    act(superuser_client, "deactivate_selected", root)
    root.refresh_from_db()
    assert not root.is_active


def test_an_editor_cannot_make_anyone_a_superuser(editor_client, editor):
    page = editor_client.get(change_url(editor))
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    assert "is_superuser" not in fields and "user_permissions" not in fields
    assert "groups" in fields and "is_active" in fields


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_staff_without_the_editor_role_cannot_deactivate(client, role):
    client.force_login(make_user(role, is_staff=True))
    target = make_user("annotator")
    response = client.post(
        CHANGELIST, {"action": "deactivate_selected", "_selected_action": [target.pk]}
    )
    assert response.status_code in (302, 403)  # the admin's sign-in page, or refused
    target.refresh_from_db()
    assert target.is_active
