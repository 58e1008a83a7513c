"""The Import pages: upload → preview → confirm, at once or as a job for large files."""

import json
import subprocess
import sys
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim
from interchange import import_views, importing
from interchange.models import ImportedAnnotation, ImportUpload
from interchange.tasks import import_annotations, preview_annotations
from jobs.models import Job, JobState
from jobs.runner import HOST
from jobs.services import job_fail_if_lost, job_start
from tests.factories import make_document, make_user
from tests.jobs.conftest import IMMEDIATE

pytestmark = pytest.mark.django_db

TEXT = "Kirov was shot on 1 December 1934.\n\nNikolayev and 13 others were shot.\n"


def _annotation(quote: str, statement: str = "It says so.", id: str = "urn:x:1") -> dict:
    return {
        "id": id,
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "describing", "value": statement}],
        "target": {"selector": {"type": "TextQuoteSelector", "exact": quote}},
    }


def _file(value, name="annotations.json") -> SimpleUploadedFile:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return SimpleUploadedFile(name, data, content_type="application/json")


@pytest.fixture
def document():
    return make_document(TEXT)


def _upload(client, document, value) -> Any:
    return client.post(reverse("interchange:import", args=[document.pk]), {"file": _file(value)})


def test_upload_preview_and_confirm_create_the_claims(annotator_client, annotator, document):
    value = [_annotation("Kirov was shot on 1 December 1934."),
             _annotation("Nikolayev and 13 others were shot.", id="urn:x:2"),
             _annotation("Bukharin confessed everything in March 1938.", id="urn:x:3")]  # fmt: skip
    response = _upload(annotator_client, document, value)
    upload = ImportUpload.objects.get()
    preview_url = reverse("interchange:import-preview", args=[document.pk, upload.public_id])
    assert response.status_code == 302 and response["Location"] == preview_url
    page = annotator_client.get(preview_url).content.decode()
    assert "<dt>Re-anchored</dt><dd>2</dd>" in page and "<dt>Refused</dt><dd>1</dd>" in page
    assert "Its quote “Bukharin confessed everything in March 1938.” is not in" in page
    assert "Import 2 annotations" in page
    assert not Claim.objects.exists()

    confirm = reverse("interchange:import-confirm", args=[document.pk, upload.public_id])
    response = annotator_client.post(confirm, follow=True)
    assert response.redirect_chain[-1][0] == document.get_absolute_url()
    assert "Imported 2 claims, 0 links and 0 evidence; 0 already there, 1 refused." in (
        response.content.decode()
    )
    assert sorted(Claim.objects.values_list("start", "created_by")) == [
        (0, annotator.pk), (36, annotator.pk)
    ]  # fmt: skip
    assert not ImportUpload.objects.pending().exists()


def test_a_double_confirm_imports_once_and_says_so(annotator_client, document):
    _upload(annotator_client, document, _annotation("Kirov was shot on 1 December 1934."))
    upload = ImportUpload.objects.get()
    confirm = reverse("interchange:import-confirm", args=[document.pk, upload.public_id])
    annotator_client.post(confirm)
    response = annotator_client.post(confirm, follow=True)
    assert importing.ERROR_UPLOAD_GONE in response.content.decode()
    assert Claim.objects.count() == 1 and ImportedAnnotation.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "The file is not valid JSON: Expecting property name enclosed in double "
                       "quotes at line 1, column 2."),
        (b"\x00\xff\xfe", importing.ERROR_NOT_UTF8),
        (b"{}", importing.ERROR_NO_ANNOTATIONS),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_with_a_clear_message(annotator_client, document, data, message):
    response = _upload(annotator_client, document, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportUpload.objects.exists() and not Claim.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    annotator_client, document, settings
):
    settings.CROSSCHECK_MAX_IMPORT_BYTES = 50
    response = _upload(annotator_client, document, b"[" + b" " * 60 + b"]")
    assert response.status_code == 400
    assert "The file is 62\xa0bytes; at most 50\xa0bytes can be imported at once." in (
        response.content.decode()
    )
    assert not ImportUpload.objects.exists()


