"""The three roles, as Django groups, and the permissions each role holds.

``ROLE_PERMISSIONS`` is the one table of who may do what; ``roles_sync`` makes the groups
match it after every ``migrate`` (and after the test suite's database flushes), the same
way Django keeps its own permissions in step with the models. It only adds: a permission
a superuser granted by hand in the admin stays."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

ANNOTATOR = "annotator"
REVIEWER = "reviewer"
EDITOR = "editor"
ROLES = (ANNOTATOR, REVIEWER, EDITOR)

_READ = [
    "corpus.view_source", "corpus.view_document", "claims.view_claim", "claims.view_topic",
    "claims.view_claimlink", "claims.view_evidence", "claims.view_review",
    "discussion.view_comment",
]  # fmt: skip
# Every role takes part in the discussion of claim pairs (its own comments: by owner).
_DISCUSS = ["discussion.add_comment"]

# The admin's import and export of each model, held separately (crosscheck.admin_import_export).
_IMPORT_EXPORT = [
    f"{app}.{action}_{model}"
    for app, model in (
        ("corpus", "source"),
        ("corpus", "document"),
        ("claims", "claim"),
        ("claims", "claimlink"),
        ("claims", "evidence"),
        ("claims", "review"),
    )  # fmt: skip
    for action in ("import", "export")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Annotators change and delete their own claims: checked by owner (crosscheck.permissions).
    ANNOTATOR: [
        *_READ,
        *_DISCUSS,
        "corpus.add_source",
        "corpus.add_document",
        "claims.add_claim",
    ],
    REVIEWER: [*_READ, *_DISCUSS, "claims.add_review"],
    EDITOR: [
        *_READ,
        *_DISCUSS,
        "discussion.delete_comment",  # anyone's comment
        "corpus.add_source",
        "corpus.change_source",
        "corpus.delete_source",
        "corpus.add_document",
        "corpus.change_document",  # also opens the admin (crosscheck.permissions.CURATE)
        "corpus.delete_document",
        "claims.add_claim",
        "claims.change_claim",
        "claims.delete_claim",
        "claims.add_topic",
        "claims.change_topic",
        "claims.delete_topic",
        "claims.add_review",
        "claims.change_claimlink",
        "claims.delete_claimlink",
        "claims.change_evidence",
        "claims.delete_evidence",
        *_IMPORT_EXPORT,
        # Every person's background jobs: see them, download their files, cancel them.
        "jobs.view_job",
        "jobs.change_job",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        # Groups are read-only to editors: only a superuser changes a role (users_admin).
        "auth.view_group",
    ],
}


def roles_sync() -> None:
    """Create the role groups if missing and grant each the permissions of the table that
    exist so far (during ``migrate`` later apps' permissions appear as their turn comes)."""
    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Q(pk__in=[])
        for dotted in dotted_names:
            app_label, codename = dotted.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(wanted))
