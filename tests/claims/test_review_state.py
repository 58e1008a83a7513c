"""A link's review state: the pure rule ``link_state`` branch by branch, and the database
path that keeps ``ClaimLink.review_state`` in step with reviews and evidence."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from claims.models import ClaimLink, Review, ReviewState, Verdict
from claims.reviewing import CurrentVerdict, link_state, review_submit
from claims.services import evidence_add, evidence_delete
from tests.factories import make_claim, make_evidence, make_link, make_review, make_user

C, R, N = Verdict.CONFIRMED, Verdict.REJECTED, Verdict.NEEDS_EVIDENCE
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def given(verdict: str, minutes: int = 0) -> CurrentVerdict:
    return CurrentVerdict(verdict, at(minutes))


# --- The pure rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("evidence_at", [None, at(5)], ids=["no-evidence", "evidence"])
@pytest.mark.parametrize("required", [1, 3])
def test_without_verdicts_a_link_is_pending(evidence_at, required):
    assert link_state([], evidence_at, required) == ReviewState.PENDING


def test_a_needs_evidence_verdict_with_no_evidence_at_all_makes_the_link_need_evidence():
    assert link_state([given(N)], None, 1) == ReviewState.NEEDS_EVIDENCE


def test_evidence_added_before_the_needs_evidence_verdict_does_not_answer_it():
    assert link_state([given(N, 10)], at(5), 1) == ReviewState.NEEDS_EVIDENCE


def test_evidence_added_at_the_same_moment_as_the_verdict_does_not_answer_it():
    assert link_state([given(N, 10)], at(10), 1) == ReviewState.NEEDS_EVIDENCE


def test_evidence_added_after_the_needs_evidence_verdict_answers_it_so_it_no_longer_counts():
    assert link_state([given(N, 10), given(C, 0)], at(11), 1) == ReviewState.CONFIRMED
    assert link_state([given(N, 10), given(R, 0)], at(11), 1) == ReviewState.REJECTED


def test_only_answered_needs_evidence_verdicts_leave_the_link_pending():
    assert link_state([given(N, 1)], at(2), 1) == ReviewState.PENDING
    assert link_state([given(N, 1), given(N, 3)], at(4), 1) == ReviewState.PENDING


def test_one_open_needs_evidence_verdict_is_enough_even_if_another_was_answered():
    verdicts = [given(N, 1), given(N, 9), given(C, 0)]
    assert link_state(verdicts, at(5), 1) == ReviewState.NEEDS_EVIDENCE


@pytest.mark.parametrize("required", [1, 2, 5])
def test_confirmed_and_rejected_verdicts_make_the_link_disputed_however_many_are_required(
    required,
):
    assert link_state([given(C), given(R)], None, required) == ReviewState.DISPUTED


def test_an_answered_needs_evidence_verdict_does_not_stop_a_dispute():
    verdicts = [given(C), given(R), given(N, 1)]
    assert link_state(verdicts, at(2), 1) == ReviewState.DISPUTED


def test_an_open_needs_evidence_verdict_beats_a_disagreement():
    verdicts = [given(C), given(R), given(N, 1)]
    assert link_state(verdicts, None, 1) == ReviewState.NEEDS_EVIDENCE
    assert link_state(verdicts, at(0), 1) == ReviewState.NEEDS_EVIDENCE


@pytest.mark.parametrize(
    ("verdict", "state"), [(C, ReviewState.CONFIRMED), (R, ReviewState.REJECTED)]
)
def test_agreeing_verdicts_decide_the_link_once_enough_of_them_are_given(verdict, state):
    assert link_state([given(verdict)], None, 1) == state
    assert link_state([given(verdict)], None, 2) == ReviewState.PENDING
    assert link_state([given(verdict), given(verdict, 1)], None, 2) == state
    assert link_state([given(verdict), given(verdict, 1)], None, 3) == ReviewState.PENDING


def test_an_answered_needs_evidence_verdict_does_not_count_towards_the_required_number():
    verdicts = [given(C), given(N, 1)]
    assert link_state(verdicts, at(2), 2) == ReviewState.PENDING


# --- The database path -----------------------------------------------------------------------


def stored_state(link) -> str:
    return ClaimLink.objects.values_list("review_state", flat=True).get(pk=link.pk)


@pytest.fixture
def link(db):
    return make_link()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verdict", "state"),
    [(C, ReviewState.CONFIRMED), (R, ReviewState.REJECTED), (N, ReviewState.NEEDS_EVIDENCE)],
)
def test_a_verdict_stores_the_links_new_state(link, verdict, state):
    assert stored_state(link) == ReviewState.PENDING
    make_review(link, verdict)
    assert stored_state(link) == state


@pytest.mark.django_db
def test_review_submit_returns_the_stored_review_with_its_note_stripped(link, reviewer):
    review = make_review(link, C, user=reviewer, note="  Both figures checked.  ")
    review.refresh_from_db()
    assert (review.link, review.reviewer, review.verdict) == (link, reviewer, C)
    assert review.note == "Both figures checked."
    assert (review.is_current, review.replaced_at) == (True, None)


@pytest.mark.django_db
def test_two_reviewers_who_disagree_make_the_link_disputed(link):
    make_review(link, C)
    make_review(link, R)
    assert stored_state(link) == ReviewState.DISPUTED


@pytest.mark.django_db
def test_a_changed_verdict_keeps_the_earlier_review_as_history(link, reviewer):
    first = make_review(link, C, user=reviewer)
    second = make_review(link, R, user=reviewer)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_current is False
    assert first.replaced_at is not None and first.replaced_at >= first.created_at
    assert (second.is_current, second.replaced_at) == (True, None)
    assert stored_state(link) == ReviewState.REJECTED, "only the current verdict counts"


@pytest.mark.django_db
def test_each_reviewer_has_exactly_one_current_review_however_often_they_change(link, reviewer):
    other = make_user("reviewer")
    for verdict in [C, R, N, C]:
        make_review(link, verdict, user=reviewer)
    make_review(link, R, user=other)
    mine = Review.objects.filter(link=link, reviewer=reviewer)
    assert mine.count() == 4
    assert list(mine.current().values_list("verdict", flat=True)) == [C]
    assert mine.filter(is_current=False, replaced_at__isnull=False).count() == 3
    assert Review.objects.filter(link=link, reviewer=other).current().count() == 1
    assert stored_state(link) == ReviewState.DISPUTED


@pytest.mark.django_db
def test_changing_back_to_agreement_ends_a_dispute(link, reviewer):
    make_review(link, C)
    make_review(link, R, user=reviewer)
    assert stored_state(link) == ReviewState.DISPUTED
    make_review(link, C, user=reviewer)
    assert stored_state(link) == ReviewState.CONFIRMED


@pytest.mark.django_db
def test_the_database_refuses_a_second_current_review_by_the_same_reviewer(link, reviewer):
    make_review(link, C, user=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(link=link, reviewer=reviewer, verdict=R)
    assert Review.objects.filter(link=link, reviewer=reviewer).count() == 1


@pytest.mark.django_db
def test_the_database_allows_a_replaced_review_next_to_the_current_one(link, reviewer):
    make_review(link, C, user=reviewer)
    Review.objects.create(link=link, reviewer=reviewer, verdict=R, is_current=False, replaced_at=T0)
    assert Review.objects.filter(link=link, reviewer=reviewer).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"verdict": "maybe"},
        {"verdict": C, "is_current": False},
        {"verdict": C, "is_current": True, "replaced_at": T0},
    ],
    ids=["unknown-verdict", "replaced-without-time", "current-with-replaced-time"],
)
def test_the_database_refuses_inconsistent_reviews(link, reviewer, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(link=link, reviewer=reviewer, **fields)
    assert not Review.objects.exists()


# Evidence answering a "needs evidence" verdict


def evidence_on(link, target: str):
    link.refresh_from_db()
    if target == "link":
        return make_evidence(link=link)
    return make_evidence(claim=link.left if target == "left" else link.right)


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["link", "left", "right"])
@pytest.mark.parametrize(
    ("others", "state"),
    [
        ([], ReviewState.PENDING),
        ([C], ReviewState.CONFIRMED),
        ([R], ReviewState.REJECTED),
        ([C, R], ReviewState.DISPUTED),
    ],
    ids=["alone", "with-confirmed", "with-rejected", "with-both"],
)
def test_evidence_added_after_a_needs_evidence_verdict_gives_the_state_of_the_others(
    link, target, others, state
):
    for verdict in others:
        make_review(link, verdict)
    make_review(link, N)
    assert stored_state(link) == ReviewState.NEEDS_EVIDENCE
    evidence_on(link, target)
    assert stored_state(link) == state


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["link", "left", "right"])
def test_evidence_added_before_a_needs_evidence_verdict_does_not_answer_it(link, target):
    make_review(link, C)
    evidence_on(link, target)
    make_review(link, N)
    assert stored_state(link) == ReviewState.NEEDS_EVIDENCE


@pytest.mark.django_db
def test_asking_for_evidence_again_after_it_was_added_needs_evidence_again(link, reviewer):
    make_review(link, N, user=reviewer)
    evidence_on(link, "link")
    assert stored_state(link) == ReviewState.PENDING
    make_review(link, N, user=reviewer)
    assert stored_state(link) == ReviewState.NEEDS_EVIDENCE


@pytest.mark.django_db
def test_evidence_on_an_unrelated_claim_leaves_the_link_needing_evidence(link):
    make_review(link, N)
    make_evidence(claim=make_claim())
    assert stored_state(link) == ReviewState.NEEDS_EVIDENCE


@pytest.mark.django_db
def test_evidence_on_a_claim_answers_every_link_of_that_claim_on_either_side():
    earlier = make_claim()
    shared = make_claim()
    as_left = make_link(shared, make_claim())
    as_right = make_link(earlier, shared)
    as_left.refresh_from_db()
    as_right.refresh_from_db()
    assert as_left.left == shared and as_right.right == shared
    for link in (as_left, as_right):
        make_review(link, C)
        make_review(link, N)
    make_evidence(claim=shared)
    assert stored_state(as_left) == ReviewState.CONFIRMED
    assert stored_state(as_right) == ReviewState.CONFIRMED


@pytest.mark.django_db
def test_evidence_on_the_link_does_not_change_a_decided_or_disputed_link():
    confirmed, disputed = make_link(), make_link()
    make_review(confirmed, C)
    make_review(disputed, C)
    make_review(disputed, R)
    make_evidence(link=confirmed)
    make_evidence(link=disputed)
    assert stored_state(confirmed) == ReviewState.CONFIRMED
    assert stored_state(disputed) == ReviewState.DISPUTED


# CROSSCHECK_REVIEWS_REQUIRED


@pytest.mark.django_db
def test_with_two_reviews_required_one_confirmation_leaves_the_link_pending(link, settings):
    settings.CROSSCHECK_REVIEWS_REQUIRED = 2
    make_review(link, C)
    assert stored_state(link) == ReviewState.PENDING
    make_review(link, C)
    assert stored_state(link) == ReviewState.CONFIRMED


@pytest.mark.django_db
def test_with_two_reviews_required_two_rejections_reject_the_link(link, settings):
    settings.CROSSCHECK_REVIEWS_REQUIRED = 2
    make_review(link, R)
    assert stored_state(link) == ReviewState.PENDING
    make_review(link, R)
    assert stored_state(link) == ReviewState.REJECTED


@pytest.mark.django_db
def test_with_two_reviews_required_a_disagreement_is_still_disputed(link, settings):
    settings.CROSSCHECK_REVIEWS_REQUIRED = 2
    make_review(link, C)
    make_review(link, R)
    assert stored_state(link) == ReviewState.DISPUTED


@pytest.mark.django_db
def test_with_two_reviews_required_answered_evidence_leaves_one_confirmation_pending(
    link, settings
):
    settings.CROSSCHECK_REVIEWS_REQUIRED = 2
    make_review(link, C)
    make_review(link, N)
    assert stored_state(link) == ReviewState.NEEDS_EVIDENCE
    evidence_on(link, "right")
    assert stored_state(link) == ReviewState.PENDING


@pytest.mark.django_db
def test_removing_the_evidence_that_answered_a_needs_evidence_verdict_reopens_it():
    link = make_link()
    reviewer = make_user("reviewer")
    review_submit(link=link, verdict="needs_evidence", note="", user=reviewer)
    author = link.created_by
    evidence = evidence_add(link=link, kind="citation", bearing="supports", citation="A book",
                            user=author)  # fmt: skip
    link.refresh_from_db()
    assert link.review_state == "pending"
    evidence_delete(evidence=evidence, version=evidence.version, user=author)
    link.refresh_from_db()
    assert link.review_state == "needs_evidence"
