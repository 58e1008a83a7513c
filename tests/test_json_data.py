"""The ``json_data`` filter writes exactly what Django's ``json_script`` writes."""

import json

import pytest
from django.template import engines
from django.utils.html import json_script

from crosscheck.templatetags.json_data import json_data

VALUES = [
    {"statement": "</script><script>alert(1)</script>", "topics": ["A & B", "<!--", "-->"]},
    ["Zinoviev & Kamenev", "x < y > z", "\u2028\u2029 line separators", "emoji 🙂", 'q"uote'],
    {"nested": {"deep": [1, 2.5, None, True, False, "&amp;"]}},
    "",
    [],
]


@pytest.mark.parametrize("value", VALUES)
def test_the_output_is_django_json_script_s(value):
    assert json_data(value, "data") == json_script(value, "data")


@pytest.mark.parametrize("value", VALUES)
def test_the_json_reads_back_as_the_value(value):
    html = json_data(value, "data")
    body = html.removeprefix('<script id="data" type="application/json">').removesuffix("</script>")
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == value


def test_templates_load_it_by_name():
    template = engines["django"].from_string('{% load json_data %}{{ value|json_data:"x" }}')
    assert template.render({"value": {"a": "<b>"}}) == json_script({"a": "<b>"}, "x")
