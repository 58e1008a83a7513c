"""A deleted claim, link or evidence that cannot come back as it was is refused with a
reason, before anything is written, never with a database error: its author's account,
or a reviewer's, deleted since (the ``PROTECT`` that keeps an author's account holds only
while the row exists, so the account can go once the row is deleted), the same passage
claimed again by its author, the corrected text it waited for deleted, or another editor
restoring it at the same moment. The admin says so, and says what came back."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims import restores
from claims.errors import ClaimError
from claims.models import AnchorState, Claim, ClaimLink, Evidence, Review
from claims.restores import (
    ERROR_AUTHOR_GONE,
    ERROR_NOT_DELETED,
    ERROR_REVIEWER_GONE,
    ERROR_REVISION_GONE,
    ERROR_SPAN_TAKEN,
    claim_restore,
    evidence_restore,
    link_restore,
    link_restore_with_dependents,
)
from claims.services import claim_delete, evidence_delete, link_delete
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_user,
)

pytestmark = pytest.mark.django_db


def deletion_record(model, pk):
    return model.history.get(id=pk, history_type="-")


def delete_account(user) -> None:
    """Delete ``user``'s account, as only the shell can (the admin has no delete): the
    database lets it go once nothing live they made is left."""
    get_user_model().objects.get(pk=user.pk).delete()
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def history_size() -> dict[str, int]:
    """How many history records each restorable model has: a refused restore adds none."""
    return {model.__name__: model.history.count() for model in (Claim, ClaimLink, Evidence, Review)}


def refusal(restore, record, user) -> str:
    written = history_size()
    with pytest.raises(ClaimError) as caught:
        restore(record=record, user=user)
    assert history_size() == written
    return str(caught.value)


@pytest.fixture
def editor_user(db):
    return make_user("editor")


def test_a_claim_whose_authors_account_was_deleted_is_refused(editor_user):
    author = make_user("annotator")
    claim = make_claim(user=author)
    claim_delete(claim=claim, version=claim.version, user=editor_user)
    delete_account(author)

    message = refusal(claim_restore, deletion_record(Claim, claim.pk), editor_user)
    assert message == ERROR_AUTHOR_GONE.format(user_id=author.pk)
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_a_claim_whose_passage_its_author_claimed_again_is_refused(editor_user):
    author = make_user("annotator")
    claim = make_claim(user=author, statement="First try")
    claim_delete(claim=claim, version=claim.version, user=author)
    again = make_claim(claim.document, user=author, start=claim.start, end=claim.end)

    message = refusal(claim_restore, deletion_record(Claim, claim.pk), editor_user)
    assert message == ERROR_SPAN_TAKEN
    assert list(Claim.objects.values_list("pk", flat=True)) == [again.pk]


def test_a_claim_waiting_for_a_corrected_text_deleted_since_is_refused(editor_user):
    claim = make_claim()
    corrected = make_document("A corrected text.")
    Claim.objects.filter(pk=claim.pk).update(
        anchor_state=AnchorState.NEEDS_CHECK, anchor_target=corrected, anchor_start=0,
        anchor_end=1,
    )  # fmt: skip
    claim.refresh_from_db()
    claim_delete(claim=claim, version=claim.version, user=editor_user)
    corrected.delete()  # nothing live points into it any more

    message = refusal(claim_restore, deletion_record(Claim, claim.pk), editor_user)
    assert message == ERROR_REVISION_GONE
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_a_link_whose_authors_account_was_deleted_is_refused(editor_user):
    author = make_user("annotator")
    link = make_link(user=author)  # on claims of other annotators
    link_delete(link=link, version=link.version, user=editor_user)
    delete_account(author)

    message = refusal(link_restore, deletion_record(ClaimLink, link.pk), editor_user)
    assert message == ERROR_AUTHOR_GONE.format(user_id=author.pk)
    assert not ClaimLink.objects.filter(pk=link.pk).exists()


def test_a_link_one_of_whose_reviewers_account_was_deleted_comes_back_with_none(editor_user):
    """A review left out would change the link's state silently: nothing comes back."""
    link = make_link()
    kept = make_review(link, "confirmed")
    gone = make_review(link, "rejected")
    link_delete(link=link, version=link.version, user=editor_user, confirm=True)
    delete_account(gone.reviewer)

    message = refusal(link_restore, deletion_record(ClaimLink, link.pk), editor_user)
    assert message == ERROR_REVIEWER_GONE.format(user_id=gone.reviewer_id)
    assert not ClaimLink.objects.filter(pk=link.pk).exists()
    assert not Review.objects.filter(pk__in=[kept.pk, gone.pk]).exists()


