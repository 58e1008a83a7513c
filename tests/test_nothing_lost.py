"""Nothing is lost by a delete: a source or document that others depend on is refused with
a reason an editor can act on (single delete, bulk delete, and a delete that loses a race),
and deleted claims, links and evidence come back from the history as they were."""

from types import SimpleNamespace

import pytest
from django.contrib.admin import options as admin_options
from django.urls import reverse

from claims.errors import ClaimError
from claims.models import Claim, ClaimLink, Evidence, Review
from claims.restores import (
    ERROR_EVIDENCE_CLAIM_GONE,
    ERROR_EVIDENCE_LINK_GONE,
    ERROR_NOT_DELETED,
    ERROR_PASSAGE_DOCUMENT_GONE,
    claim_restore,
    evidence_restore,
    link_restore,
)
from claims.services import claim_delete, evidence_delete, link_delete
from corpus.deletion import (
    ERROR_DOCUMENT_IN_USE,
    ERROR_IN_USE_MEANWHILE,
    ERROR_MORE_IN_USE,
    ERROR_SOURCE_IN_USE,
    MAX_NAMED,
    WARNING_TEXT_NOT_KEPT,
    delete_refusal,
    delete_refusals,
)
from corpus.models import Document, Source
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db


def delete_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def corpus(db):
    """A source with two documents; one has a claim, the other is cited as a passage."""
    annotator = make_user("annotator")
    source = make_source(name="Daily Planet")
    claimed = make_document("Metropolis had 12 bridges.", source=source, title="Bridges")
    cited = make_document("The mayor counted 9 bridges.", source=source, title="Count")
    claim = make_claim(claimed, quote="12 bridges", user=annotator)
    passage = make_evidence(
        claim, kind="passage", document=cited, start=18, end=27, quote="9 bridges", user=annotator
    )
    return SimpleNamespace(
        annotator=annotator, source=source, claimed=claimed, cited=cited, claim=claim,
        passage=passage,
    )  # fmt: skip


# --- Sources and documents in use --------------------------------------------------------


def test_the_refusal_names_what_is_in_the_way(corpus):
    assert delete_refusal(corpus.source) == ERROR_SOURCE_IN_USE.format(
        name="Daily Planet", documents="2 documents"
    )
    assert delete_refusal(corpus.claimed) == ERROR_DOCUMENT_IN_USE.format(
        title="Bridges", dependents="1 claim"
    )
    assert delete_refusal(corpus.cited) == ERROR_DOCUMENT_IN_USE.format(
        title="Count", dependents="1 evidence passage"
    )
    make_claim(corpus.cited, quote="mayor", user=corpus.annotator)
    assert delete_refusal(corpus.cited) == ERROR_DOCUMENT_IN_USE.format(
        title="Count", dependents="1 claim and 1 evidence passage"
    )
    assert delete_refusal(make_document()) is None
    assert delete_refusal(make_source()) is None


def test_a_bulk_refusal_names_the_first_ones_and_counts_the_rest(db):
    sources = [make_document().source for _ in range(MAX_NAMED + 2)]
    refusals = delete_refusals(sources)
    assert len(refusals) == MAX_NAMED + 1
    assert refusals[-1] == ERROR_MORE_IN_USE.format(count=2)


def test_an_editor_is_told_why_a_source_with_documents_stays(editor_client, corpus):
    reason = delete_refusal(corpus.source)
    page = editor_client.get(delete_url(corpus.source))
    assert page.status_code == 200
    assert reason in messages_of(page)
    assert "Bridges" in page.content.decode()  # Django's list of what is in the way

    response = editor_client.post(delete_url(corpus.source), {"post": "yes"})
    assert response.status_code == 200
    assert reason in messages_of(response)
    assert Source.objects.filter(pk=corpus.source.pk).exists()


@pytest.mark.parametrize("which", ["claimed", "cited"])
def test_an_editor_is_told_why_a_document_in_use_stays(editor_client, corpus, which):
    document = getattr(corpus, which)
    response = editor_client.post(delete_url(document), {"post": "yes"})
    assert response.status_code == 200
    assert delete_refusal(document) in messages_of(response)
    assert Document.objects.filter(pk=document.pk).exists()
    assert Claim.objects.filter(pk=corpus.claim.pk).exists()
    assert Evidence.objects.filter(pk=corpus.passage.pk).exists()


