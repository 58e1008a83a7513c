"""Writes to the corpus. ``document_import`` is the only way a document's text gets in."""

from collections.abc import Callable, Iterable
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


ERROR_SAME_TEXT = (
    "This text is identical to revision {revision} of “{title}”: a revision must correct "
    "something. Nothing was imported."
)
ERROR_NOT_CURRENT = (
    "Revision {revision} of “{title}” has already been corrected: upload your correction as a "
    "revision of the current text (revision {current}, document #{pk}). Nothing was imported."
)


class DocumentImportError(ValueError):
    """A document that cannot be imported; the message says why, for a person."""


class RevisionNotCurrent(DocumentImportError):
    """A revision of a text that a newer revision has already replaced."""


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


def _read_text(data: bytes, filename: str) -> tuple[str, str, str]:
    """Size → decode → (HTML to text) → normalise: the format, the HTML title and the text,
    or ``DocumentImportError``."""
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
    return doc_format, html_title, content


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
    doc_format, html_title, content = _read_text(data, filename)
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
    return _store(document, user)


def _store(
    document: Document, user: User | None, conflict: Callable[[], None] = lambda: None
) -> Document:
    """Save a new document, then tell the apps above once it is committed. A text stored by
    someone else between the checks and the insert is refused as a duplicate (after
    ``conflict()``, which may raise a refusal of its own)."""
    document.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        conflict()
        existing = find_duplicate(document.checksum)
        if existing is None:
            raise
        raise duplicate_error(existing) from None
    transaction.on_commit(
        lambda: document_imported.send(sender=Document, document=document, user=user)
    )
    return document


def current_revision(document: Document) -> Document:
    """The newest revision of ``document``'s text (``document`` itself when no correction
    has replaced it), its text unloaded. One query per later revision."""
    current = document
    while True:
        newer = Document.objects.defer("text").filter(previous=current).first()
        if newer is None:
            return current
        current = newer


def current_revisions(documents: Iterable[Document | None]) -> dict[int, Document]:
    """The current revision of each document's text (the document itself when no
    correction has replaced it), by the document's id; a later revision comes with only
    its id and number loaded. One query however many: the documents of their sources (a
    revision keeps its source), whose chains are walked here; none for no documents."""
    cited = [document for document in documents if document is not None]
    if not cited:
        return {}
    sources = {document.source_id for document in cited}
    # order_by(): the model orders by its source's name, a join this does not need.
    texts = Document.objects.filter(source_id__in=sources).only("previous", "revision")
    newer = {text.previous_id: text for text in texts.order_by() if text.previous_id}
    currents = {}
    for document in cited:
        current = document
        while current.pk in newer:
            current = newer[current.pk]
        currents[document.pk] = current
    return currents


def revision_history(document: Document) -> list[Document]:
    """Every revision of ``document``'s text, oldest first, texts unloaded. Two queries:
    the links between its source's documents, then the revisions themselves."""
    links = dict(
        Document.objects.filter(source_id=document.source_id).values_list("pk", "previous_id")
    )
    newer = {previous: pk for pk, previous in links.items() if previous is not None}
    first = document.pk
    while links.get(first) is not None:
        first = links[first]
    chain = [first]
    while chain[-1] in newer:
        chain.append(newer[chain[-1]])
    found = Document.objects.defer("text").select_related("source", "imported_by").in_bulk(chain)
    return [found[pk] for pk in chain]


def document_revise(
    *,
    document: Document,
    data: bytes,
    filename: str,
    user: User | None,
    title: str = "",
) -> Document:
    """A corrected text of ``document``, stored as its next revision: a new document of the
    same source and language, linked to it, with its own checksum. Refused with
    ``DocumentImportError`` as an import is (size, format, encoding, a text already in the
    corpus) and for an identical text; ``RevisionNotCurrent`` when ``document`` has already
    been corrected (also when someone else stores a revision of it first).

    Locks ``document``'s row (SELECT FOR UPDATE) until the caller's transaction ends, so
    two corrections of one text are taken in turn; the database's unique ``previous``
    refuses the second in any case. Sends ``document_imported`` once committed."""
    doc_format, html_title, content = _read_text(data, filename)
    digest = text_utils.checksum(content)
    with transaction.atomic():
        locked = Document.objects.select_for_update().defer("text").get(pk=document.pk)
        if digest == locked.checksum:
            raise DocumentImportError(
                ERROR_SAME_TEXT.format(revision=locked.revision, title=locked.title)
            )
        _require_current(locked)
        existing = find_duplicate(digest)
        if existing is not None:
            raise duplicate_error(existing)
        title = " ".join(title.split()) or html_title or locked.title
        revision = Document(
            source_id=locked.source_id,
            title=title[:300],
            text=content,
            language=locked.language,
            checksum=digest,
            original_filename=clean_filename(filename),
            original_format=doc_format,
            imported_by=user,
            previous=locked,
            revision=locked.revision + 1,
        )
        # A revision of the same text stored meanwhile is refused as not current.
        return _store(revision, user, conflict=lambda: _require_current(locked))


def _require_current(document: Document) -> None:
    if Document.objects.filter(previous=document).exists():
        current = current_revision(document)
        raise RevisionNotCurrent(
            ERROR_NOT_CURRENT.format(
                revision=document.revision, title=document.title, current=current.revision,
                pk=current.pk,
            )
        )  # fmt: skip


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
