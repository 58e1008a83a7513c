"""Claims' event dates through the W3C Web Annotation export and import: ``eventDate``
("1934", "1934-12", "1934-12-01") and ``eventDateApproximate`` come back on the claims the
import creates, re-anchored or not; a date the services would refuse refuses its annotation
in the preview, with the services' reason, and nothing is made of it."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim
from claims.services import claim_date_set
from crosscheck.dates import DATE_APPROXIMATE_NEEDS_YEAR, DATE_YEAR_OUT_OF_RANGE
from interchange import importing
from interchange.importing import CREATE, REANCHOR, REFUSE, import_plan
from interchange.models import ImportedAnnotation, ImportUpload
from tests.factories import make_claim, make_document
from tests.interchange.test_import import _import, _w3c
from tests.interchange.test_round_trip import _export

pytestmark = pytest.mark.django_db

TEXT = (
    "Kirov was shot in Leningrad on 1 December 1934.\n\n"
    "The first trial opened in August 1936.\n\n"
    "The second trial opened in 1937.\n\n"
    "A third trial followed in about 1938.\n\n"
    "Nobody knows when the order was given.\n"
)
DATE_FIELDS = ("event_year", "event_month", "event_day", "event_approximate")


def _dated(document, quote: str, date: dict | None, user) -> Claim:
    claim = make_claim(document, user=user, quote=quote, statement=f"About: {quote}")
    if date is not None:
        claim = claim_date_set(claim=claim, date=date, version=claim.version, user=user)
    return claim


def _claims() -> set[tuple]:
    return set(Claim.objects.values_list("start", "end", "statement", *DATE_FIELDS))


def _with_date(annotation: dict, **terms) -> dict:
    return {**annotation, **terms}


def _plan(document, value, user):
    return import_plan(document=document, data=json.dumps(value).encode(), user=user)


def test_a_round_trip_keeps_each_claim_s_event_date(annotator, editor):
    document = make_document(TEXT)
    _dated(document, "Kirov was shot in Leningrad on 1 December 1934.",
           {"year": 1934, "month": 12, "day": 1}, annotator)  # fmt: skip
    _dated(document, "The first trial opened in August 1936.",
           {"year": 1936, "month": 8, "approximate": True}, annotator)  # fmt: skip
    _dated(document, "The second trial opened in 1937.", {"year": 1937}, annotator)
    _dated(document, "A third trial followed in about 1938.",
           {"year": 1938, "approximate": True}, annotator)  # fmt: skip
    _dated(document, "Nobody knows when the order was given.", None, annotator)
    before = _claims()
    assert {row[3:] for row in before} == {
        (1934, 12, 1, False), (1936, 8, None, True), (1937, None, None, False),
        (1938, None, None, True), (None, None, None, False),
    }  # fmt: skip
    data = _export(document)
    exported = [item.get("eventDate") for item in json.loads(data)["first"]["items"]]
    assert sorted(exported, key=str) == ["1934-12-01", "1936-08", "1937", "1938", None]
    Claim.objects.all().delete()

    plan = import_plan(document=document, data=data, user=editor)
    assert sorted(row.date_label for row in plan.rows) == [
        "", "1 December 1934", "1937", "about 1938", "about August 1936"
    ]  # fmt: skip
    outcome = _import(document, data, editor)
    assert (outcome.claims, outcome.refused) == (5, 0)
    assert _claims() == before
    # Each claim is made in one write, its date with it: version 1, one history entry.
    assert set(Claim.objects.values_list("version", flat=True)) == {1}
    assert all(claim.history.count() == 1 for claim in Claim.objects.all())


def test_a_re_anchored_annotation_keeps_its_event_date(annotator):
    document = make_document(TEXT)
    value = _with_date(
        _w3c("The second trial opened in 1937.", start=0, end=32),  # given at the wrong place
        eventDate="1937-01", eventDateApproximate=True,
    )  # fmt: skip
    row = _plan(document, value, annotator).rows[0]
    assert (row.action, row.start) == (REANCHOR, TEXT.index("The second trial"))
    assert row.date == {"year": 1937, "month": 1, "day": None, "approximate": True}
    _import(document, value, annotator)
    claim = Claim.objects.get()
    assert (claim.start, *(getattr(claim, name) for name in DATE_FIELDS)) == (
        row.start, 1937, 1, None, True
    )  # fmt: skip


@pytest.mark.parametrize(
    ("terms", "stored"),
    [
        ({}, (None, None, None, False)),
        ({"eventDateApproximate": False}, (None, None, None, False)),  # false alone: no date
        ({"eventDate": None}, (None, None, None, False)),
        ({"eventDate": "1934-12-01"}, (1934, 12, 1, False)),  # not approximate when not said
        ({"eventDate": "1936-02-29", "eventDateApproximate": False}, (1936, 2, 29, False)),
        ({"cc:eventDate": "1934", "cc:eventDateApproximate": True}, (1934, None, None, True)),
    ],
)
def test_an_event_date_given_or_not_is_stored_as_given(terms, stored, annotator):
    document = make_document(TEXT)
    value = _with_date(_w3c("Kirov was shot in Leningrad on 1 December 1934."), **terms)
    assert _plan(document, value, annotator).rows[0].action in (CREATE, REANCHOR)
    _import(document, value, annotator)
    assert Claim.objects.values_list(*DATE_FIELDS).get() == stored


ONLY_AS_TEXT = "give a year, a month or a day as text written “1934”, “1934-12” or “1934-12-01”."


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        ({"eventDate": "1934-13"},
         "Its event date (“1934-13”) is refused: The month must be between 1 and 12."),
        ({"eventDate": "1934-02-30"},
         "Its event date (“1934-02-30”) is refused: February 1934 has no day 30."),
        ({"eventDate": "1900-02-29"},
         "Its event date (“1900-02-29”) is refused: February 1900 has no day 29."),
        ({"eventDate": "0999"},
         f"Its event date (“0999”) is refused: {DATE_YEAR_OUT_OF_RANGE}"),
        ({"eventDate": 1934}, f"Its event date (1934) is refused: {ONLY_AS_TEXT}"),
        ({"eventDate": "about 1934"},
         f"Its event date (“about 1934”) is refused: {ONLY_AS_TEXT}"),
        ({"eventDate": "1934-1-5"}, f"Its event date (“1934-1-5”) is refused: {ONLY_AS_TEXT}"),
        ({"eventDate": "1934-12-01T00:00:00Z"},
         f"Its event date (“1934-12-01T00:00:00Z”) is refused: {ONLY_AS_TEXT}"),
        ({"eventDate": "１９３４"}, f"Its event date (“１９３４”) is refused: {ONLY_AS_TEXT}"),
        ({"eventDate": ""}, f"Its event date (“”) is refused: {ONLY_AS_TEXT}"),
        ({"eventDate": "1934", "eventDateApproximate": "yes"},
         "Its event date (“1934”) is refused: "
         "Whether the event date is approximate must be true or false."),
        ({"eventDateApproximate": True},
         f"Its event date is refused: {DATE_APPROXIMATE_NEEDS_YEAR}"),
    ],
)  # fmt: skip
def test_an_impossible_event_date_refuses_its_annotation_and_nothing_is_made_of_it(
    terms, reason, annotator
):
    document = make_document(TEXT)
    good = _with_date(_w3c("The second trial opened in 1937.", id="urn:x:good"),
                      eventDate="1937")  # fmt: skip
    bad = _with_date(_w3c("Kirov was shot in Leningrad on 1 December 1934.", id="urn:x:bad"),
                     **terms)  # fmt: skip
    plan = _plan(document, [good, bad], annotator)
    assert [(row.action, row.reason) for row in plan.rows[1:]] == [(REFUSE, reason)]
    assert plan.rows[1].date is None
    assert not Claim.objects.exists()  # a preview changes nothing

    outcome = _import(document, [good, bad], annotator)
    assert (outcome.claims, outcome.refused) == (1, 1)
    assert Claim.objects.values_list("quote", "event_year").get() == (
        "The second trial opened in 1937.", 1937
    )  # fmt: skip
    assert list(ImportedAnnotation.objects.values_list("key", flat=True)) == ["urn:x:good"]


def test_a_kept_plan_keeps_the_event_dates(annotator):
    document = make_document(TEXT)
    value = [_with_date(_w3c("The first trial opened in August 1936.", id="urn:x:1"),
                        eventDate="1936-08", eventDateApproximate=True),
             _w3c("The second trial opened in 1937.", id="urn:x:2")]  # fmt: skip
    plan = _plan(document, value, annotator)
    kept = json.loads(json.dumps(importing.plan_as_json(plan)))  # as the database keeps it
    again = importing.plan_from_json(document, kept)
    assert again.rows == plan.rows
    assert [row.date_label for row in again.rows] == ["about August 1936", ""]


def test_the_preview_shows_each_claim_s_event_date_and_why_one_is_refused(
    annotator_client, annotator
):
    document = make_document(TEXT)
    value = [_with_date(_w3c("Kirov was shot in Leningrad on 1 December 1934.", id="urn:x:1"),
                        eventDate="1934-12-01"),
             _with_date(_w3c("The first trial opened in August 1936.", id="urn:x:2"),
                        eventDate="1936-08", eventDateApproximate=True),
             _with_date(_w3c("The second trial opened in 1937.", id="urn:x:3"),
                        eventDate="1937-02-30")]  # fmt: skip
    upload_url = reverse("interchange:import", args=[document.pk])
    data = json.dumps(value).encode()
    annotator_client.post(upload_url, {"file": SimpleUploadedFile("a.json", data)})
    upload = ImportUpload.objects.get()
    page = annotator_client.get(
        reverse("interchange:import-preview", args=[document.pk, upload.public_id])
    ).content.decode()
    assert "Event date: 1 December 1934" in page
    assert "Event date: about August 1936" in page
    assert "Its event date (“1937-02-30”) is refused: February 1937 has no day 30." in page
    assert "Import 2 annotations" in page
    assert not Claim.objects.exists()
