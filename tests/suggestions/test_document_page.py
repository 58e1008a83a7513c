"""The counterparts panel on the document page (suggestions.document_page), registered through
claims.extensions: its script, and the addresses and rights it is handed."""

import json
import re

import pytest

from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def page_config(client, user, document) -> dict:
    client.force_login(user)
    html = client.get(document.get_absolute_url()).content.decode()
    assert '<script type="module" src="/static/suggestions/counterparts.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/suggestions/counterparts.css">' in html
    found = re.search(
        r'<script id="suggestions-config" type="application/json">(.*?)</script>', html
    )
    assert found
    return json.loads(found.group(1))


def test_an_annotator_gets_the_endpoints_and_may_act(client):
    document = make_document("A text.")
    config = page_config(client, make_user("annotator"), document)
    assert config["selectionUrl"] == f"/api/documents/{document.pk}/suggestions/"
    zero = config["idPlaceholder"]
    assert config["claimUrl"] == f"/api/claims/{zero}/suggestions/"
    assert config["counterpartsUrl"] == f"/api/claims/{zero}/counterparts/"
    assert config["dismissUrl"] == f"/api/claims/{zero}/suggestions/dismiss/"
    assert config["linksUrl"] == f"/api/claims/{zero}/links/"
    assert config["canTriage"] is True


def test_a_reader_sees_suggestions_but_may_not_act(client):
    config = page_config(client, make_user(), make_document("A text."))
    assert config["canTriage"] is False
