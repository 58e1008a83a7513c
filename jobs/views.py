"""The Jobs page, one job's page, its JSON (polled by jobs/static/jobs/jobs.js), Cancel and
the result's download. A job is seen by whoever started it and by ``jobs.view_job``
holders (editors); others get 403."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from jobs import storage
from jobs.models import Job, JobState
from jobs.services import (
    JobAlreadyFinished,
    JobPermissionDenied,
    can_cancel,
    can_view,
    job_cancel,
    job_fail_if_lost,
    jobs_fail_lost,
)

LIST_LIMIT = 100
ERROR_SIGN_IN = "Sign in to use Crosscheck."
ERROR_NOT_FOUND = "Not found: it may have been deleted."
ERROR_METHOD = "This address does not accept {method} requests."
ERROR_NO_RESULT = "This job has no file to download (yet, or any more)."
MESSAGE_CANCELLED = "Cancelled: {label}."
MESSAGE_CANCELLING = "Stopping: {label}. What it did so far will be undone."


def _get_job_for_user(request: HttpRequest, public_id) -> Job:
    job = get_object_or_404(Job.objects.select_related("requested_by"), public_id=public_id)
    if not can_view(request.user, job):
        raise PermissionDenied(JobPermissionDenied().message)
    return job


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's jobs, newest first (everyone's for editors), with live progress."""
    jobs_fail_lost()
    jobs = Job.objects.visible_to(request.user).select_related("requested_by")[:LIST_LIMIT]
    return render(
        request,
        "jobs/job_list.html",
        {
            "jobs": jobs,
            "sees_all": request.user.has_perm("jobs.view_job"),
            "retention_days": settings.CROSSCHECK_JOB_RESULT_DAYS,
        },
    )


@require_GET
def job_detail(request: HttpRequest, public_id) -> HttpResponse:
    job = job_fail_if_lost(_get_job_for_user(request, public_id))
    return render(request, "jobs/job_detail.html", {"job": job})


@require_POST
def job_cancel_view(request: HttpRequest, public_id) -> HttpResponse:
    job = _get_job_for_user(request, public_id)
    try:
        job = job_cancel(job=job, user=request.user)
    except JobPermissionDenied as error:
        raise PermissionDenied(error.message) from None
    except JobAlreadyFinished as error:
        messages.info(request, error.message)
    else:
        done = job.state == JobState.CANCELLED
        message = MESSAGE_CANCELLED if done else MESSAGE_CANCELLING
        messages.success(request, message.format(label=job.label))
    return redirect(_next_page(request) or job.get_absolute_url())


def _next_page(request: HttpRequest) -> str:
    """``next`` when it is a path on this site."""
    target = request.POST.get("next", "")
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if local and safe else ""


@require_GET
def job_download(request: HttpRequest, public_id) -> FileResponse:
    """The result file, to its owner or an editor only, never cached or sniffed."""
    job = _get_job_for_user(request, public_id)
    if not job.has_result:
        raise Http404(ERROR_NO_RESULT)
    try:
        stream = storage.open_file(job.result_path)
    except FileNotFoundError:
        raise Http404(ERROR_NO_RESULT) from None
    response = FileResponse(
        stream, as_attachment=True, filename=job.result_filename,
        content_type=job.result_content_type or "application/octet-stream",
    )  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def job_json(job: Job, user) -> dict:
    """What a page shows of a job."""
    return {
        "id": str(job.public_id),
        "label": job.label,
        "state": job.state,
        "state_label": job.get_state_display(),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "progress_label": job.progress_label,
        "cancel_requested": job.cancel_requested,
        "can_cancel": not job.is_finished and can_cancel(user, job),
        "finished": job.is_finished,
        "summary": job.summary,
        "error": job.error,
        "attempt": job.attempt,
        "attempts": job.attempts_allowed,
        "attempt_note": job.attempt_note,
        "download_url": (
            reverse("jobs:download", kwargs={"public_id": job.public_id})
            if job.has_result
            else None
        ),
        "filename": job.result_filename if job.has_result else None,
        "size": job.result_size if job.has_result else None,
        "requested_by": job.requested_by.get_username(),
        "created": job.created_at.isoformat(),
        "started": job.started_at.isoformat() if job.started_at else None,
        "ended": job.finished_at.isoformat() if job.finished_at else None,
    }


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message, "fields": {}}, status=status)


@login_not_required
def job_api(request: HttpRequest, public_id) -> JsonResponse:
    """``GET /api/jobs/<id>/``: the job's state and progress, as JSON."""
    if not request.user.is_authenticated:
        return _error(ERROR_SIGN_IN, 401)
    if request.method != "GET":
        response = _error(ERROR_METHOD.format(method=request.method), 405)
        response["Allow"] = "GET"
        return response
    try:
        job = _get_job_for_user(request, public_id)
    except Http404:
        return _error(ERROR_NOT_FOUND, 404)
    except PermissionDenied as error:
        return _error(str(error), 403)
    response = JsonResponse(job_json(job_fail_if_lost(job), request.user))
    response["Cache-Control"] = "no-store"
    return response
