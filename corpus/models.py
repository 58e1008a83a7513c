from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Length
from django.urls import reverse
from simple_history.models import HistoricalRecords

from corpus import text as text_utils

# A year alone, a year and month, or a full date (ISO 8601): 1934, 1934-12, 1934-12-01.
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
ERROR_PARTIAL_DATE = "Give a year (1934), a year and month (1934-12) or a full date (1934-12-01)."
ERROR_TEXT_NOT_NORMALISED = (
    "The text is not in normal form (Unicode NFC, \\n line ends, no NUL): import it through "
    "the document import, which normalises it."
)
# Django's four permissions, and the admin's import and export of the model (each held
# separately: crosscheck.admin_import_export).
IMPORT_EXPORT_PERMISSIONS = ("add", "change", "delete", "view", "import", "export")
ERROR_CHECKSUM = "The checksum does not match the text; the text must not be changed after import."


class SourceKind(models.TextChoices):
    ENCYCLOPEDIA = "encyclopedia", "Encyclopedia"
    NEWS = "news", "News"
    POLITICAL = "political", "Political publication"
    BOOK = "book", "Book"
    PRIMARY = "primary", "Primary document"
    ACADEMIC = "academic", "Academic"
    BLOG = "blog", "Blog"
    OTHER = "other", "Other"


class Source(models.Model):
    """Who published: the outlet, author or archive a document comes from."""

    Kind = SourceKind

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, allow_unicode=True, help_text="Stable key used by imports."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    author = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    date = models.CharField(
        max_length=10,
        blank=True,
        validators=[RegexValidator(PARTIAL_DATE_PATTERN, ERROR_PARTIAL_DATE)],
        help_text="A year, year-month or full date.",
    )
    url = models.URLField(blank=True, max_length=500)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        default_permissions = IMPORT_EXPORT_PERMISSIONS
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date="") | models.Q(date__regex=PARTIAL_DATE_PATTERN),
                name="source_date_is_partial_iso",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SourceKind.values),
                name="source_kind_known",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="source_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("corpus:documents") + f"?source={self.pk}"


class DocumentQuerySet(models.QuerySet):
    def listing(self) -> "DocumentQuerySet":
        """Documents for lists: with their source, the size computed by the database, and
        the (possibly huge) text left unloaded."""
        return (
            self.select_related("source", "imported_by").defer("text").annotate(size=Length("text"))
        )

    def current(self) -> "DocumentQuerySet":
        """The current revisions: the documents no corrected text has replaced yet."""
        return self.filter(next_revision__isnull=True)


class Document(models.Model):
    """One text of a source, stored normalised and never changed: claims point into it."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        FRENCH = "fr", "French"
        GERMAN = "de", "German"
        RUSSIAN = "ru", "Russian"
        SPANISH = "es", "Spanish"
        OTHER = "und", "Other or undetermined"

    class Format(models.TextChoices):
        TEXT = "text", "Plain text"
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=300)
    language = models.CharField(max_length=3, choices=Language.choices, default=Language.ENGLISH)
    checksum = models.CharField(
        max_length=64, unique=True, editable=False, help_text="SHA-256 of the stored text."
    )
    original_filename = models.CharField(max_length=255, blank=True)
    original_format = models.CharField(max_length=10, choices=Format.choices, default=Format.TEXT)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imported_documents",
        help_text="Empty when a management command imported it.",
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    # A corrected text is a new document whose ``previous`` is the text it corrects; one
    # successor each (the OneToOne's unique index refuses a second revision of the same
    # text, whoever loses the race), and PROTECT: a revision's history is never cut.
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_revision",
        editable=False,
        help_text="The revision this text corrects; empty for a first text.",
    )
    revision = models.PositiveIntegerField(
        default=1, editable=False, help_text="1 for a first text, then 2, 3… for corrections."
    )
    # Last: SQLite reads a column stored after a long text by walking the text's overflow
    # pages (see migration 0004).
    text = models.TextField()

    objects = DocumentQuerySet.as_manager()
    # The text is left out of the history: it never changes, and copying 390 KB into a
    # history row on every metadata edit would only fill the database.
    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        default_permissions = IMPORT_EXPORT_PERMISSIONS
        ordering = ["source__name", "title"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="document_text_not_empty"),
            models.CheckConstraint(condition=~models.Q(title=""), name="document_title_not_empty"),
            models.CheckConstraint(
                condition=models.Q(checksum__regex=r"^[0-9a-f]{64}$"),
                name="document_checksum_is_sha256",
            ),
            models.CheckConstraint(
                condition=models.Q(revision__gte=1), name="document_revision_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(previous__isnull=True, revision=1)
                | models.Q(previous__isnull=False, revision__gte=2),
                name="document_revision_follows_previous",
            ),
        ]
        indexes = [
            # The corpus list filters by language and orders by title within a source.
            models.Index(fields=["language"], name="document_language_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("claims:document", args=[self.pk])

    @property
    def is_current(self) -> bool:
        """Whether no corrected text has replaced this one: a query the first time, then
        the answer cached on the instance (Django caches a missing reverse one-to-one)."""
        try:
            self.next_revision  # noqa: B018
        except Document.DoesNotExist:
            return True
        return False

    def clean(self) -> None:
        if not text_utils.is_normalised(self.text):
            raise ValidationError({"text": ERROR_TEXT_NOT_NORMALISED})
        if self.checksum != text_utils.checksum(self.text):
            raise ValidationError({"text": ERROR_CHECKSUM})
