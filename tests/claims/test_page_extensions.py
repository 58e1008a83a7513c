"""The document page's extension point (claims.extensions): what a feature app registers is
on the page, and nothing inline."""

import pytest

from claims.extensions import DocumentPagePart, _document_page_parts, register_document_page_part
from tests.factories import make_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def part():
    def config(request, document):
        return {"documentId": document.pk, "user": request.user.get_username()}

    added = DocumentPagePart(
        name="example",
        script="example/page.js",
        stylesheet="example/page.css",
        config=config,
        shortcuts=[(("q",), "do the example thing"), (("Ctrl + Q",), "undo it")],
    )
    register_document_page_part(added)
    yield added
    del _document_page_parts["example"]


def test_a_registered_part_is_on_the_document_page(client, part):
    document = make_document("A text.")
    client.force_login(make_user("annotator", username="ann"))
    html = client.get(document.get_absolute_url()).content.decode()
    assert '<script type="module" src="/static/example/page.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/example/page.css">' in html
    assert (
        f'<script id="example-config" type="application/json">'
        f'{{"documentId": {document.pk}, "user": "ann"}}</script>'
    ) in html
    assert "<dt><kbd>q</kbd></dt><dd>do the example thing</dd>" in html
    assert "<dt><kbd>Ctrl + Q</kbd></dt><dd>undo it</dd>" in html
    assert 'id="selection-parts"' in html


def test_registering_a_name_again_replaces_the_part(client, part):
    register_document_page_part(DocumentPagePart(name="example", script="example/other.js"))
    document = make_document("A text.")
    client.force_login(make_user("annotator"))
    html = client.get(document.get_absolute_url()).content.decode()
    assert "example/other.js" in html and "example/page.js" not in html
    assert '<script id="example-config" type="application/json">{}</script>' in html
