"""The discussion on the pages of other apps, which do not import it: the thread on the
claim pair page, comment counts in the review queue, the unread count in the navigation.
Each tag runs one query, whatever the amount of data."""

from django import template
from django.utils.safestring import SafeString

from crosscheck.permissions import can_comment, can_delete_comment, can_edit_comment
from discussion.deletion import comments_by_link
from discussion.mentions import mentions_html
from discussion.models import COMMENT_MAX_LENGTH, Comment, InboxItem

register = template.Library()

# The navigation shows at most this number of unread items ("99+" beyond).
UNREAD_SHOWN = 99


@register.inclusion_tag("discussion/_thread.html", takes_context=True)
def discussion_thread(context, link) -> dict:
    """The pair's comments, oldest first, with what the signed-in person may do with each,
    and the form to add one: one query."""
    user = context["user"]
    comments = list(Comment.objects.thread(link))
    for comment in comments:
        comment.can_edit = can_edit_comment(user, comment)
        comment.can_delete = can_delete_comment(user, comment)
    request = context.get("request")
    return {
        "link": link,
        "comments": comments,
        "can_comment": can_comment(user),
        "max_length": COMMENT_MAX_LENGTH,
        "csrf_token": context.get("csrf_token"),
        "query": request.GET.urlencode() if request is not None else "",
    }


@register.simple_tag
def comment_counts(links) -> dict[int, int]:
    """The number of comments on each of ``links``, by link id: one query."""
    return comments_by_link(links)


@register.filter
def count_for(counts: dict[int, int], link) -> int:
    return counts.get(link.pk, 0)


@register.simple_tag(takes_context=True)
def inbox_unread(context) -> str:
    """The signed-in person's unread inbox items: "" for none, "99+" past ``UNREAD_SHOWN``.
    One query, answered from the index of unread items."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    count = InboxItem.objects.unread_for(user).order_by()[: UNREAD_SHOWN + 1].count()
    if count > UNREAD_SHOWN:
        return f"{UNREAD_SHOWN}+"
    return str(count) if count else ""


@register.filter
def with_mentions(text: str) -> SafeString:
    """A comment's text escaped, mentions marked and line breaks kept."""
    return mentions_html(text)
