"""suggestions.index: a document's passages and postings in one transaction, once; its
entries gone with it; offsets in code points; indexing when a document is imported."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from corpus.models import Document
from jobs.models import Job, JobState
from suggestions import index
from suggestions.models import IndexedDocument, Passage, Posting, Term, TermGram
from suggestions.services import documents_unindexed
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "On 1 December 1934 Sergei Kirov was shot in the Smolny by Leonid Nikolaev. "
    "A group of 13 Zinovievists was shot in December 1934.\n\n"
    "The trial of the Sixteen opened in Moscow in August 1936. All sixteen were shot."
)


def term_counts_recounted() -> dict[str, int]:
    return dict(Term.objects.annotate(n=Count("postings")).filter(n__gt=0).values_list("text", "n"))


def test_a_document_is_cut_into_passages_with_postings_and_terms():
    document = make_document(TEXT)
    found = index.index_document(document)
    passages = list(Passage.objects.filter(document=document).order_by("start"))
    assert found == len(passages) == IndexedDocument.objects.get(document=document).passages
    assert [TEXT[p.start : p.end] for p in passages][0].startswith("On 1 December 1934")
    first = passages[0]
    assert first.features["names"][:2] == ["Sergei Kirov", "Smolny"]
    assert ["1934-12-01", "1 December 1934"] in first.features["dates"]
    postings = dict(Posting.objects.filter(passage=first).values_list("term__text", "count"))
    assert postings["kirov"] == 1 and postings["shot"] >= 1
    assert first.length == sum(postings.values())
    # Each term counts the passages holding it; its trigrams find its spelling variants.
    assert {t: n for t, n in Term.objects.values_list("text", "passages") if n} == (
        term_counts_recounted()
    )
    kirov = Term.objects.get(text="kirov")
    assert set(TermGram.objects.filter(term=kirov).values_list("gram", flat=True)) == {
        "^ki", "kir", "iro", "rov", "ov$"
    }  # fmt: skip
    assert IndexedDocument.objects.get(document=document).terms == sum(p.length for p in passages)


def test_indexing_again_changes_nothing():
    document = make_document(TEXT)
    found = index.index_document(document)
    before = (Passage.objects.count(), Posting.objects.count(), term_counts_recounted())
    assert index.index_document(document) == found
    assert (Passage.objects.count(), Posting.objects.count(), term_counts_recounted()) == before
    assert {t: n for t, n in Term.objects.values_list("text", "passages") if n} == before[2]


def test_two_documents_add_up_their_term_counts():
    index.index_document(make_document(TEXT))
    index.index_document(make_document("Kirov was shot. " + "Kirov again, in Leningrad."))
    assert {t: n for t, n in Term.objects.values_list("text", "passages") if n} == (
        term_counts_recounted()
    )


class Stop(Exception):
    pass


class StoppingProgress:
    """Stops the work at the second batch, as a cancelled job does."""

    def __init__(self) -> None:
        self.batches = 0

    def start(self, total, label) -> None:
        self.total = total

    def advance(self, steps: int = 1) -> None:
        self.batches += 1
        if self.batches == 2:
            raise Stop


def test_a_document_is_indexed_whole_or_not_at_all(monkeypatch):
    index.index_document(make_document("Kirov was shot in Leningrad, in the Smolny."))
    counts_before = dict(Term.objects.values_list("text", "passages"))
    document = make_document(TEXT)
    monkeypatch.setattr(index, "BATCH", 1)  # a batch per passage
    with pytest.raises(Stop):
        index.index_document(document, StoppingProgress())
    assert not Passage.objects.filter(document=document).exists()
    assert not IndexedDocument.objects.filter(document=document).exists()
    assert dict(Term.objects.values_list("text", "passages")) == counts_before
    assert list(documents_unindexed()) == [document]
    # Nothing half-written stands in the way of indexing it afterwards.
    assert index.index_document(document) == Passage.objects.filter(document=document).count()


def test_deleting_a_document_removes_its_entries_and_counts():
    kept = make_document("Kirov was shot in Leningrad, in the Smolny, by Nikolaev.")
    index.index_document(kept)
    counts_before = {t: n for t, n in Term.objects.values_list("text", "passages") if n}
    document = make_document(TEXT)
    index.index_document(document)
    document.delete()
    assert not Passage.objects.filter(document_id=document.pk).exists()
    assert not IndexedDocument.objects.filter(document_id=document.pk).exists()
    assert Posting.objects.count() == sum(
        len(Counter(p.postings.values_list("term", flat=True))) for p in Passage.objects.all()
    )
    assert {t: n for t, n in Term.objects.values_list("text", "passages") if n} == counts_before


def test_offsets_count_code_points_beyond_the_basic_plane():
    first = "𝔗𝔥𝔢 𝔱𝔯𝔦𝔞𝔩 😀 began in Moscow, in August, before the court of the 𝔐𝔦𝔩𝔦𝔱𝔞𝔯𝔶 𝔠𝔬𝔩𝔩𝔢𝔤𝔦𝔲𝔪."
    second = "Kirov 😀 was shot in Leningrad, said the 𝔑𝔎𝔙𝔇 report of the following morning."
    text = f"{first} {second}"
    document = make_document(text)
    index.index_document(document)
    spans = list(Passage.objects.filter(document=document).order_by("start").values_list(
        "start", "end"
    ))  # fmt: skip
    assert spans == [(0, len(first)), (len(first) + 1, len(text))]
    stored = Document.objects.get(pk=document.pk).text
    assert [stored[s:e] for s, e in spans] == [first, second]


def test_a_document_of_punctuation_is_indexed_with_no_passages():
    document = make_document("… — …")
    assert index.index_document(document) == 0
    assert IndexedDocument.objects.get(document=document).passages == 0
    assert list(documents_unindexed()) == []


def test_a_document_imported_by_someone_is_indexed_by_a_job(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path
    user = make_user("annotator")
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(TEXT, user=user)
    job = Job.objects.get()
    assert (job.requested_by, job.state) == (user, JobState.DONE)
    assert job.label == f"Index the passages of “{document.title}”"
    assert job.summary.startswith("1 document indexed (")
    assert IndexedDocument.objects.filter(document=document).exists()


def test_a_document_imported_by_a_command_waits_for_index_passages(
    django_capture_on_commit_callbacks, capsys
):
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(TEXT)  # no user: a management command
    assert not Job.objects.exists()
    assert list(documents_unindexed()) == [document]
    call_command("index_passages")
    out = capsys.readouterr().out
    assert f"indexed #{document.pk}" in out and "1 document indexed" in out
    assert list(documents_unindexed()) == []
    call_command("index_passages", document=document.pk)  # already indexed: nothing to do
    assert "0 documents indexed" in capsys.readouterr().out
