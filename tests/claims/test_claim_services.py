"""Creating, editing and deleting claims through ``claims.services``: roles, ownership,
anchoring against the stored text, topics, and edit conflicts."""

import pytest
from django.db import IntegrityError, transaction

from claims import services
from claims.anchoring import (
    CONTEXT_LENGTH,
    ERROR_NOT_INTEGER,
    ERROR_ONLY_WHITESPACE,
    ERROR_OUT_OF_RANGE,
    ERROR_QUOTE_MISMATCH,
)
from claims.models import STATEMENT_MAX_LENGTH, TOPIC_MAX_LENGTH, Claim, Topic
from claims.services import (
    ClaimConflict,
    ClaimError,
    ClaimGone,
    ClaimPermissionDenied,
    claim_create,
    claim_delete,
    claim_update,
)
from tests.factories import make_claim, make_document, make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "Budget report\n\n"
    "The mayor said that taxes rose by five percent last year, the largest rise in a decade. "
    "Critics disputed the figure and said the real rise was closer to eight percent.\n\n"
    "The council will vote on the budget in March."
)


@pytest.fixture
def document():
    return make_document(TEXT)


def create(document, user, words, **overrides):
    """claim_create on the first occurrence of ``words``; keywords override any argument."""
    start = document.text.index(words)
    arguments = {
        "document": document,
        "start": start,
        "end": start + len(words),
        "quote": words,
        "statement": "Taxes rose by five percent.",
        "topics": None,
        "user": user,
    }
    return claim_create(**(arguments | overrides))


def topic_names(claim) -> list[str]:
    return sorted(topic.name for topic in claim.topics.all())


# Creating


def test_an_annotator_creates_a_claim_anchored_with_context_computed_by_the_server(
    document, annotator
):
    claim = create(document, annotator, "taxes rose by five percent", statement="  Taxes rose.  ")
    claim.refresh_from_db()
    start = TEXT.index("taxes rose by five percent")
    end = start + len("taxes rose by five percent")
    assert (claim.document, claim.start, claim.end) == (document, start, end)
    assert claim.quote == "taxes rose by five percent"
    assert claim.prefix == TEXT[start - CONTEXT_LENGTH : start]
    assert claim.suffix == TEXT[end : end + CONTEXT_LENGTH]
    assert claim.statement == "Taxes rose.", "the statement is stripped"
    assert claim.created_by == annotator
    assert claim.version == 1
    assert list(claim.topics.all()) == []


def test_the_context_is_shorter_for_a_claim_at_the_start_of_the_text(document, annotator):
    claim = create(document, annotator, "Budget")
    claim.refresh_from_db()
    assert (claim.start, claim.prefix) == (0, "")
    assert claim.suffix == TEXT[6 : 6 + CONTEXT_LENGTH]


def test_the_context_is_shorter_for_a_claim_at_the_end_of_the_text(document, annotator):
    claim = create(document, annotator, "in March.")
    claim.refresh_from_db()
    assert (claim.end, claim.suffix) == (len(TEXT), "")


def test_a_selection_with_surrounding_white_space_is_stored_trimmed(document, annotator):
    sloppy = "\n\nThe mayor said "
    claim = create(document, annotator, sloppy)
    claim.refresh_from_db()
    start = TEXT.index("The mayor said")
    assert (claim.start, claim.end) == (start, start + len("The mayor said"))
    assert claim.quote == "The mayor said"
    assert claim.prefix == TEXT[max(0, start - CONTEXT_LENGTH) : start]
    assert claim.suffix == TEXT[start + 14 : start + 14 + CONTEXT_LENGTH]


def test_a_selection_of_only_white_space_is_refused(document, annotator):
    with pytest.raises(ClaimError) as error:
        create(document, annotator, "\n\n")
    assert str(error.value) == ERROR_ONLY_WHITESPACE
    assert error.value.field == "quote"
    assert Claim.objects.count() == 0


