"""The admin's large exports and imports run as jobs (crosscheck.admin_import_export):
the same file as the answer given at once, the same all-or-nothing import."""

import csv
import io
import uuid

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from claims.models import Claim
from claims.resources import ClaimResource
from corpus.models import Document
from corpus.resources import DocumentResource
from jobs import storage
from jobs.models import Job, JobState
from tests.factories import make_claim, make_document, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

EXPORT_URL = reverse("admin:claims_claim_export")
COLUMNS = {f"claimresource_{name}": "on" for name in ClaimResource().get_export_order()}


@pytest.fixture
def claims():
    author = make_user("annotator")
    document = make_document("One two three four five six seven eight.")
    words = ["One", "two", "three", "four", "five"]
    claims = [make_claim(document, user=author, quote=w, topics=["A"]) for w in words]
    claims[0].statement = 'A statement, with a comma,\na line break and "quotes" =1+1'
    claims[0].save()
    return claims


@pytest.fixture
def editor_client(client):
    client.force_login(make_user("editor"))
    return client


def export(client, fmt: str, url: str = EXPORT_URL):
    return client.post(url, {"format": fmt, "resource": "0", **COLUMNS})


def the_job() -> Job:
    return Job.objects.get()


def result_bytes(job: Job) -> bytes:
    return storage.full_path(job.result_path).read_bytes()


@pytest.mark.parametrize("fmt", ["0", "1", "2"], ids=["csv", "xlsx", "json"])
def test_a_large_export_is_a_job_whose_file_is_the_one_given_at_once(
    editor_client, claims, settings, fmt, django_capture_on_commit_callbacks
):
    at_once = export(editor_client, fmt)
    assert at_once.status_code == 200 and Job.objects.count() == 0
    settings.CROSSCHECK_EXPORT_JOB_ROWS = 4
    with django_capture_on_commit_callbacks(execute=True):
        page = export(editor_client, fmt)
    assert page.status_code == 200 and "jobs/admin_job.html" in [t.name for t in page.templates]
    job = the_job()
    assert job.state == JobState.DONE and job.kind == "admin_export"
    name = {"0": "CSV", "1": "XLSX", "2": "JSON"}[fmt]
    assert job.label == f"Export of 5 claims as {name}"
    assert job.request_id == page["X-Request-ID"]
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert job.result_filename == at_once["Content-Disposition"].split('"')[1]
    assert job.result_content_type == at_once["Content-Type"]
    if fmt == "1":  # a workbook records when it was written: compare the cells
        sheets = [openpyxl.load_workbook(io.BytesIO(data)).active
                  for data in (at_once.content, result_bytes(job))]  # fmt: skip
        assert list(sheets[0].values) == list(sheets[1].values)
        assert len(list(sheets[1].values)) == 6
        for sheet in sheets:
            assert sheet.freeze_panes == "A2" and sheet.title == "Tablib Dataset"
            assert sheet["A1"].font.b and not sheet["A2"].font.b
        widths = [{k: d.width for k, d in sheet.column_dimensions.items()} for sheet in sheets]
        assert widths[0] == widths[1]
    else:
        assert result_bytes(job) == at_once.content
    content = page.content.decode()
    assert f'data-job-api="/api/jobs/{job.public_id}/"' in content
    assert 'src="/static/jobs/jobs.js"' in content and "Jobs page" in content


def test_a_job_export_keeps_the_lists_filters(
    editor_client, claims, settings, django_capture_on_commit_callbacks
):
    settings.CROSSCHECK_EXPORT_JOB_ROWS = 0
    other = make_claim(make_document("A different text altogether."), quote="different")
    url = f"{EXPORT_URL}?document__id__exact={other.document_id}"
    with django_capture_on_commit_callbacks(execute=True):
        export(editor_client, "0", url)
    rows = list(csv.DictReader(io.StringIO(result_bytes(the_job()).decode("utf-8"))))
    assert [row["public_id"] for row in rows] == [str(other.public_id)]


