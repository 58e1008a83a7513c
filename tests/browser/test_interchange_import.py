"""Importing a Hypothesis export onto a seed document, the way an annotator does it: from
the document page to the import page, a preview saying what each annotation becomes, and
the confirmed import's claims highlighted on the document. A large file's preview is
prepared by a job: its progress shows until the preview does."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from claims.models import Claim
from interchange import import_views
from jobs.models import Job, JobState
from tests.browser.conftest import open_document, painted, sign_in
from tests.factories import make_user
from tests.interchange.test_import import SAMPLE, load_seed

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/h21b")


def test_an_annotator_imports_a_hypothesis_export_after_its_preview(page, tmp_path):
    kirov = load_seed(tmp_path / "seeds", "003_")[0]
    make_user("annotator", username="ana")
    sign_in(page, "ana")
    open_document(page, kirov)
    page.get_by_role("link", name="Import annotations (W3C or Hypothesis)").click()
    expect(page.get_by_role("heading", name="Import annotations", level=1)).to_be_visible()
    page.get_by_label("Annotation file").set_input_files(SAMPLE)
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Preview the import", level=1)).to_be_visible()
    counts = page.locator("dl.import-counts")
    expect(counts).to_contain_text("Create1")
    expect(counts).to_contain_text("Re-anchored3")
    expect(counts).to_contain_text("Refused4")
    rows = page.get_by_role("table", name="Annotation by annotation").get_by_role("row")
    expect(rows).to_have_count(9)  # the header and eight annotations
    expect(rows.nth(8)).to_contain_text("A reply to another annotation")
    expect(rows.nth(6)).to_contain_text("A page note: it marks no passage of the text.")
    page.screenshot(path=SHOTS / "import-preview.png", full_page=True)
    assert not Claim.objects.exists()

    page.get_by_role("button", name="Import 4 annotations").click()
    expect(
        page.get_by_text(re.compile("Imported 4 claims, 0 links and 0 evidence"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="On the Kirov Assassination", level=1)).to_be_visible()
    expect(page.locator("#claim-count")).to_contain_text("4 claims")
    page.screenshot(path=SHOTS / "import-done.png")
    assert Claim.objects.filter(document=kirov).count() == 4
    assert len(painted(page)["claim-depth-1"]) == 4


def test_a_large_file_s_preview_shows_once_its_job_has_prepared_it(page, tmp_path, monkeypatch):
    monkeypatch.setattr(import_views, "ANNOTATIONS_PREVIEWED_IN_REQUEST", 2)
    kirov = load_seed(tmp_path / "seeds", "003_")[0]
    make_user("annotator", username="ana")
    sign_in(page, "ana")
    open_document(page, kirov)
    page.get_by_role("link", name="Import annotations (W3C or Hypothesis)").click()
    page.get_by_label("Annotation file").set_input_files(SAMPLE)
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Preparing the preview", level=1)).to_be_visible()
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    page.screenshot(path=Path("/tmp/h21c") / "import-preparing.png", full_page=True)
    # A worker takes the job, as `manage.py db_worker` does beside the site.
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert Job.objects.get().state == JobState.DONE

    expect(page.get_by_role("heading", name="Preview the import", level=1)).to_be_visible()
    counts = page.locator("dl.import-counts")
    expect(counts).to_contain_text("Re-anchored3")
    expect(counts).to_contain_text("Refused4")
    page.screenshot(path=Path("/tmp/h21c") / "import-preview-after-job.png", full_page=True)
    page.get_by_role("button", name="Import 4 annotations").click()
    expect(page.get_by_text(re.compile("Imported 4 claims"))).to_be_visible()
    assert Claim.objects.filter(document=kirov).count() == 4
