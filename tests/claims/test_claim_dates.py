"""A claim's event date: set through ``claims.services.claim_date_set`` (and ``claim_update``,
the claims API's PATCH, the admin), kept valid by the database's ``claim_event_date_valid``,
suggested from the dates in the claim's statement and quote, and kept in its history."""

import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from claims import services
from claims.errors import ClaimConflict, ClaimError, ClaimPermissionDenied
from claims.models import Claim
from claims.services import claim_date_set, claim_update
from crosscheck import dates
from tests.factories import make_claim, make_document, make_user
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

TEXT = "Exile\n\nTrotsky was expelled from the USSR in February 1929, and about 1928 exiled."
QUOTE = "Trotsky was expelled from the USSR in February 1929"


@pytest.fixture
def claim(annotator):
    return make_claim(make_document(TEXT), user=annotator, quote=QUOTE,
                      statement="Trotsky was expelled on 10 February 1929.")  # fmt: skip


def stored(claim) -> tuple:
    claim.refresh_from_db()
    return (claim.event_year, claim.event_month, claim.event_day, claim.event_approximate)


# --- The service -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ({"year": 1929}, (1929, None, None, False)),
        ({"year": 1929, "month": 2}, (1929, 2, None, False)),
        ({"year": 1929, "month": 2, "day": 10}, (1929, 2, 10, False)),
        ({"year": 1928, "approximate": True}, (1928, None, None, True)),
        ({"year": 1936, "month": 2, "day": 29}, (1936, 2, 29, False)),  # a leap year
        ({"year": 2000, "month": 2, "day": 29, "approximate": True}, (2000, 2, 29, True)),
    ],
)
def test_it_stores_a_date_as_precise_as_given(claim, annotator, date, expected):
    claim_date_set(claim=claim, date=date, version=claim.version, user=annotator)
    assert stored(claim) == expected
    assert claim.version == 2


def test_none_removes_the_date(claim, annotator):
    claim_date_set(claim=claim, date={"year": 1929, "approximate": True}, version=1, user=annotator)
    claim_date_set(claim=claim, date=None, version=2, user=annotator)
    assert stored(claim) == (None, None, None, False)


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ({"month": 2}, dates.DATE_MONTH_NEEDS_YEAR),
        ({"year": 1929, "day": 10}, dates.DATE_DAY_NEEDS_MONTH),
        ({"approximate": True}, dates.DATE_APPROXIMATE_NEEDS_YEAR),
        ({"year": 999}, dates.DATE_YEAR_OUT_OF_RANGE),
        ({"year": 1929, "month": 13}, dates.DATE_MONTH_OUT_OF_RANGE),
        ({"year": 1934, "month": 2, "day": 29}, "February 1934 has no day 29."),
        ({"year": 1900, "month": 2, "day": 29}, "February 1900 has no day 29."),
        ({"year": 1934, "month": 4, "day": 31}, "April 1934 has no day 31."),
        ({}, services.ERROR_DATE_YEAR_MISSING),
        ({"year": "1929"}, services.ERROR_DATE_PART.format(part="year")),
        ({"year": 1929, "month": 2.5}, services.ERROR_DATE_PART.format(part="month")),
        ({"year": True}, services.ERROR_DATE_PART.format(part="year")),
        ({"year": 1929, "approximate": "yes"}, services.ERROR_DATE_APPROXIMATE),
        ({"year": 1929, "era": "AD"}, services.ERROR_DATE_SHAPE),
        ("1929", services.ERROR_DATE_SHAPE),
        ([1929], services.ERROR_DATE_SHAPE),
    ],
)
def test_it_refuses_a_date_that_cannot_be_with_a_clear_message(claim, annotator, date, message):
    claim_date_set(claim=claim, date={"year": 1930}, version=1, user=annotator)
    with pytest.raises(ClaimError) as refused:
        claim_date_set(claim=claim, date=date, version=2, user=annotator)
    assert (str(refused.value), refused.value.field) == (message, "date")
    assert stored(claim) == (1930, None, None, False)
    assert claim.version == 2


def test_a_claim_is_created_with_its_date_in_one_write(annotator):
    document = make_document(TEXT)
    start = TEXT.index(QUOTE)
    claim = services.claim_create(
        document=document, start=start, end=start + len(QUOTE), quote=QUOTE,
        statement="Expelled.", date={"year": 1929, "month": 2}, user=annotator,
    )  # fmt: skip
    assert stored(claim) == (1929, 2, None, False)
    assert (claim.version, claim.history.count()) == (1, 1)


