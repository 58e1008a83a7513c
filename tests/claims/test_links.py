"""Linking claims of different documents through ``claims.services``: the canonical pair,
refusals, ownership, edit conflicts, deletion with evidence, and the database's own rules."""

import pytest
from django.db import IntegrityError, transaction

from claims import extensions, services
from claims.extensions import LinkDependents
from claims.models import RATIONALE_MAX_LENGTH, Claim, ClaimLink, Evidence, Relation, Review
from claims.services import (
    ClaimConflict,
    ClaimError,
    ClaimGone,
    ClaimPermissionDenied,
    link_create,
    link_delete,
    link_update,
)
from corpus.text import ERROR_BAD_CHARACTERS
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def first():
    """A claim made before ``second``: the smaller id."""
    return make_claim(make_document("The mayor said taxes rose by five percent."))


@pytest.fixture
def second(first):
    return make_claim(make_document("Critics said taxes rose by eight percent."))


def create(claim, other, user, **overrides):
    arguments = {
        "claim": claim,
        "other": other,
        "relation": "contradicts",
        "rationale": "Five is not eight.",
        "user": user,
    }
    return link_create(**(arguments | overrides))


def update(link, user, **overrides):
    arguments = {
        "link": link,
        "relation": "qualifies",
        "rationale": "Edited rationale.",
        "version": 1,
        "user": user,
    }
    return link_update(**(arguments | overrides))


# Creating


def test_an_annotator_links_two_claims_of_different_documents(first, second, annotator):
    link = create(first, second, annotator, rationale="  Five is not eight.  ")
    link.refresh_from_db()
    assert (link.left, link.right) == (first, second)
    assert link.relation == Relation.CONTRADICTS
    assert link.rationale == "Five is not eight.", "the rationale is stripped"
    assert link.review_state == "pending"
    assert (link.created_by, link.version) == (annotator, 1)
    assert ClaimLink.objects.count() == 1


def test_the_pair_is_stored_smaller_id_left_whichever_claim_the_user_started_from(
    first, second, annotator
):
    assert first.pk < second.pk
    link = create(second, first, annotator)
    link.refresh_from_db()
    assert (link.left_id, link.right_id) == (first.pk, second.pk)
    assert link.other_side(first) == second
    assert link.other_side(second) == first


@pytest.mark.parametrize("relation", Relation.values)
def test_each_relation_is_accepted(first, second, annotator, relation):
    link = create(first, second, annotator, relation=relation)
    link.refresh_from_db()
    assert link.relation == relation


def test_a_rationale_of_exactly_the_maximum_length_is_accepted(first, second, annotator):
    link = create(first, second, annotator, rationale="r" * RATIONALE_MAX_LENGTH)
    link.refresh_from_db()
    assert len(link.rationale) == RATIONALE_MAX_LENGTH


def test_an_editor_can_link_claims(first, second, editor):
    link = create(first, second, editor)
    assert ClaimLink.objects.get() == link


def test_claims_of_two_documents_of_the_same_source_can_be_linked(annotator):
    one = make_claim(make_document("First text of the source."))
    two = make_claim(make_document("Second text of the source.", source=one.document.source))
    create(one, two, annotator)
    assert ClaimLink.objects.count() == 1


def test_a_claim_can_be_linked_to_several_others(first, second, annotator):
    third = make_claim(make_document("A third account of the taxes."))
    create(first, second, annotator)
    create(third, first, annotator)
    assert ClaimLink.objects.of_claim(first).count() == 2
    assert ClaimLink.objects.of_claim(third).count() == 1


def test_a_claim_cannot_be_linked_to_itself(first, annotator):
    with pytest.raises(ClaimError) as error:
        create(first, first, annotator)
    assert str(error.value) == services.ERROR_LINK_SELF
    assert (error.value.field, error.value.status) == ("other", 400)
    assert ClaimLink.objects.count() == 0


def test_claims_of_the_same_document_cannot_be_linked(first, annotator):
    same_document = make_claim(first.document, quote="taxes rose")
    with pytest.raises(ClaimError) as error:
        create(first, same_document, annotator)
    assert str(error.value) == services.ERROR_LINK_SAME_DOCUMENT
    assert error.value.field == "other"
    assert ClaimLink.objects.count() == 0


