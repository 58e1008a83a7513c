"""The Suggested pairs queue: the job that fills it (every claim, then only the claims
changed since, unless documents were indexed meanwhile), and which pairs it shows: best
first, without the ones dismissed or already linked."""

import pytest
from django.urls import reverse

from jobs.models import Job, JobState
from jobs.services import job_start
from suggestions import queue
from suggestions.actions import counterpart_create, dismissal_create
from suggestions.models import SuggestedPair
from suggestions.queue import PAIRS_PER_CLAIM, pending_pairs, refresh_suggested_pairs
from suggestions.services import index_document
from tests.factories import make_claim, make_document, make_link, make_source

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

THIRTEEN = "A group of 13 conspirators were shot for the murder of Kirov in December 1934."
EXPELLED = "Trotsky was expelled abroad in 1929 and lived in Turkey."
KIROV = (
    "Kirov\n\n"
    f"Sergei Kirov was shot in Leningrad on 1 December 1934 by Leonid Nikolayev. {THIRTEEN} "
    f"{EXPELLED}"
)
TRIAL = (
    "Reports\n\n"
    "In December 1934, after the murder of Kirov in Leningrad, 15 people were found guilty "
    "and executed. Nicolaiev was among them. "
    "The harvest of 1933 was poor in the Ukraine."
)
EXILE = (
    "Exile\n\n"
    "Trotsky was sent into internal exile to Alma Ata in 1928. "
    "He was expelled from the Soviet Union in 1929 to Turkey."
)


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"


@pytest.fixture
def corpus(annotator):
    documents = [
        make_document(KIROV, source=make_source(name="Pravda")),
        make_document(TRIAL, source=make_source(name="Bulletin")),
        make_document(EXILE, source=make_source(name="Encyclopedia")),
    ]
    for document in documents:
        index_document(document)
    thirteen = make_claim(documents[0], user=annotator, statement="Thirteen were shot.",
                          quote=THIRTEEN)  # fmt: skip
    expelled = make_claim(documents[0], user=annotator, statement="Expelled in 1929.",
                          quote=EXPELLED)  # fmt: skip
    return documents, thirteen, expelled


@pytest.fixture
def filled(corpus, annotator, django_capture_on_commit_callbacks):
    """The queue as the job fills it."""
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(task=refresh_suggested_pairs, user=annotator, label=queue.LABEL)
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    assert pending_pairs().exists()


def _refresh(client, captured, **form):
    with captured(execute=True):
        response = client.post(reverse("suggestions:refresh"), form)
    job = Job.objects.filter(kind=refresh_suggested_pairs.name).order_by("-pk").first()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('suggestions:queue')}?job={job.public_id}"
    return job


def test_the_job_stores_the_likeliest_passages_of_each_claim(
    annotator_client, corpus, django_capture_on_commit_callbacks
):
    documents, thirteen, expelled = corpus
    job = _refresh(annotator_client, django_capture_on_commit_callbacks)

    assert job.state == JobState.DONE, job.error
    assert (job.progress_done, job.progress_total) == (2, 2)
    stored = SuggestedPair.objects.count()
    assert stored >= 2 and job.summary == f"2 claims searched; {stored} suggested pairs stored."
    for claim, counterpart in ((thirteen, documents[1]), (expelled, documents[2])):
        rows = list(SuggestedPair.objects.filter(claim=claim).order_by("-score"))
        assert 1 <= len(rows) <= PAIRS_PER_CLAIM
        assert all(row.passage.document_id != claim.document_id for row in rows)
        assert rows[0].passage.document == counterpart
    best_first = list(pending_pairs().values_list("score", flat=True))
    assert best_first == sorted(best_first, reverse=True) and len(best_first) == stored


