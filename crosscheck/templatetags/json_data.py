"""``json_data``: Django's ``json_script`` filter, with the same output, made fast for
large values.

Django escapes the JSON's ``<``, ``>`` and ``&`` with ``str.translate``, which looks up
every character in a dict: for the annotation page's 1 MB of claims that took 130 ms,
against 14 ms for the JSON itself. Three ``str.replace`` calls do the same in about 2 ms.
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def json_for_script(value) -> str:
    """``value`` as JSON safe to place inside a ``<script>`` element (the characters HTML
    could read as markup are Unicode escapes, as in ``django.utils.html.json_script``)."""
    encoded = json.dumps(value, cls=DjangoJSONEncoder)
    return encoded.replace(">", "\\u003E").replace("<", "\\u003C").replace("&", "\\u0026")


@register.filter(is_safe=True)
def json_data(value, element_id: str) -> SafeString:
    """``{{ value|json_data:"element-id" }}``: the value in a JSON ``<script>`` element."""
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(json_for_script(value)),  # escaped for a script element above
    )
