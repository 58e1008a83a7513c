from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    """Counterparts: passages in other sources that speak of the same thing as a claim or a
    selection. An app above ``claims``: it reads the corpus and the claims, keeps its own
    passage index, and creates claims and links only through ``claims.services``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "suggestions"
    verbose_name = "Suggestions"

    def ready(self) -> None:
        # The counterparts panel on the document page (claims.extensions).
        from claims.extensions import register_document_page_part
        from suggestions import receivers  # noqa: F401 — connects them
        from suggestions.document_page import PART

        register_document_page_part(PART)
