"""Verdicts given at the same moment, through two real database connections: the link row
lock in ``review_submit`` applies them one after the other, so the stored state sees both."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from claims.models import ClaimLink, Review, ReviewState
from claims.reviewing import CurrentVerdict, link_state, review_submit
from tests.factories import make_link, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two real connections; CI runs the suite on PostgreSQL too",
    ),
]

TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging the run


def submit_together(link, submissions: list[tuple[int, str]]) -> list[BaseException]:
    """Each (user id, verdict) in its own thread and connection; all start at a barrier."""
    barrier = threading.Barrier(len(submissions), timeout=TIMEOUT)
    errors: list[BaseException] = []

    def run(user_id: int, verdict: str) -> None:
        try:
            user = get_user_model().objects.get(pk=user_id)
            own_link = ClaimLink.objects.get(pk=link.pk)
            barrier.wait()
            review_submit(link=own_link, verdict=verdict, note="", user=user)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a submission never finished"
    return errors


def expected_state(link, required: int) -> str:
    reviews = Review.objects.filter(link=link).current()
    verdicts = [CurrentVerdict(r.verdict, r.created_at) for r in reviews]
    return link_state(verdicts, None, required)


def test_two_reviewers_disagreeing_at_the_same_moment_leave_the_link_disputed():
    link = make_link()
    first, second = make_user("reviewer"), make_user("reviewer")
    errors = submit_together(link, [(first.pk, "confirmed"), (second.pk, "rejected")])
    assert errors == []
    current = Review.objects.filter(link=link).current()
    assert sorted(current.values_list("reviewer_id", "verdict")) == sorted(
        [(first.pk, "confirmed"), (second.pk, "rejected")]
    )
    link.refresh_from_db()
    assert link.review_state == ReviewState.DISPUTED == expected_state(link, 1)


def test_two_confirmations_at_the_same_moment_confirm_a_link_that_needs_two(settings):
    settings.CROSSCHECK_REVIEWS_REQUIRED = 2
    link = make_link()
    first, second = make_user("reviewer"), make_user("editor")
    errors = submit_together(link, [(first.pk, "confirmed"), (second.pk, "confirmed")])
    assert errors == []
    assert Review.objects.filter(link=link).current().count() == 2
    link.refresh_from_db()
    assert link.review_state == ReviewState.CONFIRMED == expected_state(link, 2)


def test_one_reviewer_submitting_twice_at_once_ends_with_exactly_one_current_review():
    link = make_link()
    reviewer = make_user("reviewer")
    errors = submit_together(link, [(reviewer.pk, "confirmed"), (reviewer.pk, "rejected")])
    assert errors == []
    reviews = Review.objects.filter(link=link, reviewer=reviewer)
    assert reviews.count() == 2
    current = reviews.current().get()
    earlier = reviews.get(is_current=False)
    assert earlier.replaced_at is not None
    assert earlier.created_at <= current.created_at, "the later one replaced the earlier"
    assert {current.verdict, earlier.verdict} == {"confirmed", "rejected"}
    link.refresh_from_db()
    assert link.review_state == current.verdict, "the state follows the verdict that won"