def test_a_refresh_replaces_only_the_rows_of_claims_changed_since(
    annotator_client, annotator, corpus, django_capture_on_commit_callbacks
):
    documents, thirteen, expelled = corpus
    _refresh(annotator_client, django_capture_on_commit_callbacks)
    before = dict(SuggestedPair.objects.values_list("pk", "claim_id"))
    fifteen = "after the murder of Kirov in Leningrad, 15 people were found guilty"
    fresh = make_claim(documents[1], user=annotator, statement="Fifteen.", quote=fifteen)

    job = _refresh(annotator_client, django_capture_on_commit_callbacks)

    assert (job.progress_total, job.state) == (1, JobState.DONE)
    kept = dict(SuggestedPair.objects.exclude(claim=fresh).values_list("pk", "claim_id"))
    assert kept == before  # untouched: the same rows
    assert SuggestedPair.objects.filter(claim=fresh).exists()
    assert queue.claims_to_refresh(queue.last_refresh()).count() == 0


def test_a_newly_indexed_document_refreshes_every_claim(
    annotator_client, corpus, django_capture_on_commit_callbacks
):
    _refresh(annotator_client, django_capture_on_commit_callbacks)
    index_document(make_document("Later\n\nKirov was murdered in Leningrad in 1934."))
    job = _refresh(annotator_client, django_capture_on_commit_callbacks)
    assert job.progress_total == 2
    everything = _refresh(annotator_client, django_capture_on_commit_callbacks, everything="1")
    assert everything.progress_total == 2


def test_a_dismissed_pair_leaves_the_queue(annotator, corpus, filled):
    documents, thirteen, _ = corpus
    pair = pending_pairs().filter(claim=thirteen).first()
    passage = pair.passage

    dismissal_create(claim=thirteen, document=passage.document, start=passage.start,
                     end=passage.end, user=annotator)  # fmt: skip

    assert not pending_pairs().filter(pk=pair.pk).exists()
    assert SuggestedPair.objects.filter(pk=pair.pk).exists()  # the job's row, filtered out
    assert pending_pairs().exclude(claim=thirteen).exists()  # the other claim's stay


def test_a_pair_leaves_the_queue_once_the_claim_is_linked_there(annotator, corpus, filled):
    documents, thirteen, expelled = corpus
    pair = pending_pairs().filter(claim=thirteen).first()
    passage = pair.passage
    counterpart_create(
        claim=thirteen, document=passage.document, start=passage.start, end=passage.end,
        statement="Fifteen were executed.", relation="contradicts", rationale="13 or 15.",
        user=annotator,
    )  # fmt: skip
    assert not pending_pairs().filter(pk=pair.pk).exists()


def test_a_link_made_the_other_way_round_also_takes_the_pair_away(annotator, corpus, filled):
    """Linked from a claim on the passage to the pair's claim (the link's other side)."""
    documents, thirteen, _ = corpus
    pair = pending_pairs().filter(claim=thirteen).first()
    passage = pair.passage
    text = passage.document.text
    words = text[passage.start : passage.end].split()[0]
    there = make_claim(passage.document, user=annotator, start=passage.start,
                       end=passage.start + len(words))  # fmt: skip
    assert pending_pairs().filter(pk=pair.pk).exists()  # a claim there, not linked yet
    make_link(there, thirteen, user=annotator)
    assert not pending_pairs().filter(pk=pair.pk).exists()


def test_one_refresh_at_a_time(annotator_client, corpus, django_capture_on_commit_callbacks):
    """A refresh asked for while one is waiting or running shows that one instead."""
    with django_capture_on_commit_callbacks(execute=False):
        first = annotator_client.post(reverse("suggestions:refresh"))
        second = annotator_client.post(reverse("suggestions:refresh"), follow=True)
    job = Job.objects.get(kind=refresh_suggested_pairs.name)
    assert job.state == JobState.QUEUED
    assert first["Location"] == f"{reverse('suggestions:queue')}?job={job.public_id}"
    assert second.redirect_chain[0][0] == first["Location"]
    assert "Suggestions are being looked for already" in second.content.decode()
