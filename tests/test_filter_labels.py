"""The lists' filters say "Any" for "no filter", not Django's "---------"."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_annotated_corpus

pytestmark = pytest.mark.django_db

FILTERED_PAGES = [
    "claims:list",
    "claims:links",
    "claims:review-queue",
    "claims:export",
    "corpus:documents",
    "corpus:sources",
]


@pytest.mark.parametrize("name", FILTERED_PAGES)
def test_every_filter_drop_down_offers_any_first_and_no_dashes(editor_client, name):
    make_annotated_corpus()
    content = editor_client.get(reverse(name)).content.decode()
    selects = re.findall(r"<select[^>]*>(.*?)</select>", content, re.S)
    assert selects, f"{name} has no drop-down filters"
    assert "---------" not in content
    first_options = [re.search(r"<option[^>]*>([^<]*)</option>", select).group(1)
                     for select in selects]  # fmt: skip
    assert {label for label in first_options} <= {"Any", "Newest first"}
    assert "Any" in first_options
