"""Revisions of a document in the corpus: ``corpus.services.document_revise``, the chain of
revisions, and the document list showing the current ones."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from corpus import services
from corpus.models import Document
from corpus.services import (
    ERROR_NOT_CURRENT,
    ERROR_SAME_TEXT,
    DocumentImportError,
    RevisionNotCurrent,
    current_revision,
    document_revise,
    revision_history,
)
from corpus.signals import document_imported
from tests.factories import make_document

pytestmark = pytest.mark.django_db

TEXT = "The trial opened in August 1936.\n\nSixteen were accused."
CORRECTED = "The trial opened in August 1936.\n\nSixteen men were accused."


def revise(document, text: str, **options) -> Document:
    return document_revise(
        document=document, data=text.encode(), filename="fixed.txt", user=None, **options
    )


def test_a_revision_is_a_new_document_linked_to_the_one_it_corrects():
    first = make_document(TEXT, title="Trial")
    second = revise(first, CORRECTED)
    second.refresh_from_db()
    assert (second.previous, second.revision, second.source_id) == (first, 2, first.source_id)
    assert (second.title, second.language, second.text) == ("Trial", first.language, CORRECTED)
    assert second.checksum != first.checksum
    assert not Document.objects.get(pk=first.pk).is_current
    assert Document.objects.get(pk=second.pk).is_current
    assert list(Document.objects.current()) == [second]


def test_a_revision_may_take_a_new_title():
    second = revise(make_document(TEXT), CORRECTED, title="  The trial,  corrected ")
    assert second.title == "The trial, corrected"


def test_an_identical_text_is_refused_and_nothing_is_stored():
    first = make_document(TEXT, title="Trial")
    with pytest.raises(DocumentImportError) as refused:
        revise(first, TEXT.replace("\n", "\r\n"))  # the same once normalised
    assert str(refused.value) == ERROR_SAME_TEXT.format(revision=1, title="Trial")
    assert Document.objects.count() == 1


def test_a_text_already_in_the_corpus_is_refused_as_a_duplicate():
    first = make_document(TEXT)
    other = make_document(CORRECTED, title="Elsewhere")
    with pytest.raises(DocumentImportError, match="already in the corpus as “Elsewhere”"):
        revise(first, CORRECTED)
    assert not Document.objects.filter(previous=first).exists()
    assert other.is_current


def test_a_revision_of_a_replaced_text_is_refused_naming_the_current_one():
    first = make_document(TEXT, title="Trial")
    second = revise(first, CORRECTED)
    with pytest.raises(RevisionNotCurrent) as refused:
        revise(first, CORRECTED + "\nAnother fix.")
    assert str(refused.value) == ERROR_NOT_CURRENT.format(
        revision=1, title="Trial", current=2, pk=second.pk
    )
    assert Document.objects.count() == 2


def test_bad_files_are_refused_as_imports_are():
    first = make_document(TEXT)
    with pytest.raises(DocumentImportError, match="plain text"):
        document_revise(document=first, data=b"x", filename="fixed.pdf", user=None)
    with pytest.raises(DocumentImportError):
        revise(first, "   \n ")
    assert Document.objects.count() == 1


def test_the_database_refuses_a_second_successor_of_one_text():
    first = make_document(TEXT)
    revise(first, CORRECTED)
    rogue = Document(
        source=first.source, title="x", text="Other.", checksum="a" * 64, previous=first,
        revision=2,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        rogue.save()


def test_the_database_keeps_revision_numbers_whole():
    first = make_document(TEXT)
    for previous, revision in [(None, 2), (first, 1), (None, 0)]:
        rogue = Document(source=first.source, title="x", text="Other.", checksum="b" * 64,
                         previous=previous, revision=revision)  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            rogue.save()


def test_a_lost_race_for_the_same_text_is_refused_as_not_current(monkeypatch):
    """Someone stores a revision between our check and our insert: the unique successor
    turns it into the same refusal."""
    first = make_document(TEXT)
    real = services._require_current
    calls = []

    def late_check(document):
        calls.append(document)
        if len(calls) == 1:  # the check before the insert passes; then a rival wins
            Document.objects.create(
                source=first.source, title="rival", text=CORRECTED + " rival",
                checksum=services.text_utils.checksum(CORRECTED + " rival"), previous=first,
                revision=2,
            )  # fmt: skip
            return None
        return real(document)

    monkeypatch.setattr(services, "_require_current", late_check)
    with pytest.raises(RevisionNotCurrent):
        revise(first, CORRECTED)
    assert len(calls) == 2  # checked again after the insert failed
    assert not Document.objects.filter(checksum=services.text_utils.checksum(CORRECTED)).exists()


def test_the_history_lists_every_revision_oldest_first_in_two_queries(
    django_assert_num_queries,
):
    first = make_document(TEXT)
    second = revise(first, CORRECTED)
    third = revise(second, CORRECTED + "\nThird.")
    make_document("Another text of the same kind.", source=first.source)
    for member in (first, second, third):
        with django_assert_num_queries(2):
            chain = revision_history(member)
        assert [d.pk for d in chain] == [first.pk, second.pk, third.pk]
        assert current_revision(member).pk == third.pk


def test_the_new_revision_is_announced_once_committed(django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, *, document, user, **kwargs):
        heard.append((document.pk, user))

    document_imported.connect(listener)
    try:
        first = make_document(TEXT)
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            second = revise(first, CORRECTED)
    finally:
        document_imported.disconnect(listener)
    assert heard == [(second.pk, None)]


def test_the_document_list_shows_current_revisions_unless_asked(annotator_client):
    first = make_document(TEXT, title="Trial")
    revise(first, CORRECTED)
    url = reverse("corpus:documents")
    page = annotator_client.get(url).content.decode()
    assert page.count("Trial") == 1 and "revision 2" in page
    assert "1 document " in page
    every = annotator_client.get(url + "?revisions=all").content.decode()
    assert "2 documents" in every
    assert "replaced by a newer revision" in every
