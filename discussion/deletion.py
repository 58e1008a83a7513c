"""What deleting claim pairs takes from the discussion: their comments, which go by cascade.
``claims`` counts them in the confirmation a delete asks for through the registry of
``claims.extensions`` (``COMMENTS``, registered in ``DiscussionConfig.ready``)."""

from collections.abc import Iterable

from django.db.models import Count, QuerySet

from claims.extensions import LinkDependents
from claims.models import ClaimLink
from discussion.models import Comment


def comments_by_link(links: QuerySet[ClaimLink] | Iterable[ClaimLink]) -> dict[int, int]:
    """The number of comments on each of ``links`` that has any, by link id: one query."""
    counted = (
        Comment.objects.filter(link__in=links)
        .order_by()
        .values_list("link_id")
        .annotate(count=Count("pk"))
    )
    return dict(counted)


COMMENTS = LinkDependents(name="comments", noun="comment", count=comments_by_link)
