"""The upload page: who may upload, what is refused, and what is stored."""

import re
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from corpus import text
from corpus.forms import ERROR_BOTH_SOURCES, ERROR_NO_SOURCE, ERROR_TOO_MANY_FILES
from corpus.models import Document, Source
from corpus.services import ERROR_DUPLICATE, ERROR_TOO_LARGE
from tests.factories import make_document, make_source

pytestmark = pytest.mark.django_db
URL = reverse("corpus:upload")


def upload(client, content: bytes, name: str = "doc.txt", **fields):
    data = {"language": "en", "new_source_kind": "news", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(URL, data)


def test_an_annotator_uploads_a_document_of_an_existing_source(annotator_client, annotator):
    source = make_source()
    response = upload(annotator_client, b"A title\n\nThe body.", source=source.pk)
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()
    assert (document.source, document.title, document.imported_by) == (source, "A title", annotator)
    page = annotator_client.get(response["Location"])
    assert "Imported “A title”." in page.content.decode()


def test_an_editor_uploads_with_a_new_source(editor_client):
    response = upload(
        editor_client, b"Text", new_source_name="Pravda", new_source_kind="news",
        new_source_author="Editorial board", new_source_date="1934-12",
    )  # fmt: skip
    assert response.status_code == 302
    source = Source.objects.get()
    assert (source.name, source.slug, source.kind, source.date) == (
        "Pravda", "pravda", "news", "1934-12",
    )  # fmt: skip
    assert Document.objects.get().source == source


def test_the_form_shows_on_get(annotator_client):
    response = annotator_client.get(URL)
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


def test_anonymous_users_are_sent_to_sign_in():
    response = Client().post(URL, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("client_fixture", ["no_role_client", "reviewer_client"])
def test_users_without_the_annotator_or_editor_role_cannot_upload(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    assert client.get(URL).status_code == 403
    response = upload(client, b"Text", source=make_source().pk)
    assert response.status_code == 403
    assert Document.objects.count() == 0


def test_other_methods_are_refused(annotator_client):
    assert annotator_client.put(URL).status_code == 405


def test_a_post_without_a_csrf_token_is_refused(annotator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    response = upload(client, b"Text", source=make_source().pk)
    assert response.status_code == 403
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "The submitted file is empty."),
        (b"  \n  ", "blank.txt", text.ERROR_BLANK),
        ("\u200b \u200d\n\u2060".encode(), "invisible.txt", text.ERROR_INVISIBLE),
        (b"\x00\x01binary\x02", "data.txt", text.ERROR_BINARY),
        ("Fran\xe7ais".encode("latin-1"), "latin1.txt", "Crosscheck expects UTF-8"),
        (b"MZ\x90\x00", "program.exe", "Crosscheck imports plain text (.txt)"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(
    annotator_client, content, name, message
):
    response = upload(annotator_client, content, name, new_source_name="New source")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Document.objects.count() == 0
    assert Source.objects.count() == 0, "a refused upload keeps no new source either"


def test_a_file_over_the_limit_is_refused(annotator_client, settings):
    settings.CROSSCHECK_MAX_UPLOAD_BYTES = 10
    response = upload(annotator_client, b"x" * 11, source=make_source().pk)
    assert ERROR_TOO_LARGE.format(size="11\xa0bytes", limit="10\xa0bytes") in (
        response.content.decode()
    )
    assert Document.objects.count() == 0


def test_a_duplicate_is_refused_naming_the_existing_document(annotator_client):
    existing = make_document("Already here")
    response = upload(annotator_client, b"Already here", source=existing.source.pk)
    message = ERROR_DUPLICATE.format(title=existing.title, source=existing.source, pk=existing.pk)
    assert message in response.content.decode()
    assert Document.objects.count() == 1


def test_a_source_must_be_chosen_or_named_but_not_both(annotator_client):
    response = upload(annotator_client, b"Text")
    assert ERROR_NO_SOURCE in response.content.decode()
    response = upload(annotator_client, b"Text", source=make_source().pk, new_source_name="Another")
    assert ERROR_BOTH_SOURCES in response.content.decode()
    assert Document.objects.count() == 0


def test_a_bad_new_source_date_is_explained(annotator_client):
    response = upload(annotator_client, b"Text", new_source_name="X", new_source_date="winter")
    assert "Give a year (1934)" in response.content.decode()
    assert Source.objects.count() == 0


def test_a_new_source_named_in_another_script_gets_a_readable_slug(annotator_client):
    upload(annotator_client, b"Text one", new_source_name="Правда")
    upload(annotator_client, b"Text two", new_source_name="Правда")
    source = Source.objects.get()
    assert source.slug == "правда"
    assert source.documents.count() == 2, "the same name reuses the source"


def test_a_new_source_name_without_letters_still_gets_a_slug(annotator_client):
    upload(annotator_client, b"Text", new_source_name="???")
    assert Source.objects.get().slug.startswith("source-")


def csrf_client(user) -> tuple[Client, str]:
    """A client that, like a browser, must send the form's security token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(URL).content.decode()
    return client, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("count", [101, 250])
def test_more_files_than_a_request_takes_get_the_form_and_a_message(annotator, count):
    client, token = csrf_client(annotator)
    files = [SimpleUploadedFile(f"doc{n}.txt", f"Text {n}".encode()) for n in range(count)]
    data = {"csrfmiddlewaretoken": token, "language": "en", "new_source_kind": "news"}
    response = client.post(URL, data | {"new_source_name": "New source", "file": files})
    assert response.status_code == 400
    content = response.content.decode()
    assert escape(ERROR_TOO_MANY_FILES.format(limit=100)) in content
    assert 'type="file"' in content and 'name="csrfmiddlewaretoken"' in content
    assert Document.objects.count() == 0
    assert Source.objects.count() == 0


def test_a_hundred_files_are_refused_by_the_form_and_the_token_is_still_checked(annotator):
    client, token = csrf_client(annotator)

    def files():
        return [SimpleUploadedFile(f"doc{n}.txt", f"Text {n}".encode()) for n in range(100)]

    data = {"language": "en", "new_source_kind": "news", "source": make_source().pk}
    assert client.post(URL, data | {"file": files()}).status_code == 403
    response = client.post(URL, data | {"csrfmiddlewaretoken": token, "file": files()})
    assert response.status_code == 200
    assert "this request carried 100 files" in response.content.decode()
    assert Document.objects.count() == 0
