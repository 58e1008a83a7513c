from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    """Compare: where the sources disagree, as figures — the timeline of dated claims (and
    the contradiction map and topic pages beside it). An app above ``claims``: it only
    reads claims and links."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "comparison"
    verbose_name = "Comparison"

    def ready(self) -> None:
        from claims.extensions import register_topic_url
        from comparison.map_views import topic_page_url

        # Topics on the claims pages open their claims side by side, a column per source.
        register_topic_url(topic_page_url)
