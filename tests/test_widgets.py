"""``QuickSelect`` renders the drop-downs of model choices exactly as Django's ``Select``
would, from (pk, label) pairs instead of model instances."""

import pytest
from django import forms
from django.test.html import parse_html

from claims.filters import ClaimFilter, LinkFilter
from crosscheck.widgets import QuickSelect
from tests.factories import make_claim, make_document, make_source, make_user

pytestmark = pytest.mark.django_db


def as_django_select(bound_field) -> str:
    """The same bound field rendered by Django's own ``Select`` widget."""
    widget = forms.Select(attrs=bound_field.field.widget.attrs)
    widget.choices = bound_field.field.choices
    return bound_field.as_widget(widget)


@pytest.fixture
def corpus():
    annotator = make_user("annotator", username="ann & <co>")
    source = make_source(name='Pravda "1936" <daily>')
    document = make_document(source=source, title="Report & <annex>")
    make_claim(document, user=annotator, topics=["Kirov & <Leningrad>", "Trials"])
    return source, document, annotator


@pytest.mark.parametrize("selected", ["none", "chosen"])
def test_every_claim_filter_drop_down_matches_django_s(corpus, selected):
    source, document, annotator = corpus
    topic = document.claims.get().topics.order_by("name").first()
    data = {}
    if selected == "chosen":
        data = {"source": source.pk, "document": document.pk, "topic": topic.pk,
                "annotator": annotator.pk}  # fmt: skip
    form = ClaimFilter(data).form
    names = ["source", "document", "topic", "annotator"]
    for name in names:
        bound = form[name]
        assert isinstance(bound.field.widget, QuickSelect)
        assert parse_html(str(bound)) == parse_html(as_django_select(bound)), name
    if selected == "chosen":
        assert f'<option value="{source.pk}" selected>' in str(form["source"])


def test_labels_are_escaped(corpus):
    html = str(ClaimFilter({}).form["source"])
    assert "Pravda &quot;1936&quot; &lt;daily&gt;" in html
    assert "<daily>" not in html


def test_the_link_filter_drop_downs_match_django_s(corpus):
    form = LinkFilter({"topic": "999999"}).form  # a choice that does not exist
    for name in ["source", "topic", "annotator"]:
        assert parse_html(str(form[name])) == parse_html(as_django_select(form[name])), name