def test_a_claim_with_an_impossible_date_is_not_created(annotator):
    document = make_document(TEXT)
    start = TEXT.index(QUOTE)
    with pytest.raises(ClaimError) as refused:
        services.claim_create(
            document=document, start=start, end=start + len(QUOTE), quote=QUOTE,
            statement="Expelled.", date={"year": 1929, "month": 2, "day": 30}, user=annotator,
        )  # fmt: skip
    assert (str(refused.value), refused.value.field) == ("February 1929 has no day 30.", "date")
    assert not Claim.objects.exists()


def test_only_the_claims_annotator_or_an_editor_may_date_it(claim, editor):
    with pytest.raises(ClaimPermissionDenied):
        claim_date_set(claim=claim, date={"year": 1929}, version=1, user=make_user("annotator"))
    with pytest.raises(ClaimPermissionDenied):
        claim_date_set(claim=claim, date={"year": 1929}, version=1, user=make_user("reviewer"))
    assert stored(claim) == (None, None, None, False)
    claim_date_set(claim=claim, date={"year": 1929}, version=1, user=editor)
    assert stored(claim)[0] == 1929


def test_a_date_set_on_a_stale_version_is_refused(claim, annotator):
    claim_update(claim=claim, statement="Changed.", topics=[], version=1, user=annotator)
    with pytest.raises(ClaimConflict):
        claim_date_set(claim=claim, date={"year": 1929}, version=1, user=annotator)
    assert stored(claim) == (None, None, None, False)


def test_an_edit_keeps_the_date_unless_it_gives_one(claim, annotator):
    claim_date_set(claim=claim, date={"year": 1929, "month": 2}, version=1, user=annotator)
    claim_update(claim=claim, statement="Changed.", topics=[], version=2, user=annotator)
    assert stored(claim) == (1929, 2, None, False)
    claim_update(claim=claim, statement="Again.", topics=[], version=3, user=annotator,
                 date={"year": 1928, "approximate": True})  # fmt: skip
    assert stored(claim) == (1928, None, None, True)
    assert claim.statement == "Again."


def test_the_history_keeps_each_date(claim, annotator):
    claim_date_set(claim=claim, date={"year": 1928}, version=1, user=annotator)
    claim_date_set(claim=claim, date={"year": 1929, "month": 2}, version=2, user=annotator)
    history = claim.history.order_by("history_date", "history_id")
    assert [(h.event_year, h.event_month) for h in history] == [
        (None, None), (1928, None), (1929, 2),
    ]  # fmt: skip
    assert history.last().history_user == annotator


def test_suggestions_come_from_the_statement_then_the_quote_each_date_once(claim):
    found = services.claim_date_suggestions(claim)
    assert [date.key() for date in found] == ["1929-02-10", "1929-02"]
    assert [date.label() for date in found] == ["10 February 1929", "February 1929"]


