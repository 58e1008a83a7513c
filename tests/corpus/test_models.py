"""Database constraints on sources and documents."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError

from corpus.models import Source
from tests.factories import make_document, make_source

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("date", ["1934", "1934-12", "1934-12-01", ""])
def test_a_source_date_may_be_a_year_a_month_or_a_day(date):
    source = make_source(date=date)
    source.full_clean()
    source.refresh_from_db()
    assert source.date == date


@pytest.mark.parametrize("date", ["34", "1934-13", "1934-12-32", "Dec 1934"])
def test_the_database_refuses_a_source_date_that_is_not_a_partial_iso_date(date):
    with pytest.raises(IntegrityError):
        make_source(date=date)


def test_validation_explains_the_date_format():
    source = Source(name="X", slug="x", kind="news", date="Dec 1934")
    with pytest.raises(ValidationError, match="Give a year"):
        source.full_clean()


def test_the_database_refuses_an_unknown_kind():
    with pytest.raises(IntegrityError):
        make_source(kind="rumour")


def test_the_database_refuses_an_empty_source_name():
    with pytest.raises(IntegrityError):
        make_source(name="")


def test_source_slugs_are_unique():
    make_source(slug="pravda")
    with pytest.raises(IntegrityError):
        make_source(slug="pravda")


def test_a_source_with_documents_cannot_be_deleted():
    document = make_document()
    with pytest.raises(ProtectedError):
        document.source.delete()
