"""The document import service: the only way text enters the corpus."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from corpus import text
from corpus.models import Document
from corpus.services import (
    ERROR_DUPLICATE,
    ERROR_TOO_LARGE,
    ERROR_UNSUPPORTED,
    DocumentImportError,
    document_import,
)
from tests.factories import make_document, make_source

pytestmark = pytest.mark.django_db


def import_bytes(data: bytes, filename: str = "doc.txt", **kwargs) -> Document:
    return document_import(source=make_source(), data=data, filename=filename, user=None, **kwargs)


def test_it_stores_normalised_text_with_its_checksum_and_first_line_as_title(annotator):
    raw = "\ufeffCafe\u0301 report\r\n\r\nIt said 13 were shot.\r\n"
    document = document_import(
        source=make_source(), data=raw.encode(), filename="report.txt", user=annotator
    )
    document.refresh_from_db()
    assert document.text == "Café report\n\nIt said 13 were shot.\n"
    assert unicodedata.is_normalized("NFC", document.text)
    assert document.checksum == text.checksum(document.text)
    assert document.title == "Café report"
    assert document.imported_by == annotator
    assert document.original_filename == "report.txt"
    assert document.original_format == Document.Format.TEXT


def test_an_html_upload_is_stored_as_text_titled_by_its_title_element():
    html = (
        b"<html><head><title>Trial news</title><script>x()</script></head>"
        b"<body><p>One.</p><p>Two.</p></body></html>"
    )
    document = import_bytes(html, "news.html")
    assert document.text == "One.\n\nTwo."
    assert document.title == "Trial news"
    assert document.original_format == Document.Format.HTML


def test_a_given_title_wins_and_markdown_is_kept_as_written():
    document = import_bytes(b"# Heading\n\n*Claim* here.", "notes.md", title="  My   notes ")
    assert document.title == "My notes"
    assert document.text == "# Heading\n\n*Claim* here."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", text.ERROR_EMPTY),
        (b"   \n\r\n\t ", text.ERROR_BLANK),
        (b"\x00\x01\x02binary", text.ERROR_BINARY),
        ("Hello".encode("utf-16"), text.ERROR_UTF16),
        ("Fran\xe7ais".encode("latin-1"), text.ERROR_NOT_UTF8.format(position=4)),
        (b"<html><body><script>only()</script></body></html>", text.ERROR_BLANK),
    ],
)
def test_it_refuses_files_that_are_not_text_and_stores_nothing(data, message):
    filename = "page.html" if data.startswith(b"<html") else "doc.txt"
    with pytest.raises(DocumentImportError) as caught:
        import_bytes(data, filename)
    assert str(caught.value) == message
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        ("\u200b".encode(), "zero-width.txt"),
        ("\ufeff\u200b\u200c\n\u200d \u2060\ufeff\r\n".encode(), "joiners.txt"),
        (b"<html><body><p>&#8203;&zwnj;&nbsp;</p><p>&#x2060;</p></body></html>", "page.html"),
    ],
)
def test_it_refuses_a_file_of_only_invisible_characters_and_stores_nothing(data, filename):
    with pytest.raises(DocumentImportError) as caught:
        import_bytes(data, filename)
    assert str(caught.value) == text.ERROR_INVISIBLE
    assert Document.objects.count() == 0


def test_it_refuses_a_file_over_the_limit(settings):
    settings.CROSSCHECK_MAX_UPLOAD_BYTES = 100
    with pytest.raises(DocumentImportError) as caught:
        import_bytes(b"x" * 101)
    assert str(caught.value) == ERROR_TOO_LARGE.format(size="101\xa0bytes", limit="100\xa0bytes")
    assert Document.objects.count() == 0


def test_it_refuses_a_file_type_it_does_not_read():
    with pytest.raises(DocumentImportError) as caught:
        import_bytes(b"text", "../../evil.exe")
    assert str(caught.value) == ERROR_UNSUPPORTED.format(name="evil.exe")


def test_it_refuses_a_duplicate_naming_the_existing_document():
    first = make_document("Same text\n\nhere.")
    with pytest.raises(DocumentImportError) as caught:
        # The same text after normalisation: CRLF line ends and a BOM change nothing.
        import_bytes(b"\xef\xbb\xbfSame text\r\n\r\nhere.", "copy.txt")
    assert str(caught.value) == ERROR_DUPLICATE.format(
        title=first.title, source=first.source, pk=first.pk
    )
    assert Document.objects.count() == 1


def test_a_path_like_filename_is_stored_as_its_last_part_only():
    document = import_bytes(b"text", "../../" + "a" * 300 + ".txt")
    assert "/" not in document.original_filename
    assert len(document.original_filename) == 255


def test_the_database_refuses_a_second_document_with_the_same_checksum():
    first = make_document("Unique text")
    duplicate = Document(
        source=first.source, title="Copy", text=first.text, checksum=first.checksum
    )
    with pytest.raises(IntegrityError):
        duplicate.save()


def test_validation_refuses_text_changed_after_import():
    document = make_document("Original text")
    document.text = "Altered text"
    with pytest.raises(ValidationError) as caught:
        document.full_clean()
    assert "must not be changed" in str(caught.value)


def test_validation_refuses_text_that_is_not_normalised():
    document = make_document("Original text")
    document.text = "Original\r\ntext"
    document.checksum = text.checksum(document.text)
    with pytest.raises(ValidationError, match="not in normal form"):
        document.full_clean()
