"""The discussion's side of ``claims.signals``: thin shells calling its services."""

from claims.models import ClaimLink
from discussion.services import inbox_notify_state


def link_state_changed_notify(sender, *, link: ClaimLink, previous: str, user, **kwargs) -> None:
    """A pair's review state changed: its proposer's inbox follows."""
    inbox_notify_state(link=link, actor_id=getattr(user, "pk", None))
