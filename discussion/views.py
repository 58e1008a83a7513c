from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claims.models import ClaimLink
from claims.views import PAGE_SIZE, CappedPaginator
from crosscheck.text import plural
from discussion.models import Comment, InboxItem
from discussion.services import (
    DiscussionError,
    comment_delete,
    comment_edit,
    comment_post,
    inbox_items,
    inbox_mark_all_read,
    inbox_mark_read,
)

# Where the thread starts on the pair page (templates/discussion/_thread.html).
THREAD = "discussion"


def _back_to_pair(request: HttpRequest, link: ClaimLink, anchor: str) -> HttpResponse:
    """The pair page, with the query it was opened with (the review queue's, say)."""
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    return redirect(f"{link.get_absolute_url()}{query}#{anchor}")


def _get_comment(public_id) -> Comment:
    return get_object_or_404(Comment.objects.select_related("link"), public_id=public_id)


@require_POST
def comment_post_view(request: HttpRequest, public_id) -> HttpResponse:
    link = get_object_or_404(ClaimLink, public_id=public_id)
    try:
        comment = comment_post(link=link, text=request.POST.get("text"), user=request.user)
    except DiscussionError as error:
        if error.status == 403:
            raise PermissionDenied(str(error)) from None
        messages.error(request, str(error))
        return _back_to_pair(request, link, THREAD)
    messages.success(request, "Comment posted.")
    return _back_to_pair(request, link, f"comment-{comment.public_id}")


@require_POST
def comment_edit_view(request: HttpRequest, public_id) -> HttpResponse:
    comment = _get_comment(public_id)
    try:
        comment_edit(
            comment=comment, text=request.POST.get("text"),
            version=request.POST.get("version"), user=request.user,
        )  # fmt: skip
    except DiscussionError as error:
        if error.status == 403:
            raise PermissionDenied(str(error)) from None
        messages.error(request, str(error))
        return _back_to_pair(request, comment.link, THREAD)
    messages.success(request, "Comment saved.")
    return _back_to_pair(request, comment.link, f"comment-{comment.public_id}")


@require_POST
def comment_delete_view(request: HttpRequest, public_id) -> HttpResponse:
    comment = _get_comment(public_id)
    try:
        comment_delete(comment=comment, user=request.user)
    except DiscussionError as error:
        if error.status == 403:
            raise PermissionDenied(str(error)) from None
        messages.error(request, str(error))
    else:
        messages.success(request, "Comment deleted.")
    return _back_to_pair(request, comment.link, THREAD)


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The signed-in person's inbox, newest first: unread items, or all with ``?show=all``."""
    show_all = request.GET.get("show") == "all"
    items = inbox_items(request.user, unread_only=not show_all)
    ids = items.values_list("pk", flat=True)
    page = CappedPaginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    by_id = {item.pk: item for item in InboxItem.objects.listing().filter(pk__in=page.object_list)}
    page.object_list = [by_id[pk] for pk in page.object_list]
    newest = max((item.pk for item in page.object_list), default="")
    context = {"page": page, "show_all": show_all, "newest": newest}
    return render(request, "discussion/inbox.html", context)


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    show = request.POST.get("show")
    return redirect(reverse("discussion:inbox") + ("?show=all" if show == "all" else ""))


@require_POST
def inbox_read(request: HttpRequest, public_id) -> HttpResponse:
    if not inbox_mark_read(user=request.user, public_id=public_id):
        raise Http404("No such item in your inbox.")
    return _back_to_inbox(request)


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    marked = inbox_mark_all_read(user=request.user, up_to=request.POST.get("up_to"))
    messages.success(request, f"Marked {plural(marked, 'item')} read.")
    return _back_to_inbox(request)