def test_a_claim_anchors_in_text_with_astral_and_combining_characters(annotator):
    text = "Intro 👋🏽 and q\u0301uark, “it’s”\u00a0fine 🇫🇷 and 𝕏 end."
    document = make_document(text)
    assert document.text == text, "already NFC: stored as sent"
    claim = create(document, annotator, "q\u0301uark, “it’s”\u00a0fine 🇫🇷")
    claim.refresh_from_db()
    start = text.index("q\u0301uark")
    assert (claim.start, claim.end) == (start, start + len("q\u0301uark, “it’s”\u00a0fine 🇫🇷"))
    assert claim.quote == text[claim.start : claim.end]
    assert claim.prefix == text[:start]
    assert claim.suffix == " and 𝕏 end."


def test_topics_are_created_on_the_fly_matched_ignoring_case_and_deduplicated(document, annotator):
    existing = Topic.objects.create(name="Economy")
    claim = create(
        document,
        annotator,
        "taxes rose",
        topics=["economy", "ECONOMY", "  Local   politics ", "", "   ", "local politics", "Tax"],
    )
    claim.refresh_from_db()
    assert topic_names(claim) == ["Economy", "Local politics", "Tax"]
    assert existing in claim.topics.all(), "the existing topic is reused, not copied"
    assert sorted(Topic.objects.values_list("name", flat=True)) == [
        "Economy",
        "Local politics",
        "Tax",
    ]


def test_topics_match_ignoring_case_beyond_ascii_letters(document, annotator):
    create(document, annotator, "taxes rose", topics=["Économie"])
    create(document, annotator, "Critics disputed", topics=["économie"])
    create(document, annotator, "the figure", topics=["ÉCONOMIE"])
    assert list(Topic.objects.values_list("name", flat=True)) == ["Économie"]


def test_a_topic_created_by_one_claim_is_reused_by_the_next(document, annotator):
    create(document, annotator, "taxes rose", topics=["Budget"])
    second = create(document, annotator, "Critics disputed", topics=["budget"])
    assert topic_names(second) == ["Budget"]
    assert Topic.objects.count() == 1


def test_an_empty_topic_list_and_none_both_mean_no_topics(document, annotator):
    first = create(document, annotator, "taxes rose", topics=[])
    second = create(document, annotator, "Critics disputed", topics=None)
    assert topic_names(first) == topic_names(second) == []
    assert Topic.objects.count() == 0


def test_exactly_the_maximum_number_and_length_of_topics_is_accepted(document, annotator):
    names = [f"{index:02d}" + "x" * (TOPIC_MAX_LENGTH - 2) for index in range(services.MAX_TOPICS)]
    claim = create(document, annotator, "taxes rose", topics=names)
    assert topic_names(claim) == sorted(names)


def test_a_statement_of_exactly_the_maximum_length_is_accepted(document, annotator):
    claim = create(document, annotator, "taxes rose", statement="s" * STATEMENT_MAX_LENGTH)
    claim.refresh_from_db()
    assert len(claim.statement) == STATEMENT_MAX_LENGTH


@pytest.mark.parametrize("role", ["reviewer", None])
def test_only_annotators_can_create_claims(document, role):
    user = make_user(role)
    with pytest.raises(ClaimPermissionDenied) as error:
        create(document, user, "taxes rose")
    assert str(error.value) == services.ERROR_NOT_ANNOTATOR
    assert error.value.status == 403
    assert Claim.objects.count() == 0


def test_an_inactive_annotator_cannot_create_claims(document):
    user = make_user("annotator", is_active=False)
    with pytest.raises(ClaimPermissionDenied):
        create(document, user, "taxes rose")
    assert Claim.objects.count() == 0


def test_an_editor_can_create_claims(document, editor):
    """ERROR_NOT_ANNOTATOR says: "Only annotators and editors can create claims."."""
    claim = create(document, editor, "taxes rose")
    assert Claim.objects.get() == claim
    assert claim.created_by == editor


