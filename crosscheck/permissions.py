"""Who may do what: every permission rule of the pages, the endpoints, the services and the
admin, in one place and by one mechanism — Django's permissions, which the roles table
(``crosscheck.roles.ROLE_PERMISSIONS``) grants to each role's group. No rule asks for a
group by name, so a permission an editor grants by hand works like a role's.

Rules about one object (its owner or an editor may change it) read only the attributes they
need (``created_by_id``), so this module imports no app and every layer can ask it.
Superusers hold every permission; inactive users and anonymous visitors hold none."""

from collections.abc import Callable
from typing import TypeGuard

from django.contrib.auth.models import AbstractUser, AnonymousUser, User

# Whom a rule is asked about: a user or an anonymous visitor. A rule that holds is a user
# (``TypeGuard``: anonymous visitors hold no permission), as the type checker then knows.
Visitor = AbstractUser | AnonymousUser

# The admin is where the corpus is curated: staff who may change its documents (the editors)
# reach it; staff in other roles get a refusal.
CURATE = "corpus.change_document"


def _holds(user: Visitor, permission: str) -> TypeGuard[User]:
    return user.is_active and user.has_perm(permission)


def can_use_admin(user: Visitor) -> TypeGuard[User]:
    return user.is_active and user.is_staff and _holds(user, CURATE)


def can_annotate(user: Visitor) -> TypeGuard[User]:
    """Create claims, links and evidence, and change one's own."""
    return _holds(user, "claims.add_claim")


def can_change_any(user: Visitor) -> TypeGuard[User]:
    """Change and delete anyone's claims, links and evidence (editors)."""
    return _holds(user, "claims.change_claim")


def owns(user: Visitor, thing) -> bool:
    """Whether ``user`` made ``thing`` (anything with a ``created_by_id``)."""
    return thing.created_by_id == user.pk


def editable_by(user: Visitor) -> Callable[[int | None], bool]:
    """Which claims, links or evidence the user may change, asked by their author's id:
    editors change any, annotators their own. One permission check serves a whole page."""
    if can_change_any(user):
        return lambda author_id: True
    if can_annotate(user):
        return lambda author_id: author_id == user.pk
    return lambda author_id: False


def can_change(user: Visitor, thing) -> TypeGuard[User]:
    """Owners (still annotators) and editors change claims, links and evidence."""
    return editable_by(user)(thing.created_by_id)


def can_review(user: Visitor) -> TypeGuard[User]:
    return _holds(user, "claims.add_review")


def can_review_link(user: Visitor, link) -> TypeGuard[User]:
    """Reviewers review links that someone else proposed."""
    return can_review(user) and not owns(user, link)


def can_restore(user: Visitor, opts) -> TypeGuard[User]:
    """Bring back a deleted object of the model whose ``_meta`` is ``opts`` (its records in
    the history): who may delete any of them may undo a deletion."""
    return _holds(user, f"{opts.app_label}.delete_{opts.model_name}")


def can_comment(user: Visitor) -> TypeGuard[User]:
    """Write in the discussion of claim pairs (every role), and edit one's own comments."""
    return _holds(user, "discussion.add_comment")


def can_edit_comment(user: Visitor, comment) -> TypeGuard[User]:
    """Only its author (still allowed to comment) edits a comment."""
    return can_comment(user) and owns(user, comment)


def can_delete_comment(user: Visitor, comment) -> TypeGuard[User]:
    """Its author, and editors, delete a comment."""
    return can_edit_comment(user, comment) or _holds(user, "discussion.delete_comment")


def can_triage_suggestions(user: Visitor) -> TypeGuard[User]:
    """Work through suggested counterparts: make a claim on a passage and link it, dismiss a
    passage as not related, refresh the Suggested pairs queue (annotators and editors)."""
    return can_annotate(user)


def can_index_passages(user: Visitor) -> TypeGuard[User]:
    """Start indexing the documents not yet in the passage index (editors: it reads the
    whole corpus)."""
    return _holds(user, CURATE)
