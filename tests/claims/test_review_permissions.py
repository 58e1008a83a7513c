"""Who may give a verdict on a claim link, and what is refused: the service
``review_submit``, the POST endpoint /links/<uuid>/review/ and the verdict buttons."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from claims import reviewing
from claims.errors import ClaimError, ClaimPermissionDenied
from claims.models import REVIEW_NOTE_MAX_LENGTH, ClaimLink, Review, ReviewState, Verdict
from claims.reviewing import review_submit
from corpus.text import ERROR_BAD_CHARACTERS
from tests.factories import add_role, make_link, make_review, make_user

pytestmark = pytest.mark.django_db

VERDICT_BUTTON = '<button type="submit" name="verdict" value="confirmed"'


@pytest.fixture
def author(db):
    return make_user("annotator")


@pytest.fixture
def link(author):
    return make_link(user=author)


def submit(link, user, verdict="confirmed", note=""):
    return review_submit(link=link, verdict=verdict, note=note, user=user)


def assert_nothing_stored(link):
    assert not Review.objects.exists()
    link.refresh_from_db()
    assert link.review_state == ReviewState.PENDING


def review_url(link, query: str = "") -> str:
    url = reverse("claims:link-review", args=[link.public_id])
    return f"{url}?{query}" if query else url


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The service ------------------------------------------------------------------------------


@pytest.mark.parametrize("verdict", Verdict.values)
@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_reviewers_and_editors_review_links_proposed_by_others(link, role, verdict):
    user = make_user(role)
    review = submit(link, user, verdict)
    assert Review.objects.get() == review
    assert (review.reviewer, review.verdict, review.is_current) == (user, verdict, True)


@pytest.mark.parametrize("role", ["annotator", None], ids=["annotator", "no-role"])
def test_users_without_the_reviewer_role_are_refused(link, role):
    with pytest.raises(ClaimPermissionDenied) as error:
        submit(link, make_user(role))
    assert str(error.value) == reviewing.ERROR_NOT_REVIEWER
    assert error.value.status == 403
    assert_nothing_stored(link)


def test_an_inactive_reviewer_is_refused(link):
    with pytest.raises(ClaimPermissionDenied) as error:
        submit(link, make_user("reviewer", is_active=False))
    assert str(error.value) == reviewing.ERROR_NOT_REVIEWER
    assert_nothing_stored(link)


def test_an_editor_cannot_review_a_link_they_proposed(editor):
    link = make_link(user=editor)
    with pytest.raises(ClaimPermissionDenied) as error:
        submit(link, editor)
    assert str(error.value) == reviewing.ERROR_OWN_LINK
    assert error.value.status == 403
    assert_nothing_stored(link)


def test_an_annotator_who_is_also_a_reviewer_cannot_review_their_own_link(link, author):
    author = add_role(author, "reviewer")
    with pytest.raises(ClaimPermissionDenied) as error:
        submit(link, author)
    assert str(error.value) == reviewing.ERROR_OWN_LINK
    assert_nothing_stored(link)


def test_an_annotator_who_is_also_a_reviewer_can_review_other_peoples_links(author):
    reviewer = add_role(make_user("annotator"), "reviewer")
    link = make_link(user=author)
    submit(link, reviewer)
    assert Review.objects.get().reviewer == reviewer


@pytest.mark.parametrize(
    "verdict",
    ["", "approve", "Confirmed", " confirmed", "pending", "disputed", None, 1, ["confirmed"]],
)
def test_an_unknown_verdict_is_refused(link, reviewer, verdict):
    with pytest.raises(ClaimError) as error:
        submit(link, reviewer, verdict)
    assert str(error.value) == reviewing.ERROR_VERDICT
    assert (error.value.field, error.value.status) == ("verdict", 400)
    assert_nothing_stored(link)


def test_a_note_longer_than_the_maximum_is_refused(link, reviewer):
    with pytest.raises(ClaimError) as error:
        submit(link, reviewer, note="n" * (REVIEW_NOTE_MAX_LENGTH + 1))
    assert str(error.value) == reviewing.ERROR_NOTE_TOO_LONG
    assert (error.value.field, error.value.status) == ("note", 400)
    assert_nothing_stored(link)


def test_a_note_of_exactly_the_maximum_length_after_stripping_is_accepted(link, reviewer):
    submit(link, reviewer, note="  " + "n" * REVIEW_NOTE_MAX_LENGTH + "\n")
    assert Review.objects.get().note == "n" * REVIEW_NOTE_MAX_LENGTH


@pytest.mark.parametrize("note", ["a\x00b", "lone \ud800 surrogate"], ids=["nul", "surrogate"])
def test_a_note_with_unstorable_characters_is_refused(link, reviewer, note):
    with pytest.raises(ClaimError) as error:
        submit(link, reviewer, note=note)
    assert str(error.value) == ERROR_BAD_CHARACTERS
    assert error.value.field == "note"
    assert_nothing_stored(link)


def test_a_refused_change_of_verdict_keeps_the_earlier_verdict_current(link, reviewer):
    make_review(link, "confirmed", user=reviewer)
    with pytest.raises(ClaimError):
        submit(link, reviewer, "rejected", note="\x00")
    review = Review.objects.get()
    assert (review.verdict, review.is_current) == ("confirmed", True)
    link.refresh_from_db()
    assert link.review_state == ReviewState.CONFIRMED


# --- The endpoint -----------------------------------------------------------------------------


@pytest.fixture
def queue(author):
    """Three links by ``author``, oldest first."""
    return [make_link(user=author) for _ in range(3)]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_reviewer_records_a_verdict_and_is_sent_to_the_next_pair_with_the_same_query(
    reviewer, reviewer_client, queue
):
    first, second, _ = queue
    query = "queue=1&relation=contradicts"
    response = reviewer_client.post(
        review_url(first, query), {"verdict": "rejected", "note": "Wrong year."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{second.get_absolute_url()}?{query}"
    review = Review.objects.get()
    assert (review.link, review.reviewer, review.verdict) == (first, reviewer, "rejected")
    assert review.note == "Wrong year."
    first.refresh_from_db()
    assert first.review_state == ReviewState.REJECTED

    page = reviewer_client.get(response["Location"])
    assert messages_of(page) == ["Recorded: rejected."]
    assert "Recorded: rejected." in page.content.decode()


def test_the_next_pair_respects_the_filters_in_the_query(reviewer_client, author, queue):
    first, second, third = queue
    ClaimLink.objects.filter(pk=second.pk).update(relation="qualifies", direction="unknown")
    response = reviewer_client.post(
        review_url(first, "queue=1&relation=contradicts"), {"verdict": "confirmed"}
    )
    assert response["Location"] == f"{third.get_absolute_url()}?queue=1&relation=contradicts"


def test_after_the_last_pair_the_reviewer_is_sent_to_the_queue_page(reviewer_client, queue):
    last = queue[-1]
    query = "queue=1&relation=contradicts"
    response = reviewer_client.post(review_url(last, query), {"verdict": "needs_evidence"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('claims:review-queue')}?{query}"
    page = reviewer_client.get(response["Location"])
    assert messages_of(page) == ["Recorded: needs evidence."]
    assert Review.objects.get().verdict == "needs_evidence"


def test_without_a_query_the_reviewer_ends_on_the_plain_queue_page(reviewer_client, link):
    response = reviewer_client.post(review_url(link), {"verdict": "confirmed"})
    location = urlsplit(response["Location"])
    assert (location.path, location.query) == (reverse("claims:review-queue"), "")


def test_an_editor_records_a_verdict_through_the_endpoint(editor, editor_client, link):
    response = editor_client.post(review_url(link), {"verdict": "confirmed"})
    assert response.status_code == 302
    assert Review.objects.get().reviewer == editor


def test_an_unknown_verdict_sends_the_reviewer_back_to_the_pair_with_the_message(
    reviewer_client, link
):
    response = reviewer_client.post(review_url(link, "queue=1"), {"verdict": "maybe"})
    assert response.status_code == 302
    assert response["Location"] == f"{link.get_absolute_url()}?queue=1"
    page = reviewer_client.get(response["Location"])
    assert messages_of(page) == [reviewing.ERROR_VERDICT]
    assert_nothing_stored(link)


def test_a_note_with_a_nul_sends_the_reviewer_back_with_the_message(reviewer_client, link):
    response = reviewer_client.post(
        review_url(link), {"verdict": "confirmed", "note": "a\x00"}, follow=True
    )
    assert response.redirect_chain == [(link.get_absolute_url(), 302)]
    assert messages_of(response) == [ERROR_BAD_CHARACTERS]
    assert_nothing_stored(link)


@pytest.mark.parametrize("client_fixture", ["annotator_client", "no_role_client"])
def test_users_without_the_reviewer_role_get_403_from_the_endpoint(request, client_fixture, link):
    client = request.getfixturevalue(client_fixture)
    response = client.post(review_url(link), {"verdict": "confirmed"})
    assert response.status_code == 403
    assert_nothing_stored(link)


def test_the_author_gets_403_from_the_endpoint_even_as_an_editor(editor, editor_client):
    link = make_link(user=editor)
    response = editor_client.post(review_url(link), {"verdict": "confirmed"})
    assert response.status_code == 403
    assert_nothing_stored(link)


def test_the_author_who_is_also_a_reviewer_gets_403_from_the_endpoint(link, author):
    response = client_for(add_role(author, "reviewer")).post(
        review_url(link), {"verdict": "confirmed"}
    )
    assert response.status_code == 403
    assert_nothing_stored(link)


def test_anonymous_visitors_are_sent_to_sign_in(link):
    url = review_url(link)
    response = Client().post(url, {"verdict": "confirmed"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert_nothing_stored(link)


def test_the_endpoint_answers_only_post(reviewer_client, link):
    assert reviewer_client.get(review_url(link)).status_code == 405
    assert reviewer_client.get(review_url(link), {"verdict": "confirmed"}).status_code == 405
    assert_nothing_stored(link)


def test_a_post_without_the_csrf_token_is_refused(reviewer, link):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(review_url(link), {"verdict": "confirmed"})
    assert response.status_code == 403
    assert_nothing_stored(link)


def test_a_post_with_the_csrf_token_from_the_pair_page_is_accepted(reviewer, link):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    client.get(link.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post(review_url(link), {"verdict": "confirmed", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Review.objects.get().reviewer == reviewer


def test_an_unknown_link_is_not_found(reviewer_client):
    url = reverse("claims:link-review", args=["00000000-0000-4000-8000-000000000000"])
    assert reviewer_client.post(url, {"verdict": "confirmed"}).status_code == 404
    assert not Review.objects.exists()


# --- The verdict buttons on the pair page -----------------------------------------------------


def pair_page(client, link, query: str = "") -> str:
    response = client.get(
        f"{link.get_absolute_url()}?{query}" if query else link.get_absolute_url()
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("client_fixture", ["reviewer_client", "editor_client"])
def test_reviewers_and_editors_see_the_verdict_buttons_on_others_links(
    request, client_fixture, link
):
    html = pair_page(request.getfixturevalue(client_fixture), link)
    assert VERDICT_BUTTON in html
    assert 'value="rejected"' in html and 'value="needs_evidence"' in html
    assert f'action="{review_url(link)}"' in html


@pytest.mark.parametrize("client_fixture", ["annotator_client", "no_role_client"])
def test_users_without_the_reviewer_role_see_no_verdict_buttons(request, client_fixture, link):
    html = pair_page(request.getfixturevalue(client_fixture), link)
    assert 'name="verdict"' not in html
    assert "verdict-form" not in html


def test_the_author_sees_no_verdict_buttons_even_as_an_editor(editor, editor_client):
    link = make_link(user=editor)
    html = pair_page(editor_client, link)
    assert 'name="verdict"' not in html
    assert "You proposed this link; other reviewers give verdicts on it." in html


def test_the_author_who_is_also_a_reviewer_sees_no_verdict_buttons(link, author):
    html = pair_page(client_for(add_role(author, "reviewer")), link)
    assert 'name="verdict"' not in html
    assert "You proposed this link" in html


def test_from_the_queue_the_verdict_form_keeps_the_query(reviewer_client, link):
    html = pair_page(reviewer_client, link, "queue=1&relation=contradicts")
    assert f'action="{review_url(link)}?queue=1&amp;relation=contradicts"' in html


def test_a_reviewer_sees_their_current_verdict_above_the_buttons(reviewer, reviewer_client, link):
    make_review(link, "rejected", user=reviewer)
    html = pair_page(reviewer_client, link)
    assert "Your current verdict: <strong>rejected</strong>" in html
    assert VERDICT_BUTTON in html