def test_a_span_outside_the_text_is_refused(document, annotator):
    with pytest.raises(ClaimError) as error:
        create(document, annotator, "taxes rose", start=len(TEXT) - 2, end=len(TEXT) + 1)
    assert str(error.value) == ERROR_OUT_OF_RANGE.format(
        start=len(TEXT) - 2, end=len(TEXT) + 1, length=len(TEXT)
    )
    assert (error.value.field, error.value.status) == ("end", 400)
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("value", ["12", 12.0, True, None])
def test_an_offset_that_is_not_a_whole_number_is_refused(document, annotator, value):
    with pytest.raises(ClaimError) as error:
        create(document, annotator, "taxes rose", start=value)
    assert str(error.value) == ERROR_NOT_INTEGER.format(field="start", value=value)
    assert error.value.field == "start"
    assert Claim.objects.count() == 0


def test_it_refuses_a_quote_that_does_not_match_the_stored_text(document, annotator):
    with pytest.raises(ClaimError) as error:
        create(document, annotator, "taxes rose", quote="taxes fell")
    start = TEXT.index("taxes rose")
    assert str(error.value) == ERROR_QUOTE_MISMATCH.format(
        start=start, end=start + 10, actual="taxes rose", quote="taxes fell"
    )
    assert error.value.field == "quote"
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (None, services.ERROR_STATEMENT_MISSING),
        ("", services.ERROR_STATEMENT_MISSING),
        ("  \n\t ", services.ERROR_STATEMENT_MISSING),
        (42, services.ERROR_STATEMENT_MISSING),
        (["Taxes rose."], services.ERROR_STATEMENT_MISSING),
        ("s" * (STATEMENT_MAX_LENGTH + 1), services.ERROR_STATEMENT_TOO_LONG),
    ],
)
def test_a_missing_blank_or_too_long_statement_is_refused(document, annotator, statement, message):
    with pytest.raises(ClaimError) as error:
        create(document, annotator, "taxes rose", statement=statement)
    assert str(error.value) == message
    assert error.value.field == "statement"
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        ("economy, tax", services.ERROR_TOPICS_NOT_LIST),
        ({"name": "economy"}, services.ERROR_TOPICS_NOT_LIST),
        (["economy", 3], services.ERROR_TOPICS_NOT_LIST),
        ([None], services.ERROR_TOPICS_NOT_LIST),
        ([["economy"]], services.ERROR_TOPICS_NOT_LIST),
        ([f"topic {n}" for n in range(services.MAX_TOPICS + 1)], services.ERROR_TOO_MANY_TOPICS),
        (
            ["ok", "t" * (TOPIC_MAX_LENGTH + 1)],
            services.ERROR_TOPIC_TOO_LONG.format(name="t" * (TOPIC_MAX_LENGTH + 1)),
        ),
    ],
)
def test_bad_topics_are_refused_and_no_topic_is_created(document, annotator, topics, message):
    with pytest.raises(ClaimError) as error:
        create(document, annotator, "taxes rose", topics=topics)
    assert str(error.value) == message
    assert error.value.field == "topics"
    assert Claim.objects.count() == 0
    assert Topic.objects.count() == 0


def test_repeated_topics_do_not_count_twice_towards_the_maximum(document, annotator):
    names = [f"topic {n}" for n in range(services.MAX_TOPICS)]
    claim = create(document, annotator, "taxes rose", topics=names + [n.upper() for n in names])
    assert len(topic_names(claim)) == services.MAX_TOPICS


def test_the_same_annotator_cannot_claim_exactly_the_same_span_twice(document, annotator):
    first = create(document, annotator, "taxes rose")
    with pytest.raises(ClaimError) as error:
        create(document, annotator, "taxes rose", statement="Another statement.")
    assert str(error.value) == services.ERROR_DUPLICATE_SPAN
    assert error.value.field == "quote"
    assert list(Claim.objects.all()) == [first]


def test_a_sloppy_selection_that_trims_to_an_existing_span_is_a_duplicate(document, annotator):
    create(document, annotator, "taxes rose")
    with pytest.raises(ClaimError) as error:
        create(document, annotator, " taxes rose ")
    assert str(error.value) == services.ERROR_DUPLICATE_SPAN
    assert Claim.objects.count() == 1