def test_someone_else_s_upload_is_not_found_and_not_confirmed(annotator_client, document):
    other = make_user("annotator")
    upload = ImportUpload.objects.create(
        document=document, uploaded_by=other, filename="a.json",
        data=json.dumps(_annotation("Kirov was shot on 1 December 1934.")).encode(),
    )  # fmt: skip
    args = [document.pk, upload.public_id]
    assert annotator_client.get(reverse("interchange:import-preview", args=args)).status_code == 404
    annotator_client.post(reverse("interchange:import-confirm", args=args))
    assert not Claim.objects.exists() and ImportUpload.objects.exists()


def test_reviewers_and_signed_out_visitors_cannot_import(reviewer_client, client, document):
    url = reverse("interchange:import", args=[document.pk])
    assert reviewer_client.get(url).status_code == 403
    value = _annotation("Kirov was shot on 1 December 1934.")
    assert reviewer_client.post(url, {"file": _file(value)}).status_code == 403
    assert client.post(url, {"file": _file(value)}).status_code == 302
    assert not ImportUpload.objects.exists()


def test_confirm_takes_only_post(annotator_client, document):
    _upload(annotator_client, document, _annotation("Kirov was shot on 1 December 1934."))
    upload = ImportUpload.objects.get()
    confirm = reverse("interchange:import-confirm", args=[document.pk, upload.public_id])
    assert annotator_client.get(confirm).status_code == 405
    assert not Claim.objects.exists()


def test_a_large_file_is_imported_by_a_job(
    annotator_client, annotator, document, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"
    settings.CROSSCHECK_IMPORT_JOB_ROWS = 1
    value = [_annotation("Kirov was shot on 1 December 1934."),
             _annotation("Nikolayev and 13 others were shot.", id="urn:x:2")]  # fmt: skip
    _upload(annotator_client, document, value)
    upload = ImportUpload.objects.get()
    preview = reverse("interchange:import-preview", args=[document.pk, upload.public_id])
    assert "The import runs in the background" in annotator_client.get(preview).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = annotator_client.post(
            reverse("interchange:import-confirm", args=[document.pk, upload.public_id])
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.public_id])
    assert (job.state, job.requested_by) == (JobState.DONE, annotator)
    assert job.summary == "Imported 2 claims, 0 links and 0 evidence; 0 already there, 0 refused."
    assert Claim.objects.count() == 2 and not ImportUpload.objects.pending().exists()


def test_a_small_file_is_previewed_at_once_without_a_job(annotator_client, document):
    _upload(annotator_client, document, [_annotation("Kirov was shot on 1 December 1934.")])
    upload = ImportUpload.objects.get()
    preview = reverse("interchange:import-preview", args=[document.pk, upload.public_id])
    page = annotator_client.get(preview).content.decode()
    assert "<dt>Re-anchored</dt><dd>1</dd>" in page and "Import 1 annotation" in page
    assert not Job.objects.exists()
    upload.refresh_from_db()
    assert (upload.preview_job, upload.plan) == (None, None)


@pytest.fixture
def previewed_by_a_job(monkeypatch):
    """Files of more than one annotation have their preview prepared by a job."""
    monkeypatch.setattr(import_views, "ANNOTATIONS_PREVIEWED_IN_REQUEST", 1)


LARGE = [
    _annotation("Kirov was shot on 1 December 1934."),
    _annotation("Nikolayev and 13 others were shot.", id="urn:x:2"),
    _annotation("Bukharin confessed everything in March 1938.", id="urn:x:3"),
]


