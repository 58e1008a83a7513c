"""Reviewing claim links: the one rule that turns reviews into a link's state, the one
service that records a verdict and the one that withdraws it (undo).

The rule (``link_state``), applied to the current review of each reviewer:

1. no current reviews → **pending**;
2. any "needs evidence" verdict with no evidence added (to the link or either of its
   claims) after it → **needs evidence**;
3. the "confirmed" and "rejected" verdicts disagree → **disputed**;
4. they agree and there are at least ``CROSSCHECK_REVIEWS_REQUIRED`` (default 1) of them →
   **confirmed** or **rejected**;
5. otherwise (too few, or only answered "needs evidence" verdicts) → **pending**.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from claims.errors import ClaimConflict, ClaimError, ClaimGone, ClaimPermissionDenied
from claims.errors import storable as _storable
from claims.history import record_author, record_change, record_reason
from claims.models import (
    REVIEW_NOTE_MAX_LENGTH,
    Claim,
    ClaimLink,
    Evidence,
    Review,
    ReviewState,
    Verdict,
)
from claims.signals import link_state_changed
from crosscheck.permissions import Visitor, can_review, owns

ERROR_NOT_REVIEWER = "Only reviewers and editors can review claim pairs."
ERROR_OWN_LINK = "You proposed this link, so someone else must review it."
ERROR_VERDICT = "Choose a verdict: confirmed, rejected or needs evidence."
ERROR_NOTE_TOO_LONG = f"The note is too long: at most {REVIEW_NOTE_MAX_LENGTH} characters."
# Withdrawing a verdict (an undo, ``review_withdraw``).
WITHDRAW_WITHIN = timedelta(hours=1)
ERROR_NOT_YOUR_REVIEW = "Only the reviewer who gave a verdict can withdraw it."
ERROR_REVIEW_NOT_CURRENT = "This verdict was already replaced or withdrawn."
ERROR_WITHDRAW_TOO_LATE = (
    "A verdict can be withdrawn only within an hour of giving it; give a new verdict instead."
)
ERROR_REVIEW_GONE = "This verdict's claim pair no longer exists; someone deleted it."
# The history's change reason (django-simple-history) of a withdrawn verdict: it tells a
# withdrawn verdict from one that a later verdict replaced.
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class CurrentVerdict:
    verdict: str
    given_at: datetime


def link_state(
    verdicts: list[CurrentVerdict], latest_evidence_at: datetime | None, required: int
) -> str:
    """The link's review state from its current verdicts (see the module docstring)."""
    if not verdicts:
        return ReviewState.PENDING
    for current in verdicts:
        if current.verdict == Verdict.NEEDS_EVIDENCE and (
            latest_evidence_at is None or latest_evidence_at <= current.given_at
        ):
            return ReviewState.NEEDS_EVIDENCE
    decisive = {current.verdict for current in verdicts} - {Verdict.NEEDS_EVIDENCE}
    if len(decisive) > 1:
        return ReviewState.DISPUTED
    count = sum(current.verdict in decisive for current in verdicts)
    if decisive and count >= required:
        return ReviewState.CONFIRMED if decisive == {Verdict.CONFIRMED} else ReviewState.REJECTED
    return ReviewState.PENDING