@pytest.mark.parametrize("reverse", [False, True], ids=["same-order", "reverse-order"])
def test_the_same_pair_cannot_be_linked_twice_and_the_message_names_the_existing_relation(
    first, second, annotator, reverse
):
    create(first, second, make_user("annotator"), relation="qualifies", rationale="Original.")
    claim, other = (second, first) if reverse else (first, second)
    with pytest.raises(ClaimError) as error:
        create(claim, other, annotator, relation="contradicts")
    assert str(error.value) == services.ERROR_LINK_EXISTS.format(relation="qualifies")
    assert error.value.field == "other"
    link = ClaimLink.objects.get()
    assert (link.relation, link.rationale) == ("qualifies", "Original.")


def test_a_duplicate_pair_slipping_past_the_check_is_still_refused_with_the_message(
    first, second, annotator, monkeypatch
):
    """Two requests racing: the unique constraint turns the second into a refusal."""
    create(first, second, annotator, relation="corroborates")
    real_filter = ClaimLink.objects.filter
    calls = []

    class FirstLookupMisses:
        def __init__(self, queryset):
            self.queryset = queryset

        def first(self):
            calls.append(1)
            return None if len(calls) == 1 else self.queryset.first()

    monkeypatch.setattr(
        ClaimLink.objects,
        "filter",
        lambda *args, **kwargs: FirstLookupMisses(real_filter(*args, **kwargs)),
    )
    with pytest.raises(ClaimError) as error:
        create(second, first, annotator)
    monkeypatch.undo()
    assert str(error.value) == services.ERROR_LINK_EXISTS.format(relation="corroborates")
    assert ClaimLink.objects.count() == 1


@pytest.mark.parametrize(
    "relation", ["refutes", "", None, "CONTRADICTS", " contradicts", 1, ["contradicts"], {}]
)
def test_an_unknown_relation_is_refused(first, second, annotator, relation):
    with pytest.raises(ClaimError) as error:
        create(first, second, annotator, relation=relation)
    assert str(error.value) == services.ERROR_RELATION
    assert error.value.field == "relation"
    assert ClaimLink.objects.count() == 0


@pytest.mark.parametrize(
    ("rationale", "message"),
    [
        (None, services.ERROR_RATIONALE_MISSING),
        ("", services.ERROR_RATIONALE_MISSING),
        ("   \n\t ", services.ERROR_RATIONALE_MISSING),
        (42, services.ERROR_RATIONALE_MISSING),
        (["Five is not eight."], services.ERROR_RATIONALE_MISSING),
        ("r" * (RATIONALE_MAX_LENGTH + 1), services.ERROR_RATIONALE_TOO_LONG),
        ("Five \x00 eight.", ERROR_BAD_CHARACTERS),
        ("Lone \ud800 surrogate.", ERROR_BAD_CHARACTERS),
    ],
    ids=["none", "empty", "blank", "number", "list", "too-long", "nul", "lone-surrogate"],
)
def test_a_missing_blank_too_long_or_unstorable_rationale_is_refused(
    first, second, annotator, rationale, message
):
    with pytest.raises(ClaimError) as error:
        create(first, second, annotator, rationale=rationale)
    assert str(error.value) == message
    assert error.value.field == "rationale"
    assert ClaimLink.objects.count() == 0


def test_a_rationale_too_long_only_before_stripping_is_accepted(first, second, annotator):
    link = create(first, second, annotator, rationale=" " + "r" * RATIONALE_MAX_LENGTH + " ")
    link.refresh_from_db()
    assert link.rationale == "r" * RATIONALE_MAX_LENGTH


@pytest.mark.parametrize("role", ["reviewer", None])
def test_only_annotators_and_editors_can_link_claims(first, second, role):
    with pytest.raises(ClaimPermissionDenied) as error:
        create(first, second, make_user(role))
    assert str(error.value) == services.ERROR_NOT_ANNOTATOR
    assert error.value.status == 403
    assert ClaimLink.objects.count() == 0


def test_an_inactive_annotator_cannot_link_claims(first, second):
    with pytest.raises(ClaimPermissionDenied):
        create(first, second, make_user("annotator", is_active=False))
    assert ClaimLink.objects.count() == 0


