"""Writes to the corpus. ``document_import`` is the only way a document's text gets in."""

from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify

from corpus import text as text_utils
from corpus.models import Document, Source
from corpus.signals import document_imported

ERROR_TOO_LARGE = "The file is {size}; the largest file Crosscheck accepts is {limit}."
ERROR_DUPLICATE = (
    "This text is already in the corpus as “{title}” (source: {source}, document #{pk}). "
    "Nothing was imported."
)
ERROR_UNSUPPORTED = (
    "Crosscheck imports plain text (.txt), Markdown (.md) and HTML (.html, .htm) files; "
    "“{name}” is none of these."
)

FORMATS_BY_SUFFIX = {
    ".txt": Document.Format.TEXT,
    ".text": Document.Format.TEXT,
    ".md": Document.Format.MARKDOWN,
    ".markdown": Document.Format.MARKDOWN,
    ".html": Document.Format.HTML,
    ".htm": Document.Format.HTML,
}


class DocumentImportError(ValueError):
    """A document that cannot be imported; the message says why, for a person."""


def format_for_filename(filename: str) -> str:
    """The document format a file name's ending stands for, or a clear refusal."""
    suffix = PurePath(filename).suffix.lower()
    try:
        return FORMATS_BY_SUFFIX[suffix]
    except KeyError:
        raise DocumentImportError(ERROR_UNSUPPORTED.format(name=clean_filename(filename))) from None


def clean_filename(filename: str) -> str:
    """The last part of a path, shortened: what we store and show of an uploaded name."""
    return PurePath(filename.replace("\\", "/")).name[:255]


def check_size(size: int) -> None:
    limit = settings.CROSSCHECK_MAX_UPLOAD_BYTES
    if size > limit:
        raise DocumentImportError(
            ERROR_TOO_LARGE.format(size=filesizeformat(size), limit=filesizeformat(limit))
        )


def find_duplicate(checksum: str) -> Document | None:
    return Document.objects.select_related("source").defer("text").filter(checksum=checksum).first()


def duplicate_error(existing: Document) -> DocumentImportError:
    return DocumentImportError(
        ERROR_DUPLICATE.format(title=existing.title, source=existing.source, pk=existing.pk)
    )


def document_import(
    *,
    source: Source,
    data: bytes,
    filename: str,
    user: User | None,
    title: str = "",
    language: str = Document.Language.ENGLISH,
) -> Document:
    """Decode → normalise → refuse duplicates → save. Raises ``DocumentImportError``.

    ``title`` defaults to the HTML ``<title>`` or the text's first line."""
    check_size(len(data))
    doc_format = format_for_filename(filename)
    try:
        content = text_utils.decode(data)
        html_title = ""
        if doc_format == Document.Format.HTML:
            html_title, content = text_utils.html_to_text(content)
        content = text_utils.require_text(text_utils.normalise(content))
    except text_utils.TextError as error:
        raise DocumentImportError(str(error)) from None

    digest = text_utils.checksum(content)
    existing = find_duplicate(digest)
    if existing is not None:
        raise duplicate_error(existing)

    title = " ".join(title.split()) or html_title or text_utils.first_line(content)
    document = Document(
        source=source,
        title=title[:300],
        text=content,
        language=language,
        checksum=digest,
        original_filename=clean_filename(filename),
        original_format=doc_format,
        imported_by=user,
    )
    document.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Someone imported the same text between our check and our insert.
        existing = find_duplicate(digest)
        if existing is None:
            raise
        raise duplicate_error(existing) from None
    transaction.on_commit(
        lambda: document_imported.send(sender=Document, document=document, user=user)
    )
    return document


def source_get_or_create(
    *,
    name: str,
    kind: str,
    author: str = "",
    publisher: str = "",
    date: str = "",
    url: str = "",
    notes: str = "",
    slug: str = "",
) -> tuple[Source, bool]:
    """The source with this slug (derived from the name when not given), created if new.

    An existing source is returned unchanged: curating it is the editors' job."""
    slug = (
        slug
        or slugify(name, allow_unicode=True)[:200]
        or f"source-{text_utils.checksum(name)[:12]}"
    )
    source = Source.objects.filter(slug=slug).first()
    if source is not None:
        return source, False
    source = Source(
        name=name, slug=slug, kind=kind, author=author, publisher=publisher, date=date, url=url,
        notes=notes,
    )  # fmt: skip
    source.full_clean()
    source.save()
    return source, True