def test_an_export_job_of_an_editor_who_lost_the_role_fails(
    client, claims, settings, django_capture_on_commit_callbacks
):
    settings.CROSSCHECK_EXPORT_JOB_ROWS = 0
    editor = make_user("editor")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export(client, "0")
    editor.groups.clear()
    for callback in callbacks:
        callback()
    job = the_job()
    assert job.state == JobState.FAILED
    assert job.error == "You may no longer export claims: nothing was done."
    assert storage.all_names() == []


def preview(client, rows: list[str]):
    upload = io.BytesIO("\n".join(rows).encode())
    upload.name = "claims.csv"
    response = client.post(
        reverse("admin:claims_claim_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200 and response.context["confirm_form"] is not None
    return response.context["confirm_form"].initial


def claim_rows(document: Document, count: int) -> list[str]:
    words = document.text.split()
    rows = ["public_id,document,start,end,quote,statement,topics,created_by"]
    for number in range(count):
        word = words[number]
        start = document.text.index(word)
        rows.append(f"{uuid.uuid4()},{document.checksum},{start},{start + len(word)},"
                    f"{word},Says {word},Imported,")  # fmt: skip
    return rows


def test_a_large_confirmed_import_is_a_job_that_imports_like_the_admin(
    editor_client, settings, django_capture_on_commit_callbacks
):
    settings.CROSSCHECK_IMPORT_JOB_ROWS = 2
    document = make_document("Alpha beta gamma delta epsilon.")
    confirm = preview(editor_client, claim_rows(document, 4))
    with django_capture_on_commit_callbacks(execute=True):
        page = editor_client.post(
            reverse("admin:claims_claim_process_import"), {**confirm, "keep_provenance": ""}
        )
    assert page.status_code == 200 and "jobs/admin_job.html" in [t.name for t in page.templates]
    job = the_job()
    assert job.state == JobState.DONE, job.error
    assert job.label == "Import of 4 claims from claims.csv"
    assert job.summary == "Import finished: 4 new, 0 updated, 0 deleted and 0 skipped claims."
    assert (job.progress_done, job.progress_total) == (4, 4)
    assert job.input_path == "" and storage.all_names() == []
    editor = job.requested_by
    assert Claim.objects.filter(created_by=editor).count() == 4
    claim = Claim.objects.first()
    record = claim.history.earliest()
    assert record.history_user == editor and record.history_change_reason == "import"
    assert LogEntry.objects.filter(user=editor).count() == 4


def test_an_import_job_that_meets_a_bad_row_imports_nothing_and_says_why(
    editor_client, settings, django_capture_on_commit_callbacks
):
    settings.CROSSCHECK_IMPORT_JOB_ROWS = 0
    document = make_document("Alpha beta gamma delta epsilon.")
    confirm = preview(editor_client, claim_rows(document, 3))
    # Between the preview and the confirmation, someone deletes the document.
    Document.objects.filter(pk=document.pk).delete()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("admin:claims_claim_process_import"), {**confirm, "keep_provenance": ""}
        )
    job = the_job()
    assert job.state == JobState.FAILED
    assert job.error.startswith("Nothing was imported: 3 rows with errors. Row 1: document: ")
    assert f"“{document.checksum}” in this Crosscheck." in job.error
    assert Claim.objects.count() == 0 and storage.all_names() == []


def test_a_small_import_still_answers_at_once(editor_client, settings):
    document = make_document("Alpha beta gamma delta epsilon.")
    confirm = preview(editor_client, claim_rows(document, 2))
    done = editor_client.post(
        reverse("admin:claims_claim_process_import"), {**confirm, "keep_provenance": ""}
    )
    assert done.status_code == 302 and Claim.objects.count() == 2 and Job.objects.count() == 0


def test_documents_whose_text_spans_columns_export_whole_as_a_job(
    editor_client, settings, django_capture_on_commit_callbacks
):
    make_document("Line one.\n\nLine two, with a comma."), make_document("Short.")
    url = reverse("admin:corpus_document_export")
    form = {"format": "0", "resource": "0"}
    form |= {f"documentresource_{name}": "on" for name in DocumentResource().get_export_order()}
    at_once = editor_client.post(url, form)
    settings.CROSSCHECK_EXPORT_JOB_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, form)
    job = the_job()
    assert job.state == JobState.DONE and job.label == "Export of 2 documents as CSV"
    assert result_bytes(job) == at_once.content and b"Line two, with a comma." in at_once.content
