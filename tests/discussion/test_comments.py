"""Comments on a claim pair: the services (post, edit, delete), their endpoints, the thread
on the pair page (escaped, in history) and who may do what."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussion.models import COMMENT_MAX_LENGTH, Comment
from discussion.services import (
    ERROR_CANNOT_DELETE,
    ERROR_CONFLICT,
    ERROR_NOT_COMMENT_AUTHOR,
    ERROR_NOT_COMMENTER,
    ERROR_TEXT_MISSING,
    ERROR_TEXT_TOO_LONG,
    DiscussionError,
    comment_delete,
    comment_edit,
    comment_post,
)
from tests.factories import make_comment, make_link, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(db):
    return make_link()


@pytest.fixture
def author(db):
    return make_user("reviewer")


@pytest.fixture
def comment(link, author):
    return make_comment(link, "First thoughts.", user=author)


@contextmanager
def refused(status: int, message: str | None = None):
    """The service refuses with ``status`` and ``message``."""
    with pytest.raises(DiscussionError, match=message) as refusal:
        yield
    assert refusal.value.status == status


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_url(link) -> str:
    return reverse("discussion:comment-post", args=[link.public_id])


def edit_url(comment) -> str:
    return reverse("discussion:comment-edit", args=[comment.public_id])


def delete_url(comment) -> str:
    return reverse("discussion:comment-delete", args=[comment.public_id])


# --- The services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["annotator", "reviewer", "editor"])
def test_every_role_comments(link, role):
    user = make_user(role)
    comment = comment_post(link=link, text="  Is the date right?  ", user=user)
    comment.refresh_from_db()
    assert (comment.link, comment.created_by, comment.text) == (link, user, "Is the date right?")
    assert (comment.version, comment.edited) == (1, False)


def test_users_without_a_role_cannot_comment(link):
    with refused(403, ERROR_NOT_COMMENTER):
        comment_post(link=link, text="Hello", user=make_user(None))
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [("", ERROR_TEXT_MISSING), ("   ", ERROR_TEXT_MISSING), (None, ERROR_TEXT_MISSING),
     ("x" * (COMMENT_MAX_LENGTH + 1), ERROR_TEXT_TOO_LONG)],
)  # fmt: skip
def test_empty_or_too_long_comments_are_refused(link, author, text, error):
    with refused(400, error):
        comment_post(link=link, text=text, user=author)
    assert not Comment.objects.exists()


def test_the_author_edits_and_the_history_keeps_every_version(comment, author):
    comment_edit(comment=comment, text="Second thoughts.", version=1, user=author)
    comment.refresh_from_db()
    assert (comment.text, comment.version, comment.edited) == ("Second thoughts.", 2, True)
    texts = list(comment.history.order_by("history_date").values_list("text", flat=True))
    assert texts == ["First thoughts.", "Second thoughts."]
    assert comment.history.latest("history_date").history_user == author


@pytest.mark.parametrize("role", ["annotator", "reviewer", "editor"])
def test_nobody_else_edits_a_comment_not_even_an_editor(comment, role):
    with refused(403, ERROR_NOT_COMMENT_AUTHOR):
        comment_edit(comment=comment, text="Mine now.", version=1, user=make_user(role))
    comment.refresh_from_db()
    assert comment.text == "First thoughts."


def test_an_edit_based_on_an_older_version_is_refused(comment, author):
    comment_edit(comment=comment, text="Second.", version=1, user=author)
    with refused(409, ERROR_CONFLICT.format(current=2, sent=1)[:40]):
        comment_edit(comment=comment, text="Stale.", version=1, user=author)
    comment.refresh_from_db()
    assert comment.text == "Second."


@pytest.mark.parametrize("role", ["author", "editor"])
def test_the_author_or_an_editor_deletes_and_the_history_keeps_it(comment, author, role):
    user = author if role == "author" else make_user("editor")
    comment_delete(comment=comment, user=user)
    assert not Comment.objects.filter(pk=comment.pk).exists()
    deleted = Comment.history.filter(id=comment.pk).latest("history_date")
    assert (deleted.history_type, deleted.text, deleted.history_user) == (
        "-",
        "First thoughts.",
        user,
    )


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_others_cannot_delete(comment, role):
    with refused(403, ERROR_CANNOT_DELETE):
        comment_delete(comment=comment, user=make_user(role))
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_an_author_who_lost_every_role_can_no_longer_edit_or_delete(comment, author):
    author.groups.clear()
    author = type(author).objects.get(pk=author.pk)
    with refused(403):
        comment_edit(comment=comment, text="Late.", version=1, user=author)
    with refused(403):
        comment_delete(comment=comment, user=author)


def test_deleting_the_pair_deletes_its_discussion_which_stays_in_history(comment, link):
    from claims.services import link_delete

    link_delete(link=link, version=link.version, user=link.created_by, confirm=True)
    assert not Comment.objects.exists()
    assert Comment.history.filter(id=comment.pk, history_type="-").exists()


# --- The endpoints --------------------------------------------------------------------------------


def test_posting_returns_to_the_comment_on_the_pair_page_keeping_the_query(link, author):
    response = client_for(author).post(f"{post_url(link)}?queue=1", {"text": "Look again."})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"{link.get_absolute_url()}?queue=1#comment-{comment.public_id}"
    )
    assert (comment.text, comment.created_by) == ("Look again.", author)


def test_a_refused_text_is_a_message_and_nothing_is_stored(link, author):
    response = client_for(author).post(post_url(link), {"text": " "}, follow=True)
    assert ERROR_TEXT_MISSING in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("url", [post_url, edit_url, delete_url], ids=["post", "edit", "delete"])
def test_the_endpoints_take_only_post(comment, author, url):
    target = comment.link if url is post_url else comment
    assert client_for(author).get(url(target)).status_code == 405


@pytest.mark.parametrize("url", [post_url, edit_url, delete_url], ids=["post", "edit", "delete"])
def test_anonymous_visitors_are_sent_to_sign_in(comment, url):
    target = comment.link if url is post_url else comment
    response = Client().post(url(target), {"text": "Anonymous.", "version": 1})
    assert response["Location"].startswith(reverse("login"))
    comment.refresh_from_db()
    assert comment.text == "First thoughts."
    assert Comment.objects.count() == 1


def test_users_without_a_role_are_refused(link):
    response = client_for(make_user(None)).post(post_url(link), {"text": "Hi"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_the_author_edits_through_the_endpoint(comment, author):
    response = client_for(author).post(edit_url(comment), {"text": "Edited.", "version": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.public_id}")
    comment.refresh_from_db()
    assert (comment.text, comment.version) == ("Edited.", 2)


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_another_persons_comment_cannot_be_edited_through_the_endpoint(comment, role):
    response = client_for(make_user(role)).post(edit_url(comment), {"text": "X", "version": "1"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.text == "First thoughts."


def test_a_stale_edit_through_the_endpoint_is_a_message(comment, author):
    client = client_for(author)
    client.post(edit_url(comment), {"text": "Edited.", "version": "1"})
    response = client.post(edit_url(comment), {"text": "Stale.", "version": "1"}, follow=True)
    assert "This comment was changed after you opened it" in response.content.decode()
    comment.refresh_from_db()
    assert comment.text == "Edited."


def test_an_editor_deletes_through_the_endpoint(comment):
    response = client_for(make_user("editor")).post(delete_url(comment))
    assert response.status_code == 302
    assert response["Location"] == f"{comment.link.get_absolute_url()}#discussion"
    assert not Comment.objects.exists()


def test_another_reviewer_cannot_delete_through_the_endpoint(comment):
    assert client_for(make_user("reviewer")).post(delete_url(comment)).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_an_unknown_comment_is_not_found(author):
    missing = Comment(public_id="00000000-0000-4000-8000-000000000000")
    assert client_for(author).post(delete_url(missing)).status_code == 404


# --- The thread on the pair page ------------------------------------------------------------------


def pair_page(client, link) -> str:
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_pair_page_shows_the_thread_oldest_first_escaped(link, author):
    make_comment(link, "<b>first</b> & @nobody", user=author)
    make_comment(link, "second")
    html = pair_page(client_for(make_user("annotator")), link)
    assert "&lt;b&gt;first&lt;/b&gt; &amp;" in html and "<b>first</b>" not in html
    assert html.index("&lt;b&gt;first") < html.index(">second<")
    assert 'Discussion <span class="claim-meta">(2 comments)</span>' in html


def test_only_the_author_sees_the_edit_form_and_editors_a_delete_button(comment, author):
    author_html = pair_page(client_for(author), comment.link)
    assert edit_url(comment) in author_html and delete_url(comment) in author_html
    editor_html = pair_page(client_for(make_user("editor")), comment.link)
    assert edit_url(comment) not in editor_html and delete_url(comment) in editor_html
    other_html = pair_page(client_for(make_user("reviewer")), comment.link)
    assert edit_url(comment) not in other_html and delete_url(comment) not in other_html
    assert "Add a comment" in other_html


def test_users_without_a_role_read_the_thread_without_a_form(comment):
    html = pair_page(client_for(make_user(None)), comment.link)
    assert "First thoughts." in html
    assert "Add a comment" not in html


def test_an_edited_comment_says_so(comment, author):
    comment_edit(comment=comment, text="Changed.", version=1, user=author)
    assert ", edited " in pair_page(client_for(author), comment.link)


def test_every_write_needs_the_csrf_token(comment, author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.post(post_url(comment.link), {"text": "No token."}).status_code == 403
    assert client.post(edit_url(comment), {"text": "No token.", "version": 1}).status_code == 403
    assert client.post(delete_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert (Comment.objects.count(), comment.text) == (1, "First thoughts.")


def count_pair_page_queries(client, link) -> int:
    with CaptureQueriesContext(connection) as queries:
        pair_page(client, link)
    return len(queries)


def test_the_pair_page_runs_the_same_queries_for_1_or_20_comments(author):
    client = client_for(author)
    few, many = make_link(), make_link()
    make_comment(few, "Only one.")
    for number in range(20):
        make_comment(many, f"Comment {number} @{author.username}", user=make_user("annotator"))
    make_comment(many, "Mine, so editable.", user=author)
    pair_page(client, few)  # warm up
    assert count_pair_page_queries(client, few) == count_pair_page_queries(client, many)
