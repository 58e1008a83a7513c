"""The discussion's side of ``claims.signals``: thin shells calling its services."""

from claims.models import ClaimLink
from discussion.deletion import comment_mark_deleted_with_pair
from discussion.models import Comment
from discussion.services import inbox_notify_state


def link_state_changed_notify(sender, *, link: ClaimLink, previous: str, user, **kwargs) -> None:
    """A pair's review state changed: its proposer's inbox follows."""
    inbox_notify_state(link=link, actor_id=getattr(user, "pk", None))


def comment_pre_delete_mark(sender, *, instance: Comment, origin=None, **kwargs) -> None:
    """A comment is about to be deleted: when its pair's delete (or its claim's) took it
    along, its deletion record says so, and restoring the pair brings it back."""
    comment_mark_deleted_with_pair(instance, origin)
