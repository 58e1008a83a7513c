"""The admin's import (django-import-export) under the Content-Security-Policy: the export
page, the import page and the preview of what a file changes report no violation, and the
preview still marks what each cell gains and loses. diff-match-patch writes those marks
with inline style attributes (``<ins style="background:#e6ffe6;">``), which the policy
refuses; crosscheck.resources.MarkedDiff writes them plain and admin.css colours them."""

import csv
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from claims.models import Claim
from corpus.models import Source
from tests.browser.conftest import sign_in
from tests.browser.test_csp import CspWatch
from tests.factories import make_claim, make_document, make_source, make_user

pytestmark = pytest.mark.django_db(transaction=True)

GAINED = "rgb(230, 255, 230)"  # diff-match-patch's colours: what a cell gains…
LOST = "rgb(255, 230, 230)"  # …and what it loses
NEW, UPDATE = re.compile(r"^New "), re.compile(r"^Update ")


def _background(page: Page, selector: str) -> str:
    return page.locator(selector).first.evaluate("(el) => getComputedStyle(el).backgroundColor")


def _preview(page: Page, watch: CspWatch, changelist: str, upload, file_format: str) -> None:
    """From the changelist through the export page and the import page to the preview."""
    page.goto(changelist)
    page.get_by_role("link", name="Export").click()
    expect(page.get_by_role("button", name="Submit")).to_be_visible()
    watch.settle()
    page.goto(changelist)
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File to import").set_input_files(upload)
    page.get_by_label("Format").select_option(label=file_format)
    watch.settle()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm import")).to_be_visible()
    watch.settle()


def test_the_claims_import_preview_keeps_the_policy_and_marks_the_changes(page, tmp_path):
    watch = CspWatch(page)
    make_user("editor", username="ed")
    author = make_user("annotator", username="ann")
    document = make_document("The minister resigned on Tuesday after the vote.")
    existing = make_claim(document, user=author, quote="minister", statement="A minister")
    upload = tmp_path / "claims.csv"
    with upload.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["public_id", "document", "start", "end", "quote", "statement"])
        writer.writerow([existing.public_id, document.checksum, 4, 12, "minister",
                         "The minister of war"])  # fmt: skip
        writer.writerow(["00000000-0000-4000-8000-000000000002", document.checksum, 25, 32,
                         "Tuesday", "It was a Tuesday"])  # fmt: skip
    sign_in(page, "ed")

    _preview(page, watch, "/admin/claims/claim/", upload, "csv")
    watch.assert_clean()

    preview = page.locator("table.import-preview")
    updated = preview.get_by_role("row", name=UPDATE)
    expect(updated.locator("del")).to_have_text("A")
    expect(updated.locator("ins")).to_have_text(["The", " of war"])
    assert _background(page, "table.import-preview td del") == LOST
    assert _background(page, "table.import-preview td ins") == GAINED
    expect(preview.get_by_role("row", name=NEW)).to_contain_text("It was a Tuesday")

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist")).to_contain_text("1 new, 1 updated")
    existing.refresh_from_db()
    assert existing.statement == "The minister of war"
    assert Claim.objects.get(start=25).statement == "It was a Tuesday"
    watch.settle()
    watch.assert_clean()


def test_the_sources_import_preview_of_a_workbook_keeps_the_policy(page, tmp_path):
    watch = CspWatch(page)
    make_user("editor", username="ed")
    source = make_source(name="Socialist Appeal", slug="socialist-appeal")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["slug", "name", "kind"])
    sheet.append([source.slug, "Socialist Appeal (London)", source.kind])
    sheet.append(["pioneer", "Pioneer Publishers", "book"])
    upload = tmp_path / "sources.xlsx"
    workbook.save(upload)
    sign_in(page, "ed")

    _preview(page, watch, "/admin/corpus/source/", upload, "xlsx")
    watch.assert_clean()

    preview = page.locator("table.import-preview")
    expect(preview.get_by_role("row", name=UPDATE).locator("ins")).to_have_text(" (London)")
    expect(preview.get_by_role("row", name=NEW)).to_contain_text("Pioneer")
    assert _background(page, "table.import-preview td ins") == GAINED

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist")).to_contain_text("1 new, 1 updated")
    assert Source.objects.get(slug="pioneer").name == "Pioneer Publishers"
