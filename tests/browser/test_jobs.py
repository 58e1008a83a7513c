"""Background jobs as a person sees them, against the real stack: the app served by
`manage.py runserver` and jobs run by a separate worker process, on a database they share.

An editor exports 20,000 claims from the admin, watches the progress bar move and
downloads the file; an import that fails shows its error on the page and the Jobs page.
Screenshots go to /tmp/h5-shots/."""

import csv
import io
import re
import socket
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.anchoring import anchor
from claims.models import Claim, search_key
from corpus.models import Document
from tests.browser.test_csp import CspWatch
from tests.factories import PASSWORD, make_document, make_user
from tests.jobs.fixtures import shared_db, start_worker, worker_url  # noqa: F401
from tests.jobs.workers import ROOT, environment, wait_until

SHOTS = Path("/tmp/h5-shots")
CLAIMS = 20_000
# Every value the page's progress bars took, recorded as the page's script sets them.
WATCH_PROGRESS = """
window.__progress = [];
new MutationObserver((records) => {
  for (const record of records) {
    const value = record.target.getAttribute("value");
    if (record.target.tagName === "PROGRESS" && value !== null) {
      window.__progress.push(Number(value));
    }
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["value"] });
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def site(shared_db, start_worker, tmp_path):  # noqa: F811
    """The app served on a free port (jobs of 1,000 rows or more, and every import, run
    as jobs) beside a worker process; its address."""
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env=environment(shared_db, ALLOWED_HOSTS="127.0.0.1,localhost",
                        CROSSCHECK_EXPORT_JOB_ROWS="1000", CROSSCHECK_IMPORT_JOB_ROWS="0"),
    )  # fmt: skip
    start_worker()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{url}/accounts/login/"), "the server to answer")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def browser_page(browser, site):
    context = browser.new_context(
        base_url=site, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def make_many_claims(document: Document, count: int, users) -> None:
    """``count`` claims on word spans of ``document``, anchored as the services anchor."""
    text = document.text
    words = [match.span() for match in re.finditer(r"\S+", text)]
    cycle = len(words) - 3  # spans of 2, 3 or 4 words from each of these
    claims = []
    for number in range(count):
        first = number % cycle
        start, end = words[first][0], words[first + 1 + number // cycle % 3][1]
        user = users[number // (cycle * 3)]
        anchored = anchor(text, start, end, text[start:end])
        statement = f"Claim {number} says {anchored['quote'][:40]}"
        search_text = search_key(statement, anchored["quote"])
        claims.append(
            Claim(document=document, statement=statement, created_by=user,
                  search_text=search_text, **anchored)
        )  # fmt: skip
    Claim.objects.bulk_create(claims, batch_size=2000)


def test_an_editor_exports_20000_claims_watches_the_progress_and_downloads_the_file(
    browser_page: Page,
):
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    editor = make_user("editor", username=f"editor-{uuid.uuid4().hex[:6]}")
    document = make_document(" ".join(f"word{number}" for number in range(2_100)))
    make_many_claims(document, CLAIMS, [make_user("annotator") for _ in range(4)])
    assert Claim.objects.filter(document=document).count() == CLAIMS
    watch = CspWatch(page)
    page.context.add_init_script(WATCH_PROGRESS)
    sign_in(page, editor.username)

    page.goto(f"/admin/claims/claim/export/?document__id__exact={document.pk}")
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()

    job = page.locator("[data-job]")
    expect(job.get_by_role("heading")).to_have_text(f"Export of {CLAIMS:,} claims as CSV")
    page.screenshot(path=SHOTS / "admin-export-progress.png", full_page=True)
    expect(job.locator("[data-job-state-label]")).to_have_text("Done", timeout=120_000)
    expect(page.locator("[data-job-announcer]")).to_have_text(
        f"Export of {CLAIMS:,} claims as CSV is done."
    )
    seen = page.evaluate("window.__progress")
    assert any(0 < value < 100 for value in seen), f"the bar never moved: {seen}"
    assert seen[-1] == 100 and seen == sorted(seen)
    page.screenshot(path=SHOTS / "admin-export-done.png", full_page=True)

    link = job.get_by_role("link", name=re.compile(r"^Download crosscheck-claims-.*\.csv$"))
    with page.expect_download() as download:
        link.click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(saved)))
    assert len(rows) == CLAIMS and {row["document"] for row in rows} == {document.checksum}

    page.goto("/jobs/")
    expect(page.get_by_role("heading", name=f"Export of {CLAIMS:,} claims as CSV")).to_be_visible()
    page.screenshot(path=SHOTS / "jobs-page.png", full_page=True)
    watch.settle()
    watch.assert_clean()


def test_a_failing_import_shows_its_error_on_the_jobs_page(browser_page: Page, tmp_path):
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    editor = make_user("editor", username=f"editor-{uuid.uuid4().hex[:6]}")
    document = make_document("The minister resigned on Tuesday, the paper said.")
    upload = tmp_path / "claims.csv"
    start = document.text.index("minister")
    upload.write_text(
        "public_id,document,start,end,quote,statement,topics,created_by\n"
        f"{uuid.uuid4()},{document.checksum},{start},{start + 8},minister,The minister,,\n"
    )
    sign_in(page, editor.username)
    page.goto("/admin/claims/claim/import/")
    page.get_by_label("File to import").set_input_files(upload)
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("button", name="Confirm import")).to_be_visible()

    # Between the preview and the confirmation, someone deletes the document.
    Document.objects.filter(pk=document.pk).delete()
    watch = CspWatch(page)  # from here on: the preview's own diff styles are not the jobs'
    page.get_by_role("button", name="Confirm import").click()

    job = page.locator("[data-job]")
    expect(job.locator("[data-job-state-label]")).to_have_text("Failed", timeout=60_000)
    error = job.get_by_role("alert")
    expect(error).to_contain_text("Nothing was imported: 1 row with errors.")
    expect(error).to_contain_text(document.checksum)
    page.screenshot(path=SHOTS / "admin-import-failed.png", full_page=True)

    page.goto("/jobs/")
    failed = page.locator("[data-job]").filter(has_text="Import of 1 claim from claims.csv")
    expect(failed.locator("[data-job-state-label]")).to_have_text("Failed")
    expect(failed.get_by_role("alert")).to_contain_text("Nothing was imported")
    page.screenshot(path=SHOTS / "jobs-page-failed-import.png", full_page=True)
    assert not Claim.objects.filter(statement="The minister").exists()
    watch.settle()
    watch.assert_clean()


def test_the_export_page_prepares_a_file_and_says_when_it_is_ready(browser_page: Page):
    page = browser_page
    annotator = make_user("annotator", username=f"annotator-{uuid.uuid4().hex[:6]}")
    document = make_document(" ".join(f"term{number}" for number in range(300)))
    make_many_claims(document, 600, [annotator])
    watch = CspWatch(page)
    sign_in(page, annotator.username)
    page.goto("/export/")
    claims_form = page.get_by_role("form", name="Export claims")
    claims_form.get_by_label("Excel-friendly (UTF-8 byte-order mark)").check()
    claims_form.get_by_role("button", name="Prepare a file").click()

    expect(page).to_have_url(re.compile(r"/export/\?job="))
    job = page.locator("[data-job]")
    expect(job.get_by_role("heading")).to_have_text("Claims as CSV")
    expect(job.locator("[data-job-state-label]")).to_have_text("Done", timeout=60_000)
    expect(page.locator("[data-job-announcer]")).to_have_text("Claims as CSV is done.")
    every = Claim.objects.count()  # the module's database: earlier tests' claims too
    expect(job.locator("[data-job-summary]")).to_have_text(f"{every:,} rows.")
    page.screenshot(path=SHOTS / "export-page-prepared.png", full_page=True)
    with page.expect_download() as download:
        job.get_by_role("link", name=re.compile(r"^Download crosscheck-claims-")).click()
    saved = Path(download.value.path()).read_bytes()
    assert saved.startswith("\ufeffclaim_id,".encode())
    assert len(list(csv.DictReader(io.StringIO(saved.decode("utf-8-sig"))))) == every
    watch.settle()
    watch.assert_clean()