def test_the_role_is_checked_before_the_input(first):
    with pytest.raises(ClaimPermissionDenied):
        create(first, first, make_user("reviewer"), relation="nonsense", rationale="")


# Editing


def test_the_owner_changes_the_relation_and_rationale(first, second, annotator):
    link = create(first, second, annotator)
    returned = update(link, annotator, relation="qualifies", rationale="  Only partly.  ")
    assert returned is link
    link.refresh_from_db()
    assert (link.relation, link.rationale, link.version) == ("qualifies", "Only partly.", 2)
    assert (link.left, link.right, link.created_by) == (first, second, annotator)


def test_each_edit_raises_the_version(first, second, annotator):
    link = create(first, second, annotator)
    update(link, annotator, version=1)
    update(link, annotator, version=2, relation="corroborates")
    link.refresh_from_db()
    assert (link.relation, link.version) == ("corroborates", 3)


def test_an_editor_edits_anyones_link(first, second, annotator, editor):
    link = create(first, second, annotator)
    update(link, editor, rationale="Edited by the editor.")
    link.refresh_from_db()
    assert (link.rationale, link.version, link.created_by) == (
        "Edited by the editor.",
        2,
        annotator,
    )


@pytest.mark.parametrize("role", ["annotator", "reviewer", None])
def test_others_cannot_edit_a_link(first, second, annotator, role):
    link = create(first, second, annotator, rationale="Original.")
    with pytest.raises(ClaimPermissionDenied) as error:
        update(link, make_user(role))
    assert str(error.value) == services.ERROR_NOT_LINK_OWNER
    link.refresh_from_db()
    assert (link.relation, link.rationale, link.version) == ("contradicts", "Original.", 1)


def test_an_owner_who_lost_the_annotator_role_cannot_edit_the_link(first, second, annotator):
    link = create(first, second, annotator)
    annotator.groups.clear()
    owner = type(annotator).objects.get(pk=annotator.pk)  # fresh permission cache
    with pytest.raises(ClaimPermissionDenied):
        update(link, owner)
    link.refresh_from_db()
    assert link.version == 1


def test_a_second_edit_based_on_the_old_version_conflicts_and_the_first_edit_is_kept(
    first, second, annotator, editor
):
    link = create(first, second, annotator)
    stale = ClaimLink.objects.get(pk=link.pk)
    update(link, annotator, relation="corroborates", rationale="First edit.")
    with pytest.raises(ClaimConflict) as error:
        update(stale, editor, relation="qualifies", rationale="Second edit.", version=1)
    assert (error.value.status, error.value.field) == (409, "version")
    assert str(error.value) == services.ERROR_CONFLICT.format(current=2, sent=1)
    link.refresh_from_db()
    assert (link.relation, link.rationale, link.version) == ("corroborates", "First edit.", 2)


@pytest.mark.parametrize("version", [None, "1", 1.0, True, [1]])
def test_an_edit_without_a_whole_number_version_is_refused(first, second, annotator, version):
    link = create(first, second, annotator, rationale="Original.")
    with pytest.raises(ClaimError) as error:
        update(link, annotator, version=version)
    assert str(error.value) == services.ERROR_VERSION
    assert error.value.field == "version"
    link.refresh_from_db()
    assert (link.rationale, link.version) == ("Original.", 1)


@pytest.mark.parametrize(
    ("relation", "rationale", "field"),
    [
        ("refutes", "Fine.", "relation"),
        ("qualifies", "  ", "rationale"),
        ("qualifies", None, "rationale"),
    ],
)
def test_an_invalid_edit_changes_nothing(first, second, annotator, relation, rationale, field):
    link = create(first, second, annotator, rationale="Original.")
    with pytest.raises(ClaimError) as error:
        update(link, annotator, relation=relation, rationale=rationale)
    assert error.value.field == field
    link.refresh_from_db()
    assert (link.relation, link.rationale, link.version) == ("contradicts", "Original.", 1)


def test_editing_a_deleted_link_says_it_is_gone(first, second, annotator):
    link = create(first, second, annotator)
    ClaimLink.objects.filter(pk=link.pk).delete()
    with pytest.raises(ClaimGone) as error:
        update(link, annotator)
    assert str(error.value) == services.ERROR_LINK_GONE
    assert error.value.status == 404