def test_another_annotator_can_claim_the_same_span(document, annotator):
    other = make_user("annotator")
    first = create(document, annotator, "taxes rose")
    second = create(document, other, "taxes rose", statement="A different reading.")
    assert (first.start, first.end) == (second.start, second.end)
    assert Claim.objects.count() == 2


def test_the_same_words_in_another_document_are_not_a_duplicate(document, annotator):
    create(document, annotator, "taxes rose")
    create(make_document(TEXT + " Again."), annotator, "taxes rose")
    assert Claim.objects.count() == 2


def test_overlapping_and_nested_spans_are_allowed(document, annotator):
    create(document, annotator, "taxes rose by five percent")
    create(document, annotator, "rose by five percent last year")  # overlapping
    create(document, annotator, "five")  # nested
    create(document, annotator, "said that taxes rose by five percent last year")  # enclosing
    assert Claim.objects.count() == 4


# Editing


def test_the_owner_edits_the_statement_and_topics(document, annotator):
    claim = create(document, annotator, "taxes rose", topics=["Economy"])
    anchor_before = (claim.start, claim.end, claim.quote, claim.prefix, claim.suffix)
    updated = claim_update(
        claim=claim, statement=" Taxes rose sharply. ", topics=["Tax"], version=1, user=annotator
    )
    claim.refresh_from_db()
    assert updated.pk == claim.pk
    assert claim.statement == "Taxes rose sharply."
    assert topic_names(claim) == ["Tax"]
    assert claim.version == 2
    assert (claim.start, claim.end, claim.quote, claim.prefix, claim.suffix) == anchor_before
    assert claim.created_by == annotator


def test_each_edit_raises_the_version(document, annotator):
    claim = create(document, annotator, "taxes rose")
    for version in (1, 2, 3):
        claim_update(
            claim=claim, statement=f"Edit {version}", topics=[], version=version, user=annotator
        )
    claim.refresh_from_db()
    assert (claim.version, claim.statement) == (4, "Edit 3")


def test_an_edit_with_empty_topics_removes_them(document, annotator):
    claim = create(document, annotator, "taxes rose", topics=["Economy", "Tax"])
    claim_update(claim=claim, statement="Taxes rose.", topics=[], version=1, user=annotator)
    assert topic_names(claim) == []
    assert Topic.objects.count() == 2, "topics themselves stay"


def test_an_editor_edits_any_claim(document, annotator, editor):
    claim = create(document, annotator, "taxes rose")
    claim_update(claim=claim, statement="Edited by the editor.", topics=[], version=1, user=editor)
    claim.refresh_from_db()
    assert (claim.statement, claim.version, claim.created_by) == (
        "Edited by the editor.",
        2,
        annotator,
    )


@pytest.mark.parametrize("role", ["annotator", "reviewer", None])
def test_others_cannot_edit_a_claim(document, annotator, role):
    claim = create(document, annotator, "taxes rose", statement="Original.")
    with pytest.raises(ClaimPermissionDenied) as error:
        claim_update(claim=claim, statement="Hijacked.", topics=[], version=1, user=make_user(role))
    assert str(error.value) == services.ERROR_NOT_OWNER
    assert error.value.status == 403
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Original.", 1)


def test_an_owner_who_lost_the_annotator_role_cannot_edit(document, annotator):
    claim = create(document, annotator, "taxes rose", statement="Original.")
    annotator.groups.clear()
    annotator = type(annotator).objects.get(pk=annotator.pk)  # fresh permission cache
    with pytest.raises(ClaimPermissionDenied):
        claim_update(claim=claim, statement="Changed.", topics=[], version=1, user=annotator)
    claim.refresh_from_db()
    assert claim.statement == "Original."


