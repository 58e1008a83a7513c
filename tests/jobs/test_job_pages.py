"""The Jobs page, a job's page, its JSON, Cancel and the result's download."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs import storage
from jobs.models import NOTE_STARTED_AGAIN, Job, JobState
from jobs.runner import worker_identity
from jobs.services import ERROR_WORKER_LOST
from jobs.views import MESSAGE_CANCELLED, MESSAGE_CANCELLING
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def make_job(user, state=JobState.QUEUED, **fields) -> Job:
    now = timezone.now()
    if state != JobState.QUEUED:
        fields.setdefault("started_at", now)
    if state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED):
        fields.setdefault("finished_at", now)
    fields.setdefault("label", f"Export for {user.username}")
    return Job.objects.create(requested_by=user, kind="count_to", state=state, **fields)


def done_with_file(user, content=b"a,b\r\n1,2\r\n", filename="claims.csv") -> Job:
    job = make_job(user)
    path = storage.new_name(job.public_id, filename)
    with storage.writing(path) as stream:
        stream.write(content)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE, started_at=timezone.now(), finished_at=timezone.now(),
        result_path=path, result_filename=filename, result_content_type="text/csv",
        result_size=len(content), progress_done=2, progress_total=2,
    )  # fmt: skip
    job.refresh_from_db()
    return job


def test_the_jobs_page_lists_ones_own_jobs_and_editors_see_everyones(
    annotator, annotator_client, editor_client
):
    mine = make_job(annotator, label="My export")
    theirs = make_job(make_user("annotator"), label="Their export")
    page = annotator_client.get(reverse("jobs:list")).content.decode()
    assert "My export" in page and "Their export" not in page
    assert "Your background work" in page
    page = editor_client.get(reverse("jobs:list")).content.decode()
    assert "My export" in page and "Their export" in page and "Everyone" in page
    assert f'data-job-api="/api/jobs/{mine.public_id}/"' in page
    assert f"/api/jobs/{theirs.public_id}/" in page
    assert 'src="/static/jobs/jobs.js"' in page and "<script>" not in page


def test_a_running_job_shows_its_progress_bar_and_cancel_button(annotator, annotator_client):
    job = make_job(annotator, JobState.RUNNING, worker=worker_identity(), progress_done=30,
                   progress_total=120, progress_label="Writing rows")  # fmt: skip
    page = annotator_client.get(job.get_absolute_url()).content.decode()
    assert 'max="100" value="25"' in page
    assert "Writing rows: 30 of 120" in page
    assert f'action="/jobs/{job.public_id}/cancel/"' in page


def test_the_json_says_how_far_a_job_is(annotator, annotator_client):
    job = make_job(annotator, JobState.RUNNING, worker=worker_identity(), progress_done=5,
                   progress_total=20, progress_label="Reading")  # fmt: skip
    response = annotator_client.get(reverse("jobs:api-job", args=[job.public_id]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert data | {"created": None, "started": None} == {
        "id": str(job.public_id), "label": job.label, "state": "running",
        "state_label": "Running", "done": 5, "total": 20, "percent": 25,
        "progress_label": "Reading", "cancel_requested": False, "can_cancel": True,
        "finished": False, "summary": "", "error": "", "attempt": 1, "attempts": 2,
        "attempt_note": "", "download_url": None,
        "filename": None, "size": None, "requested_by": annotator.username,
        "created": None, "started": None, "ended": None,
    }  # fmt: skip


def test_the_json_of_a_finished_job_links_its_file(annotator, annotator_client):
    job = done_with_file(annotator)
    data = annotator_client.get(reverse("jobs:api-job", args=[job.public_id])).json()
    assert data["download_url"] == f"/jobs/{job.public_id}/download/"
    assert (data["filename"], data["size"], data["percent"]) == ("claims.csv", 10, 100)
    assert data["finished"] and not data["can_cancel"]


def test_the_json_refuses_others_strangers_and_other_methods(
    annotator, client, no_role_client, annotator_client
):
    job = make_job(annotator)
    url = reverse("jobs:api-job", args=[job.public_id])
    assert client.get(url).status_code == 401
    assert no_role_client.get(url).status_code == 403
    assert no_role_client.get(url).json()["error"] == "This job was started by someone else."
    response = annotator_client.post(url)
    assert response.status_code == 405 and response["Allow"] == "GET"
    missing = reverse("jobs:api-job", args=["00000000-0000-0000-0000-000000000000"])
    assert annotator_client.get(missing).status_code == 404


def test_a_job_whose_worker_died_shows_as_failed_when_looked_at(annotator, annotator_client):
    job = make_job(annotator, JobState.RUNNING, worker="somehost-gone 1 1")
    job.worker = f"{worker_identity().split()[0]} 999999999 1"
    job.save()
    data = annotator_client.get(reverse("jobs:api-job", args=[job.public_id])).json()
    assert data["state"] == "failed" and data["error"] == ERROR_WORKER_LOST


def test_a_job_started_again_says_so_on_its_page_the_list_and_its_json(annotator, annotator_client):
    first = make_job(annotator, JobState.RUNNING, worker=worker_identity(), label="First run")
    again = make_job(annotator, attempt=2, progress_label=NOTE_STARTED_AGAIN, label="Again")
    note = f"{NOTE_STARTED_AGAIN}: attempt 2 of 2."
    page = annotator_client.get(again.get_absolute_url()).content.decode()
    assert f'<p class="job-attempt" data-job-attempt>{note}</p>' in page
    page = annotator_client.get(first.get_absolute_url()).content.decode()
    assert '<p class="job-attempt" data-job-attempt hidden></p>' in page
    page = annotator_client.get(reverse("jobs:list")).content.decode()
    assert page.count(note) == 1
    data = annotator_client.get(reverse("jobs:api-job", args=[again.public_id])).json()
    assert (data["attempt"], data["attempts"], data["attempt_note"]) == (2, 2, note)
    data = annotator_client.get(reverse("jobs:api-job", args=[first.public_id])).json()
    assert (data["attempt"], data["attempt_note"]) == (1, "")


def test_the_download_is_an_attachment_never_cached_or_sniffed(annotator, annotator_client):
    job = done_with_file(annotator)
    response = annotator_client.get(reverse("jobs:download", args=[job.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a,b\r\n1,2\r\n"
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    assert response["Content-Type"] == "text/csv"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_only_the_requester_and_editors_download(annotator, no_role_client, editor_client, client):
    job = done_with_file(annotator)
    url = reverse("jobs:download", args=[job.public_id])
    assert no_role_client.get(url).status_code == 403
    assert make_client(make_user("annotator")).get(url).status_code == 403
    response = editor_client.get(url)
    assert response.status_code == 200
    response.close()
    assert client.get(url).status_code == 302  # signed out: to the sign-in page


def make_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_an_expired_or_unfinished_result_is_not_found(annotator, annotator_client):
    job = done_with_file(annotator)
    Job.objects.filter(pk=job.pk).update(result_expired=True)
    assert annotator_client.get(reverse("jobs:download", args=[job.public_id])).status_code == 404
    queued = make_job(annotator)
    url = reverse("jobs:download", args=[queued.public_id])
    assert annotator_client.get(url).status_code == 404


def test_cancel_stops_a_queued_job_and_returns_to_the_page(annotator, annotator_client):
    job = make_job(annotator)
    response = annotator_client.post(
        reverse("jobs:cancel", args=[job.public_id]), {"next": "/export/?x=1"}, follow=True
    )
    assert response.redirect_chain[0][0] == "/export/?x=1"
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert MESSAGE_CANCELLED.format(label=job.label) in response.content.decode()


def test_cancel_asks_a_running_job_to_stop(annotator, annotator_client):
    job = make_job(annotator, JobState.RUNNING, worker=worker_identity())
    response = annotator_client.post(
        reverse("jobs:cancel", args=[job.public_id]), {"next": "//evil.example/"}, follow=True
    )
    assert response.redirect_chain[0][0] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and job.cancel_requested
    page = response.content.decode()
    assert MESSAGE_CANCELLING.format(label=job.label) in page and "(stopping)" in page


def test_cancel_refuses_others_and_get(annotator, no_role_client, annotator_client):
    job = make_job(annotator)
    url = reverse("jobs:cancel", args=[job.public_id])
    assert no_role_client.post(url).status_code == 403
    assert annotator_client.get(url).status_code == 405
    job.refresh_from_db()
    assert job.state == JobState.QUEUED


def test_an_editor_cancels_anyones_job(annotator, editor_client):
    job = make_job(annotator)
    editor_client.post(reverse("jobs:cancel", args=[job.public_id]))
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
