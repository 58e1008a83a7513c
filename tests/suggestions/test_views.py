"""The Suggested pairs page as plain forms (no script): what a pair shows, making the
counterpart claim and dismissing from it, the buttons that start the jobs; who may."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim, ClaimLink
from claims.services import ERROR_RATIONALE_MISSING, ERROR_STATEMENT_MISSING
from jobs.models import Job
from suggestions.models import Dismissal
from suggestions.queue import pending_pairs
from suggestions.tasks import index_documents
from suggestions.views import ERROR_NOT_INDEXER, ERROR_NOT_TRIAGER
from tests.factories import make_claim, make_document, make_user
from tests.suggestions import test_queue

# The queue's corpus, filled by the job, as tests/suggestions/test_queue.py makes it.
corpus = test_queue.corpus
filled = test_queue.filled
immediate_tasks = test_queue.immediate_tasks

pytestmark = pytest.mark.django_db

QUEUE = "/suggestions/"


def _first_pair():
    pair = pending_pairs().select_related("claim", "passage__document").first()
    assert pair is not None
    return pair


def _form(pair, **changes) -> dict:
    passage = pair.passage
    form = {
        "document": passage.document_id,
        "start": passage.start,
        "end": passage.end,
        "statement": "Fifteen were executed.",
        "rationale": "13 here, 15 there.",
        "relation": "contradicts",
        "direction": "qualified_by_other",  # the page's select sends one whatever the relation
        "next": f"{QUEUE}?q=Thirteen#pair-1",
    }
    return form | changes


def test_the_page_shows_each_pair_with_the_passage_in_context(annotator_client, filled):
    pair = _first_pair()
    page = annotator_client.get(QUEUE)
    assert page.status_code == 200
    html = page.content.decode()
    passage_text = pair.passage.document.text[pair.passage.start : pair.passage.end]
    assert f"<mark>{passage_text}</mark>" in html.replace("&#x27;", "'")
    assert pair.claim.statement in html
    assert html.count("data-pair ") == pending_pairs().count()
    assert 'action="/suggestions/refresh/"' in html
    assert "not yet indexed" not in html  # annotators do not index
    assert 'src="/static/suggestions/queue.js"' in html
    assert 'href="/suggestions/" aria-current="page"' in html  # the nav link


def test_the_filters_narrow_the_queue(annotator_client, filled, corpus):
    documents, thirteen, expelled = corpus
    page = annotator_client.get(QUEUE, {"q": "Thirteen"}).content.decode()
    assert thirteen.statement in page and expelled.statement not in page
    page = annotator_client.get(QUEUE, {"q": "nothing-like-this"}).content.decode()
    assert "No suggested pairs to look at with these filters" in page


def test_a_counterpart_is_made_from_the_form_and_the_pair_leaves(annotator_client, annotator,
                                                                  filled):  # fmt: skip
    pair = _first_pair()
    response = annotator_client.post(
        reverse("suggestions:counterpart", args=[pair.claim.public_id]), _form(pair)
    )
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?q=Thirteen#pair-1"
    made = Claim.objects.get(statement="Fifteen were executed.")
    assert (made.document_id, made.created_by) == (pair.passage.document_id, annotator)
    link = ClaimLink.objects.get()
    assert {link.left, link.right} == {pair.claim, made} and link.relation == "contradicts"
    assert not pending_pairs().filter(pk=pair.pk).exists()
    page = annotator_client.get(response["Location"]).content.decode()
    assert "Linked: “" in page and "The claim on the passage was made." in page


def test_a_qualifies_form_records_the_direction(annotator_client, filled):
    pair = _first_pair()
    url = reverse("suggestions:counterpart", args=[pair.claim.public_id])
    annotator_client.post(url, _form(pair, relation="qualifies"))
    link = ClaimLink.objects.get()
    assert link.qualifier.statement == "Fifteen were executed."  # the passage narrows the claim


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"statement": " "}, ERROR_STATEMENT_MISSING), ({"rationale": ""}, ERROR_RATIONALE_MISSING)],
)
def test_a_refused_form_says_why_and_changes_nothing(annotator_client, filled, changes, message):
    pair = _first_pair()
    url = reverse("suggestions:counterpart", args=[pair.claim.public_id])
    response = annotator_client.post(url, _form(pair, **changes), follow=True)
    assert message in response.content.decode()
    assert Claim.objects.count() == 2 and not ClaimLink.objects.exists()
    assert pending_pairs().filter(pk=pair.pk).exists()


def test_not_related_takes_the_pair_away(annotator_client, annotator, filled):
    pair = _first_pair()
    url = reverse("suggestions:dismiss", args=[pair.claim.public_id])
    response = annotator_client.post(url, _form(pair, next="https://evil.example/"))
    assert response.status_code == 302 and response["Location"] == QUEUE
    dismissal = Dismissal.objects.get()
    assert (dismissal.claim, dismissal.dismissed_by) == (pair.claim, annotator)
    assert (dismissal.start, dismissal.end) == (pair.passage.start, pair.passage.end)
    assert not pending_pairs().filter(pk=pair.pk).exists()


@pytest.mark.parametrize("role", ["reviewer", None])
def test_without_the_annotator_role_the_page_and_its_forms_are_refused(filled, role):
    client = Client()
    client.force_login(make_user(role))
    page = client.get(QUEUE)
    assert page.status_code == 403 and ERROR_NOT_TRIAGER in page.content.decode()
    pair = _first_pair()
    for name in ("counterpart", "dismiss"):
        url = reverse(f"suggestions:{name}", args=[pair.claim.public_id])
        assert client.post(url, _form(pair)).status_code == 403
    assert client.post(reverse("suggestions:refresh")).status_code == 403
    assert Claim.objects.count() == 2 and not Dismissal.objects.exists()
    assert not Job.objects.exclude(requested_by__username__startswith="annotator").exists()


def test_signed_out_visitors_are_sent_to_sign_in_and_gets_are_not_writes(annotator_client, filled):
    pair = _first_pair()
    url = reverse("suggestions:counterpart", args=[pair.claim.public_id])
    response = Client().post(url, _form(pair))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert annotator_client.get(url).status_code == 405
    assert annotator_client.post(QUEUE).status_code == 405
    assert Claim.objects.count() == 2


def test_editors_index_the_documents_not_yet_indexed(
    editor_client, annotator_client, filled, django_capture_on_commit_callbacks
):
    make_document("Unindexed\n\nA text nobody indexed yet.")
    page = editor_client.get(QUEUE).content.decode()
    assert re.search(r"Index 1 document not yet indexed", page)
    assert "not yet indexed" not in annotator_client.get(QUEUE).content.decode()

    refused = annotator_client.post(reverse("suggestions:index"))
    assert refused.status_code == 403 and ERROR_NOT_INDEXER in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("suggestions:index"))
    job = Job.objects.get(kind=index_documents.name)
    assert response["Location"] == f"{QUEUE}?job={job.public_id}"
    assert job.label == "Index 1 document for suggestions" and job.state == "done", job.error
    assert "not yet indexed" not in editor_client.get(response["Location"]).content.decode()


def test_a_claim_already_in_the_passage_is_shown_and_linked(annotator_client, filled):
    pair = _first_pair()
    passage = pair.passage
    text = passage.document.text
    word = text[passage.start : passage.end].split()[1]
    start = text.index(word, passage.start)
    there = make_claim(passage.document, start=start, end=start + len(word), statement="There.")
    page = annotator_client.get(QUEUE).content.decode()
    assert "A claim there already:" in page and "Links the claim already there." in page
    assert f'name="start" value="{there.start}"' in page

    form = _form(pair, start=there.start, end=there.end, statement="There.")
    annotator_client.post(reverse("suggestions:counterpart", args=[pair.claim.public_id]), form)
    link = ClaimLink.objects.get()
    assert {link.left, link.right} == {pair.claim, there}
    assert Claim.objects.count() == 3  # the two claims of the corpus and the one there