def link_states(links: list[ClaimLink] | None = None) -> dict[int, str]:
    """The review state of each of ``links`` (of every link when None) by ``link_state``,
    from the stored current verdicts and the latest evidence on the link or either of its
    claims, by link id. Two queries for the links given, three for every link:
    ``link_state_refresh`` asks it for one link, bench/generate.py for a whole corpus."""
    if links is None:
        sides = list(ClaimLink.objects.order_by().values_list("pk", "left_id", "right_id"))
        reviews = Review.objects.current()
        evidence = Evidence.objects.all()
    else:
        sides = [(link.pk, link.left_id, link.right_id) for link in links]
        ids = [pk for pk, _, _ in sides]
        claim_ids = {claim_id for _, left, right in sides for claim_id in (left, right)}
        reviews = Review.objects.current().filter(link_id__in=ids)
        evidence = Evidence.objects.filter(Q(link_id__in=ids) | Q(claim_id__in=claim_ids))
    verdicts: dict[int, list[CurrentVerdict]] = defaultdict(list)
    for link_id, verdict, given_at in reviews.order_by().values_list(
        "link_id", "verdict", "created_at"
    ):
        verdicts[link_id].append(CurrentVerdict(verdict, given_at))
    # ("claim" or "link", id) → when the latest evidence on it was added
    latest_on: dict[tuple[str, int], datetime] = {}
    for claim_id, link_id, latest in (
        evidence.order_by().values_list("claim_id", "link_id").annotate(Max("created_at"))
    ):
        latest_on["claim" if claim_id else "link", claim_id or link_id] = latest
    required = settings.CROSSCHECK_REVIEWS_REQUIRED
    states: dict[int, str] = {}
    for pk, left, right in sides:
        times = [latest_on.get(key) for key in (("link", pk), ("claim", left), ("claim", right))]
        latest = max((time for time in times if time is not None), default=None)
        states[pk] = link_state(verdicts[pk], latest, required)
    return states


def link_state_refresh(link: ClaimLink) -> str:
    """Recompute and store the link's state from the database. Call inside the transaction
    that changed its reviews or evidence, with the link row locked."""
    state = link_states([link])[link.pk]
    if state != link.review_state:
        previous = link.review_state
        ClaimLink.objects.filter(pk=link.pk).update(review_state=state)
        link.review_state = state
        record_change(link)
        link_state_changed.send(
            sender=ClaimLink, link=link, previous=previous,
            user=getattr(link, "_history_user", None),
        )  # fmt: skip
    return state


def lock_links_of(*, claim: Claim | None = None, link: ClaimLink | None = None) -> list[int]:
    """Lock the links that evidence on ``claim`` or ``link`` bears on, and return their ids.

    Evidence writes take these locks before they change anything, as ``review_submit``
    does, so a verdict and new evidence given at the same moment see each other."""
    if link is None:
        assert claim is not None, "give the claim or the link"
        links = ClaimLink.objects.of_claim(claim)
    else:
        links = ClaimLink.objects.filter(pk=link.pk)
    return list(links.select_for_update().order_by("pk").values_list("pk", flat=True))


def refresh_waiting_for_evidence(link_ids: list[int]) -> None:
    """Evidence added or removed can answer (or reopen) a "needs evidence" verdict:
    recompute the state of those links that have one."""
    waiting = Review.objects.current().filter(link=OuterRef("pk"), verdict=Verdict.NEEDS_EVIDENCE)
    for link in ClaimLink.objects.filter(pk__in=link_ids).filter(Exists(waiting)):
        link_state_refresh(link)


def clean_verdict(verdict: object, note: object) -> tuple[str, str]:
    """A verdict and its note, cleaned, or ``ClaimError``."""
    if not isinstance(verdict, str) or verdict not in Verdict.values:
        raise ClaimError(ERROR_VERDICT, "verdict")
    note = _storable(note.strip(), "note") if isinstance(note, str) else ""
    if len(note) > REVIEW_NOTE_MAX_LENGTH:
        raise ClaimError(ERROR_NOTE_TOO_LONG, "note")
    return verdict, note


@transaction.atomic
def review_submit(*, link: ClaimLink, verdict: object, note: object, user) -> Review:
    """Record the user's verdict on the link, replacing their earlier one (which stays as
    history), and update the link's state. The link row is locked first, so verdicts
    given at the same moment are applied one after the other and the state sees both."""
    if not can_review(user):
        raise ClaimPermissionDenied(ERROR_NOT_REVIEWER)
    if owns(user, link):
        raise ClaimPermissionDenied(ERROR_OWN_LINK)
    verdict, note = clean_verdict(verdict, note)
    link = ClaimLink.objects.select_for_update().get(pk=link.pk)
    for earlier in link.reviews.current().filter(reviewer=user):
        earlier.is_current, earlier.replaced_at = False, timezone.now()
        record_author(earlier, user)
        earlier.save(update_fields=["is_current", "replaced_at"])
    review = Review(link=link, reviewer=user, verdict=verdict, note=note)
    record_author(review, user)
    review.save()
    record_author(link, user)
    link_state_refresh(link)
    return review


