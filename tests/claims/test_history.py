"""The change history: every write recorded with who made it; deleted claims and links
restored from it, in the services and in the admin."""

import pytest
from django.urls import reverse

from claims.errors import ClaimError
from claims.models import Claim, ClaimLink, Evidence, ReviewState
from claims.restores import (
    ERROR_CLAIM_GONE,
    ERROR_NOT_DELETED,
    ERROR_PAIR_TAKEN,
    claim_restore,
    link_restore,
)
from claims.reviewing import review_submit
from claims.services import claim_delete, claim_update, evidence_add, link_delete, link_update
from tests.factories import make_claim, make_document, make_link, make_user

pytestmark = pytest.mark.django_db


def deletion_record(model, pk):
    return model.history.get(id=pk, history_type="-")


def test_creating_editing_and_deleting_a_claim_is_recorded_with_its_author():
    author = make_user("annotator")
    claim = make_claim(user=author, statement="First words", topics=["exile"])
    claim_update(claim=claim, statement="Second words", topics=["exile"], version=1, user=author)
    claim_delete(claim=claim, version=2, user=author)

    records = list(Claim.history.filter(id=claim.pk).order_by("history_date", "history_id"))
    assert [record.history_type for record in records][0] == "+"
    assert records[-1].history_type == "-"
    edit = next(r for r in records if r.history_type == "~" and r.statement == "Second words")
    assert (edit.version, edit.history_user) == (2, author)


def test_link_edits_and_review_state_changes_are_recorded():
    link = make_link()
    editor = make_user("editor")
    link_update(link=link, relation="qualifies", rationale="New", version=1, user=editor)
    review_submit(link=link, verdict="confirmed", note="", user=make_user("reviewer"))

    states = list(
        ClaimLink.history.filter(id=link.pk).order_by("history_date", "history_id")
        .values_list("relation", "review_state", "history_user")
    )  # fmt: skip
    assert ("qualifies", "pending", editor.pk) in states
    assert states[-1][:2] == ("qualifies", "confirmed")


def test_a_deleted_claim_comes_back_whole_from_its_deletion_record():
    author = make_user("annotator")
    claim = make_claim(user=author, statement="Kept", topics=["exile", "dates"])
    link = make_link(claim, make_claim(make_document("Another text"), user=author), user=author)
    evidence_add(claim=claim, kind="citation", bearing="supports", citation="A book", user=author)
    claim_delete(claim=claim, version=claim.version, user=author, confirm=True)
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not ClaimLink.objects.exists() and not Evidence.objects.exists()

    restored = claim_restore(record=deletion_record(Claim, claim.pk), user=make_user("editor"))
    restored.refresh_from_db()
    assert (restored.public_id, restored.start, restored.end, restored.statement) == (
        claim.public_id, claim.start, claim.end, "Kept",
    )  # fmt: skip
    assert sorted(restored.topics.values_list("name", flat=True)) == ["dates", "exile"]
    assert restored.search_text == claim.search_text

    restored_link = link_restore(record=deletion_record(ClaimLink, link.pk), user=author)
    assert restored_link.public_id == link.public_id


def test_a_restored_link_has_the_state_its_reviews_and_the_evidence_now_give():
    author = make_user("annotator")
    link = make_link(user=author)
    review_submit(link=link, verdict="needs_evidence", note="", user=make_user("reviewer"))
    link_delete(link=link, version=link.version, user=author, confirm=True)  # with its review
    # Evidence on one of its claims answers the verdict while the link is gone.
    evidence_add(claim=link.left, kind="citation", bearing="supports", citation="A book",
                 user=author)  # fmt: skip

    restored = link_restore(record=deletion_record(ClaimLink, link.pk), user=author)
    restored.refresh_from_db()
    assert restored.review_state == ReviewState.PENDING
    assert restored.reviews.current().count() == 1


def test_restoring_refuses_what_exists_or_cannot_come_back():
    author = make_user("annotator")
    one, two = make_claim(user=author), make_claim(make_document("Other"), user=author)
    link = make_link(one, two, user=author)
    claim_delete(claim=one, version=one.version, user=author, confirm=True)
    claim_record = deletion_record(Claim, one.pk)
    link_record = deletion_record(ClaimLink, link.pk)

    with pytest.raises(ClaimError) as caught:
        link_restore(record=link_record, user=author)
    assert str(caught.value) == ERROR_CLAIM_GONE

    claim_restore(record=claim_record, user=author)
    with pytest.raises(ClaimError) as caught:
        claim_restore(record=claim_record, user=author)
    assert str(caught.value) == ERROR_NOT_DELETED.format(thing="claim")

    make_link(one, two, user=author)  # linked again meanwhile
    with pytest.raises(ClaimError) as caught:
        link_restore(record=link_record, user=author)
    assert str(caught.value) == ERROR_PAIR_TAKEN


def test_an_editor_restores_a_deleted_claim_from_the_admin(editor_client):
    author = make_user("annotator")
    claim = make_claim(user=author, statement="Gone for now")
    claim_delete(claim=claim, version=1, user=author)
    changelist = reverse("admin:claims_historicalclaim_changelist")

    page = editor_client.get(changelist)
    assert page.status_code == 200
    assert "Gone for now" in page.content.decode()

    record = deletion_record(Claim, claim.pk)
    response = editor_client.post(
        changelist, {"action": "restore_selected", "_selected_action": [record.pk]}
    )
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).statement == "Gone for now"
    assert "Gone for now" not in editor_client.get(changelist).content.decode()


def test_the_admin_shows_a_claims_history(editor_client):
    claim = make_claim(statement="With a past")
    response = editor_client.get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "With a past" in page
    assert "Created" in page


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_only_editors_see_deleted_claims(client, role):
    client.force_login(make_user(role, is_staff=True))
    response = client.get(reverse("admin:claims_historicalclaim_changelist"))
    assert response.status_code == 403