# Deleting


def test_the_owner_deletes_a_link_without_evidence_and_the_claims_stay(first, second, annotator):
    link = create(first, second, annotator)
    link_delete(link=link, version=1, user=annotator)
    assert ClaimLink.objects.count() == 0
    assert set(Claim.objects.all()) == {first, second}


def test_an_editor_deletes_anyones_link(first, second, annotator, editor):
    link = create(first, second, annotator)
    link_delete(link=link, version=1, user=editor)
    assert ClaimLink.objects.count() == 0


@pytest.mark.parametrize("role", ["annotator", "reviewer", None])
def test_others_cannot_delete_a_link(first, second, annotator, role):
    link = create(first, second, annotator)
    with pytest.raises(ClaimPermissionDenied) as error:
        link_delete(link=link, version=1, user=make_user(role), confirm=True)
    assert str(error.value) == services.ERROR_NOT_LINK_OWNER
    assert ClaimLink.objects.count() == 1


@pytest.mark.parametrize("confirm", [False, None, "true", 1, "yes"])
def test_deleting_a_link_with_evidence_needs_confirmation(first, second, annotator, confirm):
    link = create(first, second, annotator)
    make_evidence(link=link, user=annotator)
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=link, version=1, user=annotator, confirm=confirm)
    assert str(error.value) == services.ERROR_HAS_DEPENDENTS.format(
        thing="link", dependents="1 evidence item"
    )
    assert "1 evidence item" in str(error.value)
    assert (error.value.status, error.value.field) == (409, "confirm")
    assert ClaimLink.objects.count() == 1
    assert Evidence.objects.count() == 1


def test_the_confirmation_message_counts_several_evidence_items(first, second, annotator):
    link = create(first, second, annotator)
    for _ in range(3):
        make_evidence(link=link)
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=link, version=1, user=annotator)
    assert str(error.value) == services.ERROR_HAS_DEPENDENTS.format(
        thing="link", dependents="3 evidence items"
    )


def test_what_an_app_above_registers_on_links_is_counted_and_named(
    first, second, annotator, monkeypatch
):
    """claims counts, through claims.extensions, the rows that apps above keep on links and
    delete with them, without importing those apps; zero counts are named nowhere."""
    link = create(first, second, annotator)
    notes = {link.pk: 3}
    counted = LinkDependents(
        name="notes",
        noun="note",
        count=lambda links: {
            pk: notes[pk] for pk in links.values_list("pk", flat=True) if pk in notes
        },
    )
    monkeypatch.setitem(extensions._link_dependents, "notes", counted)
    make_evidence(link=link)
    assert services.dependents_of_link(link)["notes"] == 3
    assert services.dependents_of_claim(first)["notes"] == 3
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=link, version=1, user=annotator)
    assert "also deletes 1 evidence item and 3 notes." in str(error.value)
    with pytest.raises(ClaimConflict) as error:
        services.claim_delete(claim=first, version=1, user=first.created_by)
    assert "also deletes 1 link, 1 evidence item and 3 notes." in str(error.value)
    notes[link.pk] = 0
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=link, version=1, user=annotator)
    assert "also deletes 1 evidence item." in str(error.value)
    assert ClaimLink.objects.filter(pk=link.pk).exists()


def test_a_reviewed_link_is_deleted_only_when_its_verdicts_are_confirmed_gone_too(
    first, second, annotator
):
    link = create(first, second, annotator)
    make_review(link, "confirmed")
    make_review(link, "rejected")
    make_review(link, "confirmed", user=Review.objects.first().reviewer)  # a changed verdict
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=link, version=link.version, user=annotator)
    assert "also deletes 2 reviews." in str(error.value)  # the current verdicts
    with pytest.raises(ClaimConflict) as error:
        services.claim_delete(claim=first, version=1, user=first.created_by)
    assert "also deletes 1 link and 2 reviews." in str(error.value)
    assert ClaimLink.objects.filter(pk=link.pk).exists() and Review.objects.count() == 3
    link.refresh_from_db()
    link_delete(link=link, version=link.version, user=annotator, confirm=True)
    assert not ClaimLink.objects.exists() and not Review.objects.exists()