def test_a_second_edit_based_on_the_old_version_conflicts_and_the_first_edit_is_kept(
    document, annotator
):
    claim = create(document, annotator, "taxes rose", topics=["Economy"])
    first_copy = Claim.objects.get(pk=claim.pk)
    second_copy = Claim.objects.get(pk=claim.pk)
    claim_update(
        claim=first_copy, statement="First edit.", topics=["Tax"], version=1, user=annotator
    )
    with pytest.raises(ClaimConflict) as error:
        claim_update(
            claim=second_copy,
            statement="Second edit.",
            topics=["Budget"],
            version=1,
            user=annotator,
        )
    assert error.value.status == 409
    assert error.value.field == "version"
    assert str(error.value) == services.ERROR_CONFLICT.format(current=2, sent=1)
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("First edit.", 2)
    assert topic_names(claim) == ["Tax"]
    assert not Topic.objects.filter(name="Budget").exists(), "the refused edit made no topic"


def test_an_edit_sent_with_a_version_from_the_future_conflicts(document, annotator):
    claim = create(document, annotator, "taxes rose", statement="Original.")
    with pytest.raises(ClaimConflict) as error:
        claim_update(claim=claim, statement="Changed.", topics=[], version=5, user=annotator)
    assert str(error.value) == services.ERROR_CONFLICT.format(current=1, sent=5)
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Original.", 1)


@pytest.mark.parametrize("version", [None, "1", 1.0, True, [1]])
def test_an_edit_without_a_whole_number_version_is_refused(document, annotator, version):
    claim = create(document, annotator, "taxes rose", statement="Original.")
    with pytest.raises(ClaimError) as error:
        claim_update(claim=claim, statement="Changed.", topics=[], version=version, user=annotator)
    assert str(error.value) == services.ERROR_VERSION
    assert error.value.field == "version"
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Original.", 1)


@pytest.mark.parametrize(
    ("statement", "topics", "field"),
    [
        ("  ", [], "statement"),
        ("s" * (STATEMENT_MAX_LENGTH + 1), [], "statement"),
        ("Changed.", "Economy", "topics"),
        ("Changed.", [f"n{n}" for n in range(services.MAX_TOPICS + 1)], "topics"),
    ],
)
def test_an_invalid_edit_changes_nothing(document, annotator, statement, topics, field):
    claim = create(document, annotator, "taxes rose", statement="Original.", topics=["Economy"])
    with pytest.raises(ClaimError) as error:
        claim_update(claim=claim, statement=statement, topics=topics, version=1, user=annotator)
    assert error.value.field == field
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Original.", 1)
    assert topic_names(claim) == ["Economy"]


def test_editing_a_deleted_claim_says_it_is_gone(document, annotator):
    claim = create(document, annotator, "taxes rose")
    Claim.objects.filter(pk=claim.pk).delete()
    with pytest.raises(ClaimGone) as error:
        claim_update(claim=claim, statement="Changed.", topics=[], version=1, user=annotator)
    assert str(error.value) == services.ERROR_GONE
    assert error.value.status == 404


# Deleting


def test_the_owner_deletes_a_claim_with_its_current_version(document, annotator):
    claim = create(document, annotator, "taxes rose", topics=["Economy"])
    claim_delete(claim=claim, version=1, user=annotator)
    assert Claim.objects.count() == 0
    assert Topic.objects.count() == 1, "the topic stays for other claims"


def test_an_editor_deletes_any_claim(document, annotator, editor):
    claim = create(document, annotator, "taxes rose")
    claim_delete(claim=claim, version=1, user=editor)
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("role", ["annotator", "reviewer", None])
def test_others_cannot_delete_a_claim(document, annotator, role):
    claim = create(document, annotator, "taxes rose")
    with pytest.raises(ClaimPermissionDenied) as error:
        claim_delete(claim=claim, version=1, user=make_user(role))
    assert str(error.value) == services.ERROR_NOT_OWNER
    assert Claim.objects.count() == 1


