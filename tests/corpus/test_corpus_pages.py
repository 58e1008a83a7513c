"""The corpus pages: documents and sources lists with filters, and the document page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_document, make_source

pytestmark = pytest.mark.django_db

DOCUMENTS = reverse("corpus:documents")
SOURCES = reverse("corpus:sources")


@pytest.fixture
def corpus():
    pravda = make_source(name="Pravda", kind="news")
    encyclopedia = make_source(name="Encyclopedia", kind="encyclopedia", author="Editors")
    return {
        "kirov": make_document("Kirov was shot in December 1934.", source=pravda, title="Kirov"),
        "trials": make_document(
            "Les procès de Moscou.", source=encyclopedia, title="Procès", language="fr"
        ),
        "exile": make_document("Trotsky was exiled in 1929.", source=pravda, title="Exile"),
    }


def titles(response) -> list[str]:
    return [document.title for document in response.context["page"]]


@pytest.mark.parametrize(
    "url",
    [DOCUMENTS, SOURCES, reverse("corpus:upload"), reverse("claims:document", args=[1]), "/"],
)
def test_every_page_requires_sign_in(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_documents_list_shows_titles_sources_and_sizes(reviewer_client, corpus):
    response = reviewer_client.get(DOCUMENTS)
    page = response.content.decode()
    assert sorted(titles(response)) == ["Exile", "Kirov", "Procès"]
    assert f'<td class="num">{len(corpus["kirov"].text)}</td>' in page
    assert "Pravda" in page and "Encyclopedia" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "kir"}, ["Kirov"]),
        ({"kind": "encyclopedia"}, ["Procès"]),
        ({"language": "fr"}, ["Procès"]),
        ({"kind": "news", "q": "ex"}, ["Exile"]),
    ],
)
def test_the_documents_list_filters(reviewer_client, corpus, params, expected):
    assert titles(reviewer_client.get(DOCUMENTS, params)) == expected


def test_the_documents_list_filters_by_source(reviewer_client, corpus):
    response = reviewer_client.get(DOCUMENTS, {"source": corpus["kirov"].source.pk})
    assert titles(response) == ["Exile", "Kirov"]


def test_an_invalid_filter_value_is_explained_not_a_crash(reviewer_client, corpus):
    response = reviewer_client.get(DOCUMENTS, {"language": "klingon"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_documents_list_runs_the_same_queries_for_few_or_many_documents(reviewer_client):
    make_document()
    with CaptureQueriesContext(connection) as few:
        reviewer_client.get(DOCUMENTS)
    for _ in range(10):
        make_document()
    with CaptureQueriesContext(connection) as many:
        reviewer_client.get(DOCUMENTS)
    assert len(many) == len(few)


def test_the_documents_list_does_not_load_document_texts(reviewer_client, corpus):
    with CaptureQueriesContext(connection) as queries:
        reviewer_client.get(DOCUMENTS)
    listing = [q["sql"] for q in queries if 'FROM "corpus_document"' in q["sql"]]
    assert listing and all('"corpus_document"."text",' not in sql for sql in listing)


def test_the_sources_list_counts_documents_and_filters(reviewer_client, corpus):
    response = reviewer_client.get(SOURCES)
    counts = {source.name: source.document_count for source in response.context["page"]}
    assert counts == {"Encyclopedia": 1, "Pravda": 2}
    response = reviewer_client.get(SOURCES, {"q": "editors"})
    assert [source.name for source in response.context["page"]] == ["Encyclopedia"]
    response = reviewer_client.get(SOURCES, {"kind": "news"})
    assert [source.name for source in response.context["page"]] == ["Pravda"]


def test_the_document_page_shows_the_text_in_paragraphs_with_source_metadata(reviewer_client):
    source = make_source(name="Socialist Appeal", author="Rob Sewell", date="2000-03")
    document = make_document("Title\n\nFirst <b>para</b>.\n\nSecond para.", source=source)
    page = reviewer_client.get(document.get_absolute_url()).content.decode()
    assert '<p data-start="0">Title</p>' in page
    assert '<p data-start="7">First &lt;b&gt;para&lt;/b&gt;.</p>' in page
    assert "Rob Sewell" in page and "2000-03" in page and "Socialist Appeal" in page
    assert document.checksum in page


def test_an_unknown_document_is_a_404(reviewer_client):
    assert reviewer_client.get(reverse("claims:document", args=[999999])).status_code == 404


def test_the_list_pages_refuse_post(reviewer_client):
    assert reviewer_client.post(DOCUMENTS).status_code == 405
