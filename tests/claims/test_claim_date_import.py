"""The admin's import and export of claims carries each claim's event date (year, month,
day, "about"), checked on import as the claim card's date service checks it: an impossible
date fails its row with the service's words and the file imports nothing."""

import csv
import io

import openpyxl
import pytest
from import_export.formats.base_formats import XLSX

from claims.models import Claim
from claims.resources import ERROR_FLAG, ClaimResource
from claims.services import claim_date_set
from crosscheck.admin_import_export import LongCellCSV as CSV
from crosscheck.dates import (
    DATE_APPROXIMATE_NEEDS_YEAR,
    DATE_DAY_NEEDS_MONTH,
    DATE_DAY_OUT_OF_RANGE,
    DATE_MONTH_NEEDS_YEAR,
    DATE_MONTH_OUT_OF_RANGE,
    DATE_YEAR_OUT_OF_RANGE,
)
from tests.factories import make_claim, make_document, make_user

pytestmark = pytest.mark.django_db

DATE_COLUMNS = ["event_year", "event_month", "event_day", "event_approximate"]


def export_bytes(file_format, queryset=None) -> bytes:
    data = file_format().export_data(ClaimResource().export(queryset=queryset))
    return data if isinstance(data, bytes) else data.encode("utf-8")


def import_bytes(file_format, data: bytes, *, user):
    fmt = file_format()
    dataset = fmt.create_dataset(data if fmt.is_binary() else data.decode("utf-8"))
    resource = ClaimResource(user=user, keep_provenance=True)
    return resource.import_data(dataset, dry_run=False, raise_errors=False, user=user)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def csv_bytes(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def row_errors(result) -> dict[int, str]:
    """The row errors of an import, by row number, as one text each."""
    return {row.number: str(row.error_dict) for row in result.invalid_rows}


def dates() -> list[tuple]:
    return sorted(
        Claim.objects.values_list("public_id", *DATE_COLUMNS, "version", "updated_at")
    )  # fmt: skip


@pytest.fixture
def claims():
    """Three claims of one annotator: dated to the day and "about", to the year, undated."""
    author = make_user("annotator", username="ann")
    document = make_document("Kirov was shot in Leningrad. Nikolayev fired. Thirteen were tried.")
    day, year, undated = (
        make_claim(document, user=author, quote=quote)
        for quote in ("Kirov was shot", "Nikolayev fired", "Thirteen were tried")
    )
    day_date = {"year": 1934, "month": 12, "day": 1, "approximate": True}
    claim_date_set(claim=day, date=day_date, version=day.version, user=author)
    claim_date_set(claim=year, date={"year": 1936}, version=year.version, user=author)
    return day, year, undated


def test_the_export_writes_each_claims_event_date(claims):
    day, year, undated = claims

    rows = {row["public_id"]: row for row in csv_rows(export_bytes(CSV))}

    assert [rows[str(day.public_id)][column] for column in DATE_COLUMNS] == ["1934", "12", "1", "1"]
    assert [rows[str(year.public_id)][column] for column in DATE_COLUMNS] == ["1936", "", "", "0"]
    assert [rows[str(undated.public_id)][column] for column in DATE_COLUMNS] == ["", "", "", "0"]


@pytest.mark.parametrize("file_format", [CSV, XLSX], ids=["csv", "xlsx"])
def test_a_round_trip_brings_the_dates_back(claims, file_format):
    before = sorted(Claim.objects.values_list("public_id", *DATE_COLUMNS))
    data = export_bytes(file_format)
    if file_format is XLSX:
        header = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(data)).active[1]]
        assert set(DATE_COLUMNS) <= set(header)
    Claim.objects.all().delete()

    result = import_bytes(file_format, data, user=make_user("editor"))

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 3
    assert sorted(Claim.objects.values_list("public_id", *DATE_COLUMNS)) == before


