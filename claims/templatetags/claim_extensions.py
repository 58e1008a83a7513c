"""What the feature apps add to the claims pages' templates (``claims.extensions``)."""

from django import template

from claims.extensions import topic_url as _topic_url

register = template.Library()


@register.filter
def topic_url(name: str) -> str:
    """The address of the page about the topic ``name`` (an app registers it), or "" when
    no app has one: ``{% with url=topic.name|topic_url %}``."""
    return _topic_url(name) or ""
