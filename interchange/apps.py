from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Interchange: claims, links and evidence in and out as W3C Web Annotations (JSON-LD),
    served through the Web Annotation Protocol and imported from W3C and Hypothesis files.
    An app above ``claims``: it reads claims and creates them through ``claims.services``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interchange"
    verbose_name = "Interchange"

    def ready(self) -> None:
        # The corpus as W3C Web Annotations on the Export page and in
        # ``manage.py export_annotations --format jsonld`` (claims.exports).
        from claims.exports import register_export_format
        from interchange.exporting import JSONLD_FORMAT

        register_export_format(JSONLD_FORMAT)

        # The document page's link to the import of annotation files (claims.extensions).
        from claims.extensions import register_document_page_part
        from interchange.import_views import DOCUMENT_PAGE_PART

        register_document_page_part(DOCUMENT_PAGE_PART)