def test_an_import_sets_changes_and_removes_dates_of_existing_claims(claims):
    day, year, undated = claims
    rows = {row["public_id"]: row for row in csv_rows(export_bytes(CSV))}
    rows[str(undated.public_id)].update(event_year="1937", event_month="6", event_approximate="")
    rows[str(year.public_id)].update(event_month="2", event_day="29")  # 1936 was a leap year
    rows[str(day.public_id)].update(
        event_year="", event_month="", event_day="", event_approximate="0"
    )

    result = import_bytes(CSV, csv_bytes(list(rows.values())), user=make_user("editor"))

    assert not result.has_validation_errors() and result.totals["update"] == 3
    for claim in claims:
        claim.refresh_from_db()
    assert (undated.event_year, undated.event_month, undated.event_day) == (1937, 6, None)
    assert (year.event_year, year.event_month, year.event_day) == (1936, 2, 29)
    assert (day.event_year, day.event_month, day.event_day, day.event_approximate) == (
        None, None, None, False,
    )  # fmt: skip
    # An edit opened before the import is now stale.
    assert undated.version == 2 and year.version == 3


def test_an_unchanged_date_is_skipped(claims):
    result = import_bytes(CSV, export_bytes(CSV), user=make_user("editor"))

    assert not result.has_validation_errors()
    assert result.totals["skip"] == 3 and result.totals["update"] == 0


def test_a_file_without_the_date_columns_keeps_the_stored_dates(claims):
    before = dates()
    rows = csv_rows(export_bytes(CSV))
    for row in rows:
        row["statement"] += " (edited)"
    columns = [column for column in rows[0] if column not in DATE_COLUMNS]

    result = import_bytes(CSV, csv_bytes(rows, columns), user=make_user("editor"))

    assert not result.has_validation_errors() and result.totals["update"] == 3
    assert [row[:5] for row in dates()] == [row[:5] for row in before]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"event_month": "4", "event_day": "31"}, "event_year",
         DATE_DAY_OUT_OF_RANGE.format(month="April", year=1936, day=31)),
        ({"event_month": "2", "event_day": "29", "event_year": "1934"}, "event_year",
         DATE_DAY_OUT_OF_RANGE.format(month="February", year=1934, day=29)),
        ({"event_year": "", "event_month": "3"}, "event_year", DATE_MONTH_NEEDS_YEAR),
        ({"event_day": "3"}, "event_year", DATE_DAY_NEEDS_MONTH),
        ({"event_year": "", "event_approximate": "1"}, "event_year", DATE_APPROXIMATE_NEEDS_YEAR),
        ({"event_year": "99"}, "event_year", DATE_YEAR_OUT_OF_RANGE),
        ({"event_month": "13"}, "event_year", DATE_MONTH_OUT_OF_RANGE),
        ({"event_month": "June"}, "event_month", "Not a whole number: “June”."),
        ({"event_day": "1.5"}, "event_day", "Not a whole number: “1.5”."),
        ({"event_approximate": "perhaps"}, "event_approximate",
         ERROR_FLAG.format(value="perhaps")),
    ],
    ids=["31-april", "29-february-1934", "month-no-year", "day-no-month", "about-no-year",
         "year-range", "month-range", "month-word", "day-fraction", "about-word"],
)  # fmt: skip
@pytest.mark.parametrize("target", ["existing", "new"])
def test_a_bad_date_fails_its_row_and_the_file_changes_nothing(claims, cells, column, message,
                                                               target):  # fmt: skip
    day, year, undated = claims
    rows = csv_rows(export_bytes(CSV))
    for row in rows:
        row["statement"] += " (edited)"  # the good rows would change something
    bad = next(row for row in rows if row["public_id"] == str(year.public_id))
    if target == "new":
        Claim.objects.filter(pk=year.pk).delete()
    bad.update(cells)
    before, count = dates(), Claim.objects.count()

    result = import_bytes(CSV, csv_bytes(rows), user=make_user("editor"))

    errors = row_errors(result)
    bad_number = rows.index(bad) + 1
    assert list(errors) == [bad_number]
    assert column in errors[bad_number] and message in errors[bad_number]
    assert Claim.objects.count() == count and dates() == before
    assert not Claim.objects.filter(statement__endswith="(edited)").exists()
