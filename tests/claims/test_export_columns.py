"""The Export page explains every column of every dataset itself, from the notes kept
beside the columns' definitions (``claims.exports.COLUMN_NOTES``)."""

import html

import pytest
from django.urls import reverse

from claims.exports import COLUMN_NOTES, DATASETS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_column_has_a_note_and_no_note_is_left_over(name):
    assert list(COLUMN_NOTES[name]) == DATASETS[name].header
    assert all(note.strip() for note in COLUMN_NOTES[name].values())


def test_the_export_page_lists_each_dataset_s_columns_with_what_they_hold(reviewer_client):
    content = html.unescape(reviewer_client.get(reverse("claims:export")).content.decode())
    assert "The columns are listed in the README" not in content
    for dataset in DATASETS.values():
        assert f"The {len(dataset.header)} columns of {dataset.label.lower()}" in content
        for name, note in dataset.explained:
            assert f"<dt><code>{name}</code></dt><dd>{note}</dd>" in content
    assert "left_qualifies_right" in content  # the pairs' direction, explained