@pytest.mark.parametrize("model", [Source, Document])
def test_bulk_delete_is_refused_whole_with_the_reasons(editor_client, corpus, model):
    unused = make_document(source=make_source())
    used = corpus.source if model is Source else corpus.claimed
    spare = unused.source if model is Source else unused
    response = editor_client.post(
        changelist(model),
        {"action": "delete_selected", "_selected_action": [used.pk, spare.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert delete_refusal(used) in messages_of(response)
    assert model.objects.filter(pk=used.pk).exists()
    assert model.objects.filter(pk=spare.pk).exists()  # all or nothing


def test_deleting_an_unused_document_warns_that_its_text_is_not_kept(editor_client):
    document = make_document()
    page = editor_client.get(delete_url(document))
    assert WARNING_TEXT_NOT_KEPT in messages_of(page)
    assert editor_client.post(delete_url(document), {"post": "yes"}).status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert Document.history.filter(id=document.pk, history_type="-").exists()


@pytest.fixture
def blind_confirmation(monkeypatch):
    """The confirmation page sees nothing in the way, as when a claim is made on the
    document between the check and the delete."""
    monkeypatch.setattr(
        admin_options, "get_deleted_objects", lambda objs, request, site: ([], {}, set(), [])
    )


def test_a_delete_refused_by_the_database_meanwhile_is_a_message(
    editor_client, corpus, blind_confirmation
):
    response = editor_client.post(delete_url(corpus.claimed), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    message = ERROR_IN_USE_MEANWHILE.format(reasons=delete_refusal(corpus.claimed))
    assert message in messages_of(response)
    assert Document.objects.filter(pk=corpus.claimed.pk).exists()

    response = editor_client.post(
        changelist(Source),
        {"action": "delete_selected", "_selected_action": [corpus.source.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    message = ERROR_IN_USE_MEANWHILE.format(reasons=delete_refusal(corpus.source))
    assert message in messages_of(response)
    assert Source.objects.filter(pk=corpus.source.pk).exists()


def test_no_page_outside_the_admin_deletes_a_document(editor_client, corpus):
    url = reverse("claims:document", args=[corpus.claimed.pk])
    assert editor_client.delete(url).status_code == 405
    assert editor_client.post(url, {"delete": "1"}).status_code == 405
    assert Document.objects.filter(pk=corpus.claimed.pk).exists()


# --- Deleted evidence, and everything restored as it was ---------------------------------


def deletion_record(model, pk):
    return model.history.get(id=pk, history_type="-")


def test_deleted_evidence_comes_back_with_its_ids_content_and_version(corpus):
    editor = make_user("editor")
    evidence = corpus.passage
    before = Evidence.objects.values().get(pk=evidence.pk)
    evidence_delete(evidence=evidence, version=evidence.version, user=corpus.annotator)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()

    restored = evidence_restore(record=deletion_record(Evidence, evidence.pk), user=editor)
    assert Evidence.objects.values().get(pk=restored.pk) == before
    creation = Evidence.history.filter(id=evidence.pk).order_by("-history_id").first()
    assert (creation.history_type, creation.history_user) == ("+", editor)


def test_evidence_on_a_link_comes_back_once_the_link_does(db):
    author = make_user("annotator")
    link = make_link(user=author)
    evidence = make_evidence(link=link, kind="url", user=author)
    link_delete(link=link, version=link.version, user=author, confirm=True)
    record = deletion_record(Evidence, evidence.pk)

    with pytest.raises(ClaimError) as caught:
        evidence_restore(record=record, user=author)
    assert str(caught.value) == ERROR_EVIDENCE_LINK_GONE

    link_restore(record=deletion_record(ClaimLink, link.pk), user=author)
    restored = evidence_restore(record=record, user=author)
    assert (restored.public_id, restored.link_id, restored.url) == (
        evidence.public_id, link.pk, "https://example.com/report",
    )  # fmt: skip
    with pytest.raises(ClaimError) as caught:
        evidence_restore(record=record, user=author)
    assert str(caught.value) == ERROR_NOT_DELETED.format(thing="evidence")


def test_evidence_on_a_claim_waits_for_the_claim(corpus):
    record_claim = corpus.claim
    claim_delete(claim=record_claim, version=1, user=corpus.annotator, confirm=True)
    record = deletion_record(Evidence, corpus.passage.pk)
    with pytest.raises(ClaimError) as caught:
        evidence_restore(record=record, user=corpus.annotator)
    assert str(caught.value) == ERROR_EVIDENCE_CLAIM_GONE

    claim_restore(record=deletion_record(Claim, record_claim.pk), user=corpus.annotator)
    assert evidence_restore(record=record, user=corpus.annotator).claim_id == record_claim.pk


def test_a_passage_whose_document_is_gone_cannot_come_back(corpus):
    evidence_delete(evidence=corpus.passage, version=1, user=corpus.annotator)
    Document.objects.filter(pk=corpus.cited.pk).delete()  # nothing else points into it
    with pytest.raises(ClaimError) as caught:
        evidence_restore(record=deletion_record(Evidence, corpus.passage.pk), user=None)
    assert str(caught.value) == ERROR_PASSAGE_DOCUMENT_GONE


def test_a_restored_link_brings_back_the_reviews_deleted_with_it(db):
    author = make_user("annotator")
    link = make_link(user=author)
    first = make_review(link, "rejected")
    make_review(link, "confirmed", user=first.reviewer)  # replaces the first verdict
    other = make_review(link, "rejected")
    link.refresh_from_db()
    reviews = list(Review.objects.filter(link=link).order_by("pk").values())
    assert len(reviews) == 3 and link.review_state == "disputed"

    link_delete(link=link, version=link.version, user=author, confirm=True)
    assert not Review.objects.filter(pk=other.pk).exists()
    restored = link_restore(record=deletion_record(ClaimLink, link.pk), user=author)

    assert list(Review.objects.filter(link=link).order_by("pk").values()) == reviews
    restored.refresh_from_db()
    assert restored.review_state == "disputed"


def test_restored_claims_links_and_evidence_keep_their_dates(db):
    author = make_user("annotator")
    link = make_link(user=author)
    claim = link.left
    evidence = make_evidence(claim, user=author)
    rows = {
        model: model.objects.values("created_at", "updated_at").get(pk=obj.pk)
        for model, obj in ((Claim, claim), (ClaimLink, link), (Evidence, evidence))
    }
    claim_delete(claim=claim, version=claim.version, user=make_user("editor"), confirm=True)
    claim_restore(record=deletion_record(Claim, claim.pk), user=author)
    link_restore(record=deletion_record(ClaimLink, link.pk), user=author)
    evidence_restore(record=deletion_record(Evidence, evidence.pk), user=author)
    for model, obj in ((Claim, claim), (ClaimLink, link), (Evidence, evidence)):
        assert model.objects.values("created_at", "updated_at").get(pk=obj.pk) == rows[model]


def test_restored_evidence_answers_a_needs_evidence_verdict_as_before(db):
    author = make_user("annotator")
    link = make_link(user=author)
    make_review(link, "needs_evidence")
    evidence = make_evidence(link=link, user=author)
    link.refresh_from_db()
    answered = link.review_state
    evidence_delete(evidence=evidence, version=1, user=author)
    link.refresh_from_db()
    assert link.review_state == "needs_evidence"

    evidence_restore(record=deletion_record(Evidence, evidence.pk), user=author)
    link.refresh_from_db()
    assert link.review_state == answered != "needs_evidence"


def test_an_editor_restores_deleted_evidence_from_the_admin(editor_client, corpus):
    evidence_delete(evidence=corpus.passage, version=1, user=corpus.annotator)
    url = reverse("admin:claims_historicalevidence_changelist")
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "9 bridges" in page.content.decode()
    assert "Deleted evidence: select to restore" in page.content.decode()

    record = deletion_record(Evidence, corpus.passage.pk)
    response = editor_client.post(
        url, {"action": "restore_selected", "_selected_action": [record.pk]}, follow=True
    )
    assert "Restored 1 evidence item." in messages_of(response)
    assert Evidence.objects.get(pk=corpus.passage.pk).public_id == corpus.passage.public_id
    assert "9 bridges" not in editor_client.get(url).content.decode()


def test_a_refused_evidence_restore_is_a_message_in_the_admin(editor_client, corpus):
    claim_delete(claim=corpus.claim, version=1, user=corpus.annotator, confirm=True)
    record = deletion_record(Evidence, corpus.passage.pk)
    response = editor_client.post(
        reverse("admin:claims_historicalevidence_changelist"),
        {"action": "restore_selected", "_selected_action": [record.pk]},
        follow=True,
    )
    assert f"evidence #{corpus.passage.pk}: {ERROR_EVIDENCE_CLAIM_GONE}" in messages_of(response)
    assert not Evidence.objects.filter(pk=corpus.passage.pk).exists()


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_only_editors_see_deleted_evidence(client, role):
    client.force_login(make_user(role, is_staff=True))
    response = client.get(reverse("admin:claims_historicalevidence_changelist"))
    assert response.status_code in (302, 403)  # the admin's sign-in page, or refused