@transaction.atomic
def review_withdraw(*, review: Review, user) -> Review | None:
    """Withdraw the user's current verdict ``review`` (undo): it stays in the history, no
    longer current and recorded as withdrawn (``WITHDRAWN``); the verdict it replaced, if
    that was not itself withdrawn, is current again; the link's state follows by the one
    rule. Returns the verdict that is current again, or None.

    Only the reviewer, still a reviewer, within ``WITHDRAW_WITHIN`` of giving it; later, a
    new verdict changes it. The link row is locked first, as ``review_submit`` locks it,
    and the review read again under the lock, so a verdict given meanwhile is seen."""
    if not can_review(user) or review.reviewer_id != user.pk:
        raise ClaimPermissionDenied(ERROR_NOT_YOUR_REVIEW)
    link = ClaimLink.objects.select_for_update().filter(pk=review.link_id).first()
    if link is None:
        raise ClaimGone(ERROR_REVIEW_GONE)
    review = Review.objects.get(pk=review.pk)
    if not review.is_current:
        raise ClaimConflict(ERROR_REVIEW_NOT_CURRENT)
    now = timezone.now()
    if now - review.created_at > WITHDRAW_WITHIN:
        raise ClaimError(ERROR_WITHDRAW_TOO_LATE)
    review.is_current, review.replaced_at = False, now
    record_author(review, user)
    record_reason(review, WITHDRAWN)
    review.save(update_fields=["is_current", "replaced_at"])
    restored = _replaced_by(review)
    if restored is not None:
        restored.is_current, restored.replaced_at = True, None
        record_author(restored, user)
        restored.save(update_fields=["is_current", "replaced_at"])
    record_author(link, user)
    link_state_refresh(link)
    return restored


def _replaced_by(review: Review) -> Review | None:
    """The verdict that ``review`` replaced: the same reviewer's latest earlier verdict on
    the link that was not itself withdrawn (the history says which were), or None."""
    earlier = (
        Review.objects.filter(link_id=review.link_id, reviewer_id=review.reviewer_id,
                              is_current=False, created_at__lte=review.created_at)
        .exclude(pk=review.pk)
    )  # fmt: skip
    withdrawn = withdrawn_ids(earlier.values("pk"))
    return earlier.exclude(pk__in=withdrawn).order_by("-created_at", "-pk").first()


def withdrawn_ids(reviews) -> set[int]:
    """Which of ``reviews`` (ids, or a query of them) were withdrawn rather than replaced by
    a later verdict: one query of the history."""
    records = Review.history.filter(id__in=reviews, history_change_reason=WITHDRAWN)
    return set(records.values_list("id", flat=True))


def review_queue(user: Visitor):
    """Links waiting for the user's review: proposed by someone else and without a current
    review by the user; oldest first."""
    reviewed = Review.objects.current().filter(link=OuterRef("pk"), reviewer=user.pk)
    return (
        ClaimLink.objects.exclude(created_by=user.pk)
        .filter(~Exists(reviewed))
        .order_by("created_at", "pk")
    )


def queue_neighbours(queue, link: ClaimLink) -> tuple[ClaimLink | None, ClaimLink | None]:
    """The links before and after ``link``'s place in the (oldest first) queue; ``link``
    itself need not be in it any more."""
    # Each condition starts with a plain range on created_at, so the database walks the
    # (created_at, id) index from the link's place instead of testing every link
    # (SQLite: 280 ms → a few ms at 100,000 links).
    after = Q(created_at__gte=link.created_at) & (
        Q(created_at__gt=link.created_at) | Q(pk__gt=link.pk)
    )
    before = Q(created_at__lte=link.created_at) & (
        Q(created_at__lt=link.created_at) | Q(pk__lt=link.pk)
    )
    previous = queue.filter(before).order_by("-created_at", "-pk").only("public_id").first()
    following = queue.filter(after).order_by("created_at", "pk").only("public_id").first()
    return previous, following