def test_a_large_file_s_preview_is_prepared_by_a_job_then_shown(
    annotator_client, annotator, document, previewed_by_a_job, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(annotator_client, document, LARGE)
    upload, job = ImportUpload.objects.get(), Job.objects.get()
    preview = reverse("interchange:import-preview", args=[document.pk, upload.public_id])
    assert response["Location"] == preview
    assert (upload.preview_job, job.requested_by, job.state) == (job, annotator, JobState.DONE)
    assert job.summary == "Preview ready: 2 of 3 annotations can be imported."
    assert upload.plan is not None
    assert [row["action"] for row in upload.plan["rows"]] == ["reanchor", "reanchor", "refuse"]
    assert not Claim.objects.exists()

    page = annotator_client.get(preview).content.decode()
    assert "<dt>Re-anchored</dt><dd>2</dd>" in page and "<dt>Refused</dt><dd>1</dd>" in page
    assert "Its quote “Bukharin confessed everything in March 1938.” is not in" in page
    confirm = reverse("interchange:import-confirm", args=[document.pk, upload.public_id])
    annotator_client.post(confirm)
    assert Claim.objects.count() == 2 and not ImportUpload.objects.pending().exists()


def test_the_kept_preview_is_shown_without_planning_again(
    annotator_client, document, previewed_by_a_job, settings, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        _upload(annotator_client, document, LARGE)
    upload = ImportUpload.objects.get()

    def no_plan(**kwargs):
        raise AssertionError("planned again")

    monkeypatch.setattr(import_views, "import_plan", no_plan)
    preview = reverse("interchange:import-preview", args=[document.pk, upload.public_id])
    assert "<dt>Re-anchored</dt><dd>2</dd>" in annotator_client.get(preview).content.decode()


def test_while_its_job_waits_the_preview_page_shows_the_job_s_progress(
    annotator_client, document, previewed_by_a_job
):
    _upload(annotator_client, document, LARGE)  # the job is queued once committed: not run
    upload, job = ImportUpload.objects.get(), Job.objects.get()
    preview = reverse("interchange:import-preview", args=[document.pk, upload.public_id])
    response = annotator_client.get(preview)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Preparing the preview</h1>" in page and "Waiting for a worker" in page
    assert reverse("jobs:api-job", args=[job.public_id]) in page
    assert "import-preparing.js" in page and "Import 2 annotations" not in page
    assert job.state == JobState.QUEUED and upload.preview_job == job and upload.plan is None


@pytest.mark.parametrize("gone", ["deleted", "imported"])
def test_a_preview_job_whose_upload_is_gone_fails_with_a_clear_message(
    annotator_client, annotator, document, previewed_by_a_job, settings, gone
):
    settings.TASKS = IMMEDIATE
    _upload(annotator_client, document, LARGE)  # queued once committed: not run yet
    job = Job.objects.get()
    upload = ImportUpload.objects.get()
    if gone == "deleted":
        upload.delete()
    else:
        importing.import_apply(upload=upload, user=annotator)
    preview_annotations.enqueue(job_id=job.pk, upload_id=upload.pk)
    job.refresh_from_db()
    assert (job.state, job.error) == (JobState.FAILED, importing.ERROR_UPLOAD_GONE)
    if gone == "imported":  # the receipt is left as it was
        assert ImportUpload.objects.get().plan is None


def test_a_preview_job_does_not_plan_another_person_s_upload(document, annotator, settings):
    settings.TASKS = IMMEDIATE
    other = make_user("annotator")
    upload = ImportUpload.objects.create(
        document=document, uploaded_by=other, filename="a.json", annotation_count=3,
        data=json.dumps(LARGE).encode(),
    )  # fmt: skip
    job = Job.objects.create(requested_by=annotator, kind="preview", label="Preview")
    preview_annotations.enqueue(job_id=job.pk, upload_id=upload.pk)
    job.refresh_from_db()
    upload.refresh_from_db()
    assert (job.state, job.error) == (JobState.FAILED, importing.ERROR_NOT_ANNOTATOR)
    assert upload.plan is None


def test_a_long_preview_lists_its_annotations_page_by_page(annotator_client, document, monkeypatch):
    monkeypatch.setattr(import_views, "ROWS_PER_PAGE", 2)
    _upload(annotator_client, document, LARGE)
    upload = ImportUpload.objects.get()
    preview = reverse("interchange:import-preview", args=[document.pk, upload.public_id])
    first = annotator_client.get(preview).content.decode()
    assert "Annotations 1–2 of 3." in first and 'rel="next"' in first
    assert first.count('<tr class="import-') == 2 and "Bukharin" not in first
    assert "<dt>Refused</dt><dd>1</dd>" in first and "Import 2 annotations" in first
    second = annotator_client.get(preview, {"page": 2}).content.decode()
    assert "Annotations 3–3 of 3." in second and second.count('<tr class="import-') == 1
    assert "Its quote “Bukharin confessed everything in March 1938.” is not in" in second


def _import_by_a_job(client, document, settings, captured) -> tuple[ImportUpload, Job]:
    """A two-annotation file imported by a job, run at once."""
    settings.TASKS = IMMEDIATE
    settings.CROSSCHECK_IMPORT_JOB_ROWS = 1
    _upload(client, document, LARGE[:2])
    upload = ImportUpload.objects.get()
    with captured(execute=True):
        client.post(reverse("interchange:import-confirm", args=[document.pk, upload.public_id]))
    return upload, Job.objects.get()


def _lost_after_its_last_commit(job: Job) -> Job:
    """``job`` as it stands when its worker died after the task's last commit, before the
    runner recorded it done: running, in a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, finished_at=None, summary="", worker=f"{HOST} {child.pid} 1"
    )
    job.refresh_from_db()
    return job


def test_an_import_job_started_again_after_its_import_committed_ends_done_with_its_summary(
    annotator_client, document, settings, django_capture_on_commit_callbacks
):
    _, job = _import_by_a_job(annotator_client, document, settings,
                              django_capture_on_commit_callbacks)  # fmt: skip
    summary = "Imported 2 claims, 0 links and 0 evidence; 0 already there, 0 refused."
    assert (job.state, job.summary) == (JobState.DONE, summary)
    job = _lost_after_its_last_commit(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert job_fail_if_lost(job).state == JobState.QUEUED  # started again, and run
    job.refresh_from_db()
    assert (job.state, job.summary, job.error, job.attempt) == (JobState.DONE, summary, "", 2)
    assert Claim.objects.count() == 2 and ImportedAnnotation.objects.count() == 2


def test_a_second_job_importing_an_imported_upload_fails_and_imports_nothing(
    annotator_client, annotator, document, settings, django_capture_on_commit_callbacks
):
    """Two confirms at once can start two jobs: the second says the import was done
    already, not that it imported the claims itself."""
    upload, _ = _import_by_a_job(annotator_client, document, settings,
                                 django_capture_on_commit_callbacks)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        second = job_start(task=import_annotations, user=annotator, label="Import",
                           upload_id=upload.pk)  # fmt: skip
    second.refresh_from_db()
    assert (second.state, second.error) == (JobState.FAILED, importing.ERROR_UPLOAD_GONE)
    assert Claim.objects.count() == 2 and ImportedAnnotation.objects.count() == 2


def test_an_imported_upload_s_pages_answer_as_for_a_gone_one(annotator_client, document):
    _upload(annotator_client, document, _annotation("Kirov was shot on 1 December 1934."))
    upload = ImportUpload.objects.get()
    args = [document.pk, upload.public_id]
    annotator_client.post(reverse("interchange:import-confirm", args=args))
    receipt = ImportUpload.objects.get()  # kept as the import's receipt
    assert receipt.imported_at is not None and bytes(receipt.data) == b""
    assert annotator_client.get(reverse("interchange:import-preview", args=args)).status_code == 404
    response = annotator_client.post(reverse("interchange:import-confirm", args=args), follow=True)
    assert response.redirect_chain[-1][0] == document.get_absolute_url()
    assert importing.ERROR_UPLOAD_GONE in response.content.decode()
    assert Claim.objects.count() == 1 and ImportedAnnotation.objects.count() == 1
