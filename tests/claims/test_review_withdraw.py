"""Withdrawing one's verdict (undo): the service ``review_withdraw``, the POST endpoint
/reviews/<uuid>/withdraw/, the Undo button of the "Recorded" message and what the pair
page then says. The history keeps both the verdict and its withdrawal."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.errors import ClaimConflict, ClaimError, ClaimPermissionDenied
from claims.models import Review, ReviewState
from claims.reviewing import (
    ERROR_NOT_YOUR_REVIEW,
    ERROR_REVIEW_NOT_CURRENT,
    ERROR_WITHDRAW_TOO_LATE,
    WITHDRAW_WITHIN,
    WITHDRAWN,
    review_withdraw,
)
from tests.factories import make_link, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(db):
    return make_link()


@pytest.fixture
def reviewer(db):
    return make_user("reviewer")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def withdraw_url(review, query: str = "") -> str:
    url = reverse("claims:review-withdraw", args=[review.public_id])
    return f"{url}?{query}" if query else url


def current_verdicts(link) -> list[str]:
    return list(link.reviews.current().values_list("verdict", flat=True))


# --- The service ------------------------------------------------------------------------------


def test_withdrawing_the_only_verdict_leaves_none_and_the_pair_pending(link, reviewer):
    review = make_review(link, "rejected", user=reviewer)
    link.refresh_from_db()
    assert link.review_state == ReviewState.REJECTED

    assert review_withdraw(review=review, user=reviewer) is None

    review.refresh_from_db()
    link.refresh_from_db()
    assert (review.is_current, review.replaced_at is not None) == (False, True)
    assert current_verdicts(link) == []
    assert link.review_state == ReviewState.PENDING


def test_the_verdict_it_replaced_counts_again(link, reviewer):
    first = make_review(link, "rejected", user=reviewer)
    second = make_review(link, "confirmed", user=reviewer)

    restored = review_withdraw(review=second, user=reviewer)

    assert restored == first
    first.refresh_from_db()
    link.refresh_from_db()
    assert (first.is_current, first.replaced_at) == (True, None)
    assert current_verdicts(link) == ["rejected"]
    assert link.review_state == ReviewState.REJECTED


def test_the_history_keeps_both_the_verdict_and_its_withdrawal(link, reviewer):
    review = make_review(link, "confirmed", user=reviewer)
    review_withdraw(review=review, user=reviewer)
    records = list(review.history.order_by("history_date", "history_id"))
    assert [(r.is_current, r.history_change_reason) for r in records] == [
        (True, None),
        (False, WITHDRAWN),
    ]
    assert records[-1].history_user == reviewer
    assert Review.objects.filter(pk=review.pk).exists()  # still there, not current


def test_a_withdrawn_verdict_is_not_brought_back_by_withdrawing_a_later_one(link, reviewer):
    first = make_review(link, "rejected", user=reviewer)
    review_withdraw(review=first, user=reviewer)
    second = make_review(link, "confirmed", user=reviewer)

    assert review_withdraw(review=second, user=reviewer) is None
    assert current_verdicts(link) == []


def test_undo_steps_back_through_replaced_verdicts_but_not_withdrawn_ones(link, reviewer):
    first = make_review(link, "rejected", user=reviewer)
    second = make_review(link, "needs_evidence", user=reviewer)
    review_withdraw(review=second, user=reviewer)  # first counts again
    third = make_review(link, "confirmed", user=reviewer)  # replaces first

    assert review_withdraw(review=third, user=reviewer) == first
    assert current_verdicts(link) == ["rejected"]


def test_other_reviewers_verdicts_stay_and_the_state_follows_the_one_rule(link, reviewer):
    make_review(link, "confirmed")
    mine = make_review(link, "rejected", user=reviewer)
    link.refresh_from_db()
    assert link.review_state == ReviewState.DISPUTED

    review_withdraw(review=mine, user=reviewer)

    link.refresh_from_db()
    assert current_verdicts(link) == ["confirmed"]
    assert link.review_state == ReviewState.CONFIRMED


@pytest.mark.parametrize("role", ["reviewer", "editor", "annotator"])
def test_nobody_else_withdraws_a_verdict(link, reviewer, role):
    review = make_review(link, "rejected", user=reviewer)
    with pytest.raises(ClaimPermissionDenied, match=ERROR_NOT_YOUR_REVIEW):
        review_withdraw(review=review, user=make_user(role))
    review.refresh_from_db()
    assert review.is_current


def test_a_reviewer_who_lost_the_role_cannot_withdraw(link, reviewer):
    review = make_review(link, "rejected", user=reviewer)
    reviewer.groups.clear()
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    with pytest.raises(ClaimPermissionDenied):
        review_withdraw(review=review, user=reviewer)


def test_a_replaced_or_withdrawn_verdict_cannot_be_withdrawn(link, reviewer):
    first = make_review(link, "rejected", user=reviewer)
    make_review(link, "confirmed", user=reviewer)
    with pytest.raises(ClaimConflict, match=ERROR_REVIEW_NOT_CURRENT):
        review_withdraw(review=first, user=reviewer)
    assert current_verdicts(link) == ["confirmed"]


def test_a_verdict_older_than_the_window_is_changed_by_a_new_one_instead(link, reviewer):
    review = make_review(link, "rejected", user=reviewer)
    Review.objects.filter(pk=review.pk).update(
        created_at=timezone.now() - WITHDRAW_WITHIN - timedelta(seconds=1)
    )
    with pytest.raises(ClaimError, match=ERROR_WITHDRAW_TOO_LATE):
        review_withdraw(review=review, user=reviewer)
    review.refresh_from_db()
    assert review.is_current


# --- The endpoint and the pages -----------------------------------------------------------------


def test_the_endpoint_withdraws_and_returns_to_the_pair_in_the_queue(link, reviewer):
    review = make_review(link, "rejected", user=reviewer)
    response = client_for(reviewer).post(withdraw_url(review, "queue=1&relation=contradicts"))
    assert response.status_code == 302
    assert response["Location"] == f"{link.get_absolute_url()}?queue=1&relation=contradicts"
    review.refresh_from_db()
    link.refresh_from_db()
    assert not review.is_current
    assert link.review_state == ReviewState.PENDING


def test_the_endpoint_takes_only_post(link, reviewer):
    review = make_review(link, "rejected", user=reviewer)
    assert client_for(reviewer).get(withdraw_url(review)).status_code == 405
    review.refresh_from_db()
    assert review.is_current


def test_anonymous_visitors_are_sent_to_sign_in(link, reviewer):
    review = make_review(link, "rejected", user=reviewer)
    response = Client().post(withdraw_url(review))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    review.refresh_from_db()
    assert review.is_current


@pytest.mark.parametrize("role", ["annotator", "reviewer", "editor"])
def test_the_endpoint_refuses_another_persons_verdict(link, reviewer, role):
    review = make_review(link, "rejected", user=reviewer)
    assert client_for(make_user(role)).post(withdraw_url(review)).status_code == 403
    review.refresh_from_db()
    assert review.is_current


def test_a_refusal_for_bad_timing_is_a_message_on_the_pair_page(link, reviewer):
    first = make_review(link, "rejected", user=reviewer)
    make_review(link, "confirmed", user=reviewer)
    response = client_for(reviewer).post(withdraw_url(first), follow=True)
    assert ERROR_REVIEW_NOT_CURRENT in response.content.decode()
    assert current_verdicts(link) == ["confirmed"]


def test_the_recorded_message_carries_an_undo_button_for_that_verdict(link, reviewer):
    client = client_for(reviewer)
    url = reverse("claims:link-review", args=[link.public_id])
    response = client.post(f"{url}?queue=1", {"verdict": "rejected"}, follow=True)
    html = response.content.decode()
    review = Review.objects.get(reviewer=reviewer)
    assert "Recorded: rejected." in html
    assert f'action="{withdraw_url(review, "queue=1")}"' in html
    assert 'data-shortcut="u">Undo (u)</button>' in html
    # Shown once, with its message.
    assert "Undo (u)" not in client.get(link.get_absolute_url()).content.decode()


def test_after_undo_the_pair_page_says_which_verdict_was_withdrawn(link, reviewer):
    make_review(link, "rejected", user=reviewer)
    second = make_review(link, "confirmed", user=reviewer)
    client = client_for(reviewer)
    html = client.post(withdraw_url(second), follow=True).content.decode()
    assert "Withdrawn: your verdict “confirmed”." in html
    assert "Your earlier verdict, “rejected”, counts again." in html
    assert "Your current verdict: <strong>rejected</strong>" in html
    assert ", withdrawn " in html


def test_withdrawing_needs_the_csrf_token(link, reviewer):
    review = make_review(link, "rejected", user=reviewer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    assert client.post(withdraw_url(review)).status_code == 403
    review.refresh_from_db()
    assert review.is_current