def test_a_delete_based_on_a_stale_version_is_refused(document, annotator):
    claim = create(document, annotator, "taxes rose")
    stale = Claim.objects.get(pk=claim.pk)
    claim_update(claim=claim, statement="Edited meanwhile.", topics=[], version=1, user=annotator)
    with pytest.raises(ClaimConflict) as error:
        claim_delete(claim=stale, version=1, user=annotator)
    assert str(error.value) == services.ERROR_CONFLICT.format(current=2, sent=1)
    assert error.value.status == 409
    assert Claim.objects.get().statement == "Edited meanwhile."


@pytest.mark.parametrize("version", [None, "1", True])
def test_a_delete_without_a_whole_number_version_is_refused(document, annotator, version):
    claim = create(document, annotator, "taxes rose")
    with pytest.raises(ClaimError) as error:
        claim_delete(claim=claim, version=version, user=annotator)
    assert str(error.value) == services.ERROR_VERSION
    assert Claim.objects.count() == 1


def test_deleting_an_already_deleted_claim_says_it_is_gone(document, annotator):
    claim = create(document, annotator, "taxes rose")
    stale = Claim.objects.get(pk=claim.pk)
    claim_delete(claim=claim, version=1, user=annotator)
    with pytest.raises(ClaimGone) as error:
        claim_delete(claim=stale, version=1, user=annotator)
    assert str(error.value) == services.ERROR_GONE
    assert error.value.status == 404


def test_a_deleted_span_can_be_claimed_again(document, annotator):
    claim = create(document, annotator, "taxes rose")
    claim_delete(claim=claim, version=1, user=annotator)
    again = create(document, annotator, "taxes rose")
    assert list(Claim.objects.all()) == [again]


def test_make_claim_goes_through_the_service_and_takes_the_first_word(annotator):
    claim = make_claim(make_document(TEXT), user=annotator, topics=["Economy"])
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.quote) == (0, 6, "Budget")
    assert claim.suffix == TEXT[6 : 6 + CONTEXT_LENGTH]
    assert topic_names(claim) == ["Economy"]


# The database's own guarantees, for writes that bypass the services.


def direct_claim(document, user, start, end, **fields) -> Claim:
    defaults = {"quote": "x", "statement": "A statement."}
    return Claim(document=document, created_by=user, start=start, end=end, **(defaults | fields))


@pytest.mark.parametrize(("start", "end"), [(5, 5), (9, 3), (0, 0)])
def test_the_database_refuses_an_empty_or_reversed_span(document, annotator, start, end):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_claim(document, annotator, start, end).save()
    assert Claim.objects.count() == 0


def test_the_database_refuses_a_negative_start(document, annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_claim(document, annotator, -1, 4).save()
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("field", ["quote", "statement"])
def test_the_database_refuses_an_empty_quote_or_statement(document, annotator, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_claim(document, annotator, 0, 6, **{field: ""}).save()
    assert Claim.objects.count() == 0


def test_the_database_refuses_the_same_span_twice_for_one_annotator(document, annotator):
    direct_claim(document, annotator, 0, 6).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_claim(document, annotator, 0, 6).save()
    direct_claim(document, make_user("annotator"), 0, 6).save()
    direct_claim(document, annotator, 0, 7).save()
    assert Claim.objects.count() == 3


def test_a_duplicate_slipping_past_the_check_is_still_refused_with_the_message(
    document, annotator, monkeypatch
):
    """Two requests racing: the unique constraint turns the second into a refusal."""
    create(document, annotator, "taxes rose")
    real_filter = Claim.objects.filter

    class NeverExists:
        def exists(self):
            return False

    def filter_missing_the_duplicate(*args, **kwargs):
        if "created_by" in kwargs:
            return NeverExists()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Claim.objects, "filter", filter_missing_the_duplicate)
    with pytest.raises(ClaimError) as error:
        create(document, annotator, "taxes rose", statement="Raced.")
    monkeypatch.undo()
    assert str(error.value) == services.ERROR_DUPLICATE_SPAN
    assert Claim.objects.count() == 1
    assert Topic.objects.count() == 0
