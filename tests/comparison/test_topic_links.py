"""Topics on the claims pages link to the comparison app's topic page through the
extension point of ``claims`` (``claims.extensions.register_topic_url``), which the
comparison app registers: ``claims`` itself names no URL of an app above it."""

import json
import re

import pytest
from django.urls import reverse

from claims import extensions
from comparison.map_views import topic_page_url
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    return make_claim(make_document("Kirov was shot in Leningrad."), topics=["Kirov / 1934"])


@pytest.fixture
def unregistered():
    """No app registers a topic page (as if the comparison app were not installed)."""
    extensions.register_topic_url(None)
    yield
    extensions.register_topic_url(topic_page_url)


def annotate_config(response) -> dict:
    found = re.search(r'<script id="annotate-config" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)  # fmt: skip
    assert found, "the page hands its config to the script"
    return json.loads(found.group(1))


def test_the_comparison_app_registers_its_topic_page():
    assert extensions.topic_url("Kirov / 1934") == reverse(
        "comparison:topic", args=["Kirov / 1934"]
    )


def test_the_claims_list_links_each_topic_to_its_page(reviewer_client, claim):
    html = reviewer_client.get(reverse("claims:list")).content.decode()

    page = reverse("comparison:topic", args=["Kirov / 1934"])
    assert f'<a class="topic" href="{page}"' in html
    assert reviewer_client.get(page).status_code == 200


def test_the_claim_cards_get_the_topic_page_address(reviewer_client, claim):
    config = annotate_config(
        reviewer_client.get(reverse("claims:document", args=[claim.document_id]))
    )

    address = config["topicUrl"].replace(config["idPlaceholder"], "Kirov")
    assert address == reverse("comparison:topic", args=["Kirov"])


def test_without_a_topic_page_topics_are_plain_text(reviewer_client, claim, unregistered):
    html = reviewer_client.get(reverse("claims:list")).content.decode()
    config = annotate_config(
        reviewer_client.get(reverse("claims:document", args=[claim.document_id]))
    )

    assert '<span class="topic">Kirov / 1934</span>' in html
    assert 'class="topic" href' not in html
    assert config["topicUrl"] is None
