"""The demo accounts `make run` prints: one user per role."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from crosscheck.roles import EDITOR, ROLES


@transaction.atomic
def demo_accounts_create(password: str | None = None) -> str:
    """Create or refresh the users ``annotator``, ``reviewer`` and ``editor``.

    Each is put in the group of its name; ``editor`` is staff. The password is ``password``,
    else ``DEMO_PASSWORD``, else a new random one; it is returned so it can be printed."""
    password = password or os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
    User = get_user_model()
    for role in ROLES:
        user, _ = User.objects.get_or_create(username=role)
        user.is_active = True
        user.is_staff = role == EDITOR
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return password
