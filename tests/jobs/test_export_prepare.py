"""The Export page's "Prepare a file": the same CSV as the streamed download, written by a
job, followed on the page and downloaded from the job."""

import pytest
from django.urls import reverse

from jobs import storage
from jobs.models import Job, JobState
from tests.factories import make_claim, make_document, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture
def claims():
    author = make_user("annotator")
    document = make_document('Alpha, "beta" gamma\n\n=delta epsilon.')
    return [make_claim(document, user=author, quote=word, topics=["T"])
            for word in ("Alpha", '"beta"', "=delta")]  # fmt: skip


def test_a_prepared_file_is_the_download_and_the_page_follows_it(
    annotator_client, claims, django_capture_on_commit_callbacks
):
    query = {"dataset": "claims", "document": claims[0].document_id, "excel": "1"}
    streamed = annotator_client.get(reverse("claims:export-download"), query)
    streamed_bytes = b"".join(streamed.streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        response = annotator_client.post(reverse("claims:export-prepare"), query)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('claims:export')}?job={job.public_id}"
    assert job.state == JobState.DONE and job.label == "Claims as CSV"
    assert (job.progress_done, job.progress_total, job.summary) == (3, 3, "3 rows.")
    assert storage.full_path(job.result_path).read_bytes() == streamed_bytes
    assert job.result_filename == streamed["Content-Disposition"].split('"')[1]

    page = annotator_client.get(response["Location"]).content.decode()
    assert f'data-job-api="/api/jobs/{job.public_id}/"' in page
    assert f'href="/jobs/{job.public_id}/download/"' in page and "Download claims-" not in page
    assert 'src="/static/jobs/jobs.js"' in page


def test_the_page_shows_no_one_elses_job(annotator_client, claims):
    other = make_user("annotator")
    job = Job.objects.create(requested_by=other, kind="export_dataset", label="Theirs")
    page = annotator_client.get(reverse("claims:export"), {"job": str(job.public_id)})
    assert "Theirs" not in page.content.decode()
    page = annotator_client.get(reverse("claims:export"), {"job": "not-a-uuid"})
    assert page.status_code == 200 and "data-job-api" not in page.content.decode()


def test_bad_filters_prepare_nothing(annotator_client, claims):
    response = annotator_client.post(
        reverse("claims:export-prepare"), {"dataset": "claims", "document": "nope"}
    )
    assert response.status_code == 400 and Job.objects.count() == 0
    unknown = annotator_client.post(reverse("claims:export-prepare"), {"dataset": "nope"})
    assert unknown.status_code == 404
    assert annotator_client.get(reverse("claims:export-prepare")).status_code == 405
