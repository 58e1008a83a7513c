"""The admin's counts link to the lists they count (crosscheck.admin.changelist_url), and
its pages name what they list in plural."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from claims.models import Claim, ClaimLink, Evidence, Topic
from crosscheck.admin import changelist_url
from tests.factories import make_claim, make_document, make_source

pytestmark = pytest.mark.django_db


def test_changelist_url_is_the_admin_list_with_the_filters_as_its_query():
    assert changelist_url(Claim) == "/admin/claims/claim/"
    url = changelist_url(Claim, document__id__exact=7, topics__id__exact=3)
    assert url == "/admin/claims/claim/?document__id__exact=7&topics__id__exact=3"


def test_a_document_s_claim_count_links_to_its_claims(editor_client):
    document = make_document("One. Two. Three.")
    other = make_document("Elsewhere.")
    for quote in ("One.", "Two."):
        make_claim(document, quote=quote)
    make_claim(other, quote="Elsewhere.")
    page = editor_client.get(reverse("admin:corpus_document_change", args=[document.pk]))
    url = f"/admin/claims/claim/?document__id__exact={document.pk}"
    assert f'<a href="{escape(url)}">2 claims</a>' in page.content.decode()
    listed = editor_client.get(url).context["cl"].result_list
    assert {claim.document_id for claim in listed} == {document.pk} and len(listed) == 2

    single = make_document("Alone.")
    make_claim(single, quote="Alone.")
    page = editor_client.get(reverse("admin:corpus_document_change", args=[single.pk]))
    assert ">1 claim</a>" in page.content.decode()


def test_a_source_s_and_a_topic_s_counts_link_to_their_lists(editor_client):
    source = make_source(name="Daily Planet")
    make_document("Bridges.", source=source)
    make_claim(make_document("Tunnels."), quote="Tunnels.", topics=["Transport"])
    topic = Topic.objects.get(name="Transport")

    page = editor_client.get(reverse("admin:corpus_source_changelist")).content.decode()
    documents = escape(f"/admin/corpus/document/?source__id__exact={source.pk}")
    assert f'<a href="{documents}">1</a>' in page
    page = editor_client.get(reverse("admin:claims_topic_changelist")).content.decode()
    claims = escape(f"/admin/claims/claim/?topics__id__exact={topic.pk}")
    assert f'<a href="{claims}">1</a>' in page


@pytest.mark.parametrize(
    ("model", "title"),
    [
        (Claim, "Deleted claims: select to restore"),
        (ClaimLink, "Deleted claim links: select to restore"),
        (Evidence, "Deleted evidence: select to restore"),  # no "evidences"
    ],
)
def test_the_deleted_objects_pages_name_them_in_plural(editor_client, model, title):
    opts = model.history.model._meta
    page = editor_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert title in page.content.decode()