def test_a_confirmed_delete_takes_the_links_evidence_and_leaves_the_claims_evidence(
    first, second, annotator
):
    link = create(first, second, annotator)
    make_evidence(link=link, user=annotator)
    make_evidence(link=link, kind="url")
    on_claim = make_evidence(claim=first)
    link_delete(link=link, version=1, user=annotator, confirm=True)
    assert ClaimLink.objects.count() == 0
    assert list(Evidence.objects.all()) == [on_claim]
    assert set(Claim.objects.all()) == {first, second}


def test_a_delete_based_on_a_stale_version_is_refused(first, second, annotator):
    link = create(first, second, annotator)
    stale = ClaimLink.objects.get(pk=link.pk)
    update(link, annotator, rationale="Edited meanwhile.")
    with pytest.raises(ClaimConflict) as error:
        link_delete(link=stale, version=1, user=annotator)
    assert str(error.value) == services.ERROR_CONFLICT.format(current=2, sent=1)
    assert ClaimLink.objects.get().rationale == "Edited meanwhile."


@pytest.mark.parametrize("version", [None, "1", True])
def test_a_delete_without_a_whole_number_version_is_refused(first, second, annotator, version):
    link = create(first, second, annotator)
    with pytest.raises(ClaimError) as error:
        link_delete(link=link, version=version, user=annotator)
    assert str(error.value) == services.ERROR_VERSION
    assert ClaimLink.objects.count() == 1


def test_deleting_an_already_deleted_link_says_it_is_gone(first, second, annotator):
    link = create(first, second, annotator)
    stale = ClaimLink.objects.get(pk=link.pk)
    link_delete(link=link, version=1, user=annotator)
    with pytest.raises(ClaimGone) as error:
        link_delete(link=stale, version=1, user=annotator)
    assert str(error.value) == services.ERROR_LINK_GONE


def test_a_deleted_pair_can_be_linked_again(first, second, annotator):
    link = create(first, second, annotator)
    link_delete(link=link, version=1, user=annotator)
    again = create(second, first, annotator, relation="corroborates")
    assert list(ClaimLink.objects.all()) == [again]


def test_make_link_goes_through_the_service(annotator):
    link = make_link(user=annotator, relation="qualifies")
    link.refresh_from_db()
    assert link.left_id < link.right_id
    assert link.left.document_id != link.right.document_id
    assert (link.relation, link.created_by) == ("qualifies", annotator)


# The database's own guarantees, for writes that bypass the services.


def direct_link(left, right, user, **fields) -> ClaimLink:
    defaults = {"relation": "contradicts", "rationale": "A rationale."}
    return ClaimLink(left=left, right=right, created_by=user, **(defaults | fields))


def test_the_database_refuses_a_link_from_a_claim_to_itself(first, annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_link(first, first, annotator).save()
    assert ClaimLink.objects.count() == 0


def test_the_database_refuses_a_pair_out_of_canonical_order(first, second, annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_link(second, first, annotator).save()
    assert ClaimLink.objects.count() == 0


def test_the_database_refuses_the_same_pair_twice(first, second, annotator):
    direct_link(first, second, annotator).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_link(first, second, make_user("annotator"), relation="qualifies",
                    direction="unknown").save()  # fmt: skip
    assert ClaimLink.objects.count() == 1


def test_the_database_refuses_an_empty_rationale(first, second, annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_link(first, second, annotator, rationale="").save()
    assert ClaimLink.objects.count() == 0


@pytest.mark.parametrize("relation", ["refutes", "", "CONTRADICTS"])
def test_the_database_refuses_an_unknown_relation(first, second, annotator, relation):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_link(first, second, annotator, relation=relation).save()
    assert ClaimLink.objects.count() == 0


def test_the_database_refuses_an_unknown_review_state(first, second, annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_link(first, second, annotator, review_state="approved").save()
    assert ClaimLink.objects.count() == 0


def test_deleting_a_claim_directly_cascades_to_its_links(first, second, annotator):
    direct_link(first, second, annotator).save()
    Claim.objects.filter(pk=second.pk).delete()
    assert ClaimLink.objects.count() == 0
