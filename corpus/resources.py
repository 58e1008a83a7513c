"""Import and export of sources and documents in the admin (see crosscheck.resources).

A source is named by its slug, a document by its checksum. A document's row carries its
whole text, which must be exactly the text the checksum names, already normalised: an
import moves stored texts between Crosschecks, it never changes one (new texts enter
through the Upload page, which normalises them)."""

from django.core.exceptions import ValidationError
from tablib import Dataset

from corpus import text as text_utils
from corpus.models import Document, Source
from crosscheck.resources import (
    CrosscheckResource,
    key,
    moment,
    person,
    text,
)
from crosscheck.roles import ANNOTATOR
from crosscheck.spreadsheet import cell_pieces, neutralise, restore

ERROR_CHECKSUM = (
    "The text does not match its checksum: it was changed after export (a spreadsheet may "
    "have cut it: Excel keeps at most 32,767 characters in a cell). Export as CSV or JSON to "
    "move long texts."
)
ERROR_NOT_NORMALISED = (
    "The text is not in Crosscheck's normal form (NFC, \\n line ends): upload it as a file "
    "instead, which normalises it."
)
# The most characters a spreadsheet keeps in one cell (Excel's limit; openpyxl cuts longer
# text): a document's text is written in as many columns as it needs, text, text_2, text_3…
CELL_LIMIT = 32_767
TEXT_COLUMN = "text"


def _raise_invalid(instance, exclude=()) -> None:
    """The model's own validation, its messages keyed by column."""
    instance.full_clean(exclude=list(exclude), validate_unique=False)


class SourceResource(CrosscheckResource):
    slug = text("slug")
    name = text("name")
    kind = text("kind")
    author = text("author")
    publisher = text("publisher")
    date = text("date")
    url = text("url")
    notes = text("notes")
    created_at = moment("created_at")

    key_column = "slug"
    author_required = False  # a source records no author
    updatable = ("name", "kind", "author", "publisher", "date", "url", "notes")
    created_column = "created_at"

    class Meta(CrosscheckResource.Meta):
        model = Source
        fields = (
            "slug",
            "name",
            "kind",
            "author",
            "publisher",
            "date",
            "url",
            "notes",
            "created_at",
        )

    def build(self, instance: Source, values: dict, author) -> None:
        for name, value in values.items():
            if name != "created_at":
                setattr(instance, name, value)
        _raise_invalid(instance)
        if Source.objects.filter(slug=instance.slug).exists():  # only when the loader missed it
            raise ValidationError({"slug": "A source with this slug exists."})

    def apply_updates(self, instance: Source, values: dict) -> None:
        super().apply_updates(instance, values)
        _raise_invalid(instance, exclude=["slug"])


def _may_upload(user) -> bool:
    """Who may be credited with importing a document: who may upload one."""
    return user.has_perm("corpus.add_document")


class DocumentResource(CrosscheckResource):
    checksum = text("checksum")
    source = key("source", Source, "slug", "source")
    title = text("title")
    language = text("language")
    original_filename = text("original_filename")
    original_format = text("original_format")
    imported_by = person("imported_by")
    imported_at = moment("imported_at")
    text = text("text")

    key_column = "checksum"
    updatable = ("title", "language")
    required = ("source",)
    author_column = "imported_by"
    author_required = False  # documents imported by a command have no importer
    author_may, author_role = staticmethod(_may_upload), ANNOTATOR
    created_column = "imported_at"

    class Meta(CrosscheckResource.Meta):
        model = Document
        fields = (
            "checksum",
            "source",
            "title",
            "language",
            "original_filename",
            "original_format",
            "imported_by",
            "imported_at",
            "text",
        )
        # The preview compares no cells: a row's text can be hundreds of kilobytes.
        skip_diff = True

    def get_queryset(self):
        return Document.objects.select_related("source")

    def export(self, queryset=None, **kwargs) -> Dataset:
        """The rows, each text split into cells a spreadsheet keeps whole (``CELL_LIMIT``)."""
        dataset = super().export(queryset, **kwargs)
        if TEXT_COLUMN not in (dataset.headers or []):
            return dataset
        texts = [restore(cell) for cell in dataset[TEXT_COLUMN]]
        del dataset[TEXT_COLUMN]
        # Cut where the neutralised, XLSX-escaped cell still fits (control characters such
        # as a page's form feed take several characters there).
        parts = [cell_pieces(text, CELL_LIMIT) for text in texts]
        columns = max((len(cells) for cells in parts), default=1)
        for number in range(columns):
            header = TEXT_COLUMN if number == 0 else f"{TEXT_COLUMN}_{number + 1}"
            cells = [neutralise(cells[number]) if number < len(cells) else "" for cells in parts]
            dataset.append_col(cells, header=header)
        return dataset

    def before_import(self, dataset, **kwargs):
        """Join the text's continuation columns (text_2, text_3…) back into one text."""
        headers = dataset.headers or []
        continued = [h for h in headers if h and h.startswith(f"{TEXT_COLUMN}_")]
        if continued:
            columns = [TEXT_COLUMN, *sorted(continued, key=lambda h: int(h.rsplit("_", 1)[1]))]
            joined = [
                neutralise("".join(restore(str(row[h] or "")) for h in columns))
                for row in dataset.dict
            ]
            for header in columns:
                del dataset[header]
            dataset.append_col(joined, header=TEXT_COLUMN)
        super().before_import(dataset, **kwargs)

    def build(self, instance: Document, values: dict, author) -> None:
        body = values.get("text", "")
        try:
            text_utils.require_text(text_utils.check_storable(body))
        except text_utils.TextError as error:
            raise ValidationError({"text": str(error)}) from None
        if not text_utils.is_normalised(body):
            raise ValidationError({"text": ERROR_NOT_NORMALISED})
        if text_utils.checksum(body) != values.get("checksum"):
            raise ValidationError({"text": ERROR_CHECKSUM})
        for name, value in values.items():
            if name != "imported_at":
                setattr(instance, name, value)
        instance.imported_by = author
        _raise_invalid(instance, exclude=["source", "imported_by"])

    def apply_updates(self, instance: Document, values: dict) -> None:
        super().apply_updates(instance, values)
        _raise_invalid(instance, exclude=["source", "imported_by", "text", "checksum"])