# --- The database's constraint -----------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"event_month": 2},
        {"event_year": 1929, "event_day": 3},
        {"event_approximate": True},
        {"event_year": 999},
        {"event_year": 2101},
        {"event_year": 1929, "event_month": 0},
        {"event_year": 1929, "event_month": 13},
        {"event_year": 1929, "event_month": 1, "event_day": 0},
        {"event_year": 1929, "event_month": 1, "event_day": 32},
        {"event_year": 1929, "event_month": 4, "event_day": 31},
        {"event_year": 1929, "event_month": 2, "event_day": 29},
        {"event_year": 1900, "event_month": 2, "event_day": 29},
        {"event_year": 1929, "event_month": 2, "event_day": 30},
    ],
)
def test_the_database_refuses_a_partial_date_that_cannot_be(claim, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(**fields)
    assert stored(claim) == (None, None, None, False)


@pytest.mark.parametrize(
    "fields",
    [
        {"event_year": 1929},
        {"event_year": 1929, "event_month": 12, "event_approximate": True},
        {"event_year": 1929, "event_month": 1, "event_day": 31},
        {"event_year": 1929, "event_month": 4, "event_day": 30},
        {"event_year": 1936, "event_month": 2, "event_day": 29},
        {"event_year": 2000, "event_month": 2, "event_day": 29},
        {"event_year": 1000},
        {"event_year": 2100, "event_month": 12, "event_day": 31},
    ],
)
def test_the_database_takes_every_valid_partial_date(claim, fields):
    Claim.objects.filter(pk=claim.pk).update(**fields)
    assert stored(claim)[0] == fields["event_year"]


# --- The claims API ----------------------------------------------------------------------


def patch(client, claim, data):
    url = reverse("claims:api-claim", args=[claim.public_id])
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_a_patch_with_only_a_date_sets_it_and_answers_the_claim_with_it(annotator_client, claim):
    response = patch(annotator_client, claim, {"date": {"year": 1929, "month": 2}, "version": 1})
    assert response.status_code == 200, response.json()
    assert response.json()["claim"]["date"] == {
        "year": 1929, "month": 2, "day": None, "approximate": False,
        "key": "1929-02", "label": "February 1929",
    }  # fmt: skip
    claim.refresh_from_db()
    assert (claim.statement, claim.event_year, claim.version) == (
        "Trotsky was expelled on 10 February 1929.", 1929, 2,
    )  # fmt: skip


def test_a_patch_with_null_removes_the_date(annotator_client, annotator, claim):
    claim_date_set(claim=claim, date={"year": 1929}, version=1, user=annotator)
    response = patch(annotator_client, claim, {"date": None, "version": 2})
    assert response.status_code == 200
    assert response.json()["claim"]["date"] is None
    assert stored(claim) == (None, None, None, False)


def test_a_patch_with_an_impossible_date_is_refused_and_changes_nothing(annotator_client, claim):
    response = patch(annotator_client, claim, {
        "statement": "Changed.", "date": {"year": 1929, "month": 2, "day": 30}, "version": 1,
    })  # fmt: skip
    assert response.status_code == 400
    message = "February 1929 has no day 30."
    assert response.json() == {"error": message, "fields": {"date": [message]}}
    claim.refresh_from_db()
    assert (claim.statement, claim.event_year, claim.version) == (
        "Trotsky was expelled on 10 February 1929.", None, 1,
    )  # fmt: skip


def test_another_annotator_cannot_date_a_claim(claim):
    other = Client()
    other.force_login(make_user("annotator"))
    response = patch(other, claim, {"date": {"year": 1929}, "version": 1})
    assert response.status_code == 403
    assert stored(claim) == (None, None, None, False)


def test_the_claim_details_offer_the_dates_of_its_text(reviewer_client, claim):
    response = reviewer_client.get(reverse("claims:api-claim", args=[claim.public_id]))
    suggestions = response.json()["date_suggestions"]
    assert [(s["key"], s["label"], s["text"]) for s in suggestions] == [
        ("1929-02-10", "10 February 1929", "10 February 1929"),
        ("1929-02", "February 1929", "February 1929"),
    ]


def test_the_document_claims_carry_their_dates(reviewer_client, annotator, claim):
    claim_date_set(claim=claim, date={"year": 1928, "approximate": True}, version=1, user=annotator)
    url = reverse("claims:api-document-claims", args=[claim.document_id])
    [payload] = reviewer_client.get(url).json()["claims"]
    assert payload["date"]["label"] == "about 1928"
    assert payload["date"]["key"] == "1928~"


# --- The admin ---------------------------------------------------------------------------


def test_the_admin_shows_and_changes_the_date_through_the_service(editor_client, annotator, claim):
    claim_date_set(claim=claim, date={"year": 1928}, version=1, user=annotator)
    listing = editor_client.get(reverse("admin:claims_claim_changelist"))
    assert "1928" in listing.content.decode()
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    page = editor_client.get(url)
    assert 'name="event_year"' in page.content.decode()
    form = form_data(page) | {"event_year": "1929", "event_month": "2", "event_approximate": "on"}
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert stored(claim) == (1929, 2, None, True)
    assert claim.history.latest().history_user.username != annotator.username  # the editor


def test_the_admin_refuses_an_impossible_date_and_keeps_the_stored_one(editor_client, claim):
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    form = form_data(editor_client.get(url))
    response = editor_client.post(url, form | {"event_year": "1934", "event_month": "2",
                                               "event_day": "29"})  # fmt: skip
    assert response.status_code == 200
    assert "This event date cannot be" in response.content.decode()
    assert stored(claim) == (None, None, None, False)
