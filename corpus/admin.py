"""The editors' admin for sources and documents.

Documents enter only through ``corpus.services.document_import`` (the Upload page and the
``import_documents`` command), which normalises and dedupes the text, so the admin never
adds one and never changes what claims point into: the text, its checksum, what it was
imported from and its source are read-only. Deleting a source or document that others
still depend on is refused by the database (``PROTECT``); the admin shows its
protected-objects page with the reason and what to do first (corpus.deletion)."""

from typing import cast

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.http import HttpRequest
from django.utils.html import format_html

from corpus.deletion import ProtectedDeleteAdminMixin
from corpus.models import Document, DocumentQuerySet, Source
from corpus.resources import DocumentResource, SourceResource
from crosscheck.admin import changelist_link
from crosscheck.admin_import_export import ImportExportAdmin
from crosscheck.history_admin import ReadOnlyHistoryAdmin
from crosscheck.text import plural, shorten

# The length of the text's preview on a document's page, the ellipsis of a cut included.
TEXT_PREVIEW_LENGTH = 2000


@admin.register(Source)
class SourceAdmin(ProtectedDeleteAdminMixin, ImportExportAdmin, ReadOnlyHistoryAdmin):
    resource_classes = [SourceResource]
    list_display = ("name", "kind", "author", "date", "document_count", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("name", "slug", "author", "publisher")
    ordering = ("name",)  # explicit: Meta.ordering is not applied to a grouped (Count) query
    date_hierarchy = "created_at"
    fields = (
        "name", "slug", "kind", "author", "publisher", "date", "url", "notes",
        "document_count", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = ("document_count", "created_at", "updated_at")
    # A web address typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(document_count=Count("documents"))

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # The slug is the key imports find the source by: fixed once the source exists.
        if obj is not None:
            return (*self.readonly_fields, "slug")
        return self.readonly_fields

    def get_prepopulated_fields(self, request: HttpRequest, obj=None):
        return {"slug": ("name",)} if obj is None else {}

    @admin.display(description="documents", ordering="document_count")
    def document_count(self, obj: Source):
        count = getattr(obj, "document_count", None)  # counted by get_queryset
        return "—" if count is None else changelist_link(count, Document, source__id__exact=obj.pk)


@admin.register(Document)
class DocumentAdmin(ProtectedDeleteAdminMixin, ImportExportAdmin, ReadOnlyHistoryAdmin):
    resource_classes = [DocumentResource]
    list_display = (
        "title", "source", "language", "character_count", "original_format", "imported_by",
        "imported_at",
    )  # fmt: skip
    list_filter = (
        "language",
        "original_format",
        "source",
        ("imported_by", admin.RelatedOnlyFieldListFilter),
        "imported_at",
    )
    search_fields = ("title", "source__name", "original_filename", "=checksum")
    list_select_related = ("source", "imported_by")
    date_hierarchy = "imported_at"
    fields = (
        "title", "language", "source", "original_filename", "original_format", "checksum",
        "imported_by", "imported_at", "previous", "revision", "character_count",
        "claim_count", "text_preview",
    )  # fmt: skip
    # Everything an import decided, and the text claims point into, stays as imported.
    readonly_fields = (
        "source", "original_filename", "original_format", "checksum", "imported_by",
        "imported_at", "previous", "revision", "character_count", "claim_count", "text_preview",
    )  # fmt: skip

    class Media:
        css = {"all": ["crosscheck/admin.css"]}

    def get_queryset(self, request: HttpRequest):
        # The size is computed by the database and the (possibly huge) text is not loaded.
        # ModelAdmin types it as a plain QuerySet: it is the manager's DocumentQuerySet.
        return cast(DocumentQuerySet, super().get_queryset(request)).listing()

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Documents enter through the Upload page or `import_documents`, which normalise
        # and dedupe the text.
        return False

    @admin.display(description="size (characters)", ordering="size")
    def character_count(self, obj: Document) -> str:
        size = getattr(obj, "size", None)
        return "—" if size is None else f"{size:,}"

    @admin.display(description="claims")
    def claim_count(self, obj: Document):
        count = obj.claims.count()  # the claims app's model, through the reverse relation
        return changelist_link(plural(count, "claim"), obj.claims.model, document__id__exact=obj.pk)

    @admin.display(description="text")
    def text_preview(self, obj: Document):
        """The beginning of the text, read-only; the document page shows all of it."""
        text = obj.text
        preview = shorten(text, TEXT_PREVIEW_LENGTH)
        return format_html(
            '<div class="document-text-preview">{}</div>'
            '<p><a href="{}">Read the whole document</a> ({} characters; the text is stored '
            "as imported and cannot be changed).</p>",
            preview,
            obj.get_absolute_url(),
            f"{len(text):,}",
        )