def test_evidence_whose_authors_account_was_deleted_is_refused(editor_user):
    author = make_user("annotator")
    evidence = make_evidence(make_claim(), user=author)
    evidence_delete(evidence=evidence, version=evidence.version, user=editor_user)
    delete_account(author)

    message = refusal(evidence_restore, deletion_record(Evidence, evidence.pk), editor_user)
    assert message == ERROR_AUTHOR_GONE.format(user_id=author.pk)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_link_restored_by_another_editor_at_the_same_moment_is_refused(editor_user, monkeypatch):
    """Both restores find the link deleted; the one that writes second is refused as if it
    had come after, instead of failing on the database's unique id."""
    link = make_link()
    make_review(link, "confirmed")
    link_delete(link=link, version=link.version, user=editor_user, confirm=True)
    record = deletion_record(ClaimLink, link.pk)
    checked = restores._link_refusal

    def another_editor_restores_it_after_the_check(record) -> None:
        checked(record)
        monkeypatch.setattr(restores, "_link_refusal", checked)
        link_restore(record=record, user=make_user("editor"))

    monkeypatch.setattr(restores, "_link_refusal", another_editor_restores_it_after_the_check)
    with pytest.raises(ClaimError) as caught:
        link_restore(record=record, user=editor_user)
    assert str(caught.value) == ERROR_NOT_DELETED.format(thing="link")
    assert ClaimLink.objects.filter(pk=link.pk).count() == 1
    assert Review.objects.filter(link_id=link.pk).count() == 1


def test_a_restored_link_says_what_came_back_with_it(editor_user):
    link = make_link()
    first = make_review(link, "rejected")
    make_review(link, "confirmed", user=first.reviewer)  # replaces the first verdict
    make_review(link, "confirmed")
    link_delete(link=link, version=link.version, user=editor_user, confirm=True)

    restored = link_restore_with_dependents(
        record=deletion_record(ClaimLink, link.pk), user=editor_user
    )
    assert restored.link.pk == link.pk
    # The reviewers' verdicts, as the delete's confirmation counted them; the replaced one
    # comes back too.
    assert restored.dependents == {"reviews": 2, "comments": 0}
    assert Review.objects.filter(link_id=link.pk).count() == 3


# --- In the admin -------------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def restore_in_admin(client, model, *records):
    changelist = reverse(f"admin:claims_historical{model._meta.model_name}_changelist")
    return client.post(
        changelist,
        {"action": "restore_selected", "_selected_action": [record.pk for record in records]},
        follow=True,
    )


def test_the_admin_counts_the_claims_it_restored(editor_client, editor):
    claims = [make_claim(statement=f"Gone {n}") for n in (1, 2)]
    for claim in claims:
        claim_delete(claim=claim, version=claim.version, user=editor)
    records = [deletion_record(Claim, claim.pk) for claim in claims]

    response = restore_in_admin(editor_client, Claim, *records)
    assert messages_of(response) == ["Restored 2 claims."]
    assert Claim.objects.count() == 2


def test_the_admin_says_a_link_came_back_with_its_reviews(editor_client, editor):
    link = make_link()
    make_review(link, "confirmed")
    link_delete(link=link, version=link.version, user=editor, confirm=True)

    response = restore_in_admin(editor_client, ClaimLink, deletion_record(ClaimLink, link.pk))
    assert messages_of(response) == ["Restored 1 claim link, with 1 review."]


def test_the_admin_says_why_a_link_cannot_come_back_and_restores_the_others(editor_client, editor):
    kept, refused = make_link(), make_link()
    gone = make_review(refused, "rejected")
    for link in (kept, refused):
        link_delete(link=link, version=link.version, user=editor, confirm=True)
    delete_account(gone.reviewer)
    records = [deletion_record(ClaimLink, link.pk) for link in (kept, refused)]

    response = restore_in_admin(editor_client, ClaimLink, *records)
    assert response.status_code == 200
    reason = ERROR_REVIEWER_GONE.format(user_id=gone.reviewer_id)
    assert sorted(messages_of(response)) == sorted(
        [f"claim link #{refused.pk}: {reason}", "Restored 1 claim link."]
    )
    assert list(ClaimLink.objects.values_list("pk", flat=True)) == [kept.pk]
