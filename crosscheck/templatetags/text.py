"""Text filters for the lists' templates."""

from django import template

from crosscheck.text import shorten

register = template.Library()


@register.filter(is_safe=True)
def clip(value: str, length: int) -> str:
    """``truncatechars``, skipped for a text that already fits (``crosscheck.text.shorten``).
    A text no longer than ``length`` comes out as it went in, where Django's filter composes
    accents into NFC (stored document texts already are), which displays the same."""
    return shorten(value, int(length))
