"""A document's long text is stored where reading its other columns does not read it."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_reading_a_document_s_other_columns_does_not_walk_its_text():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite reads a column stored after a long value through the value's overflow
            # pages: the text must be the table's last column (migration corpus 0004).
            columns = [row[1] for row in cursor.execute("PRAGMA table_info(corpus_document)")]
            assert columns[-1] == "text", columns
        else:
            # PostgreSQL moves long values out of the row (TOAST) when the column's storage
            # allows it, so the column's position does not matter.
            cursor.execute(
                "SELECT attstorage FROM pg_attribute WHERE attrelid = 'corpus_document'::regclass"
                " AND attname = 'text'"
            )
            assert cursor.fetchone()[0] == "x"
