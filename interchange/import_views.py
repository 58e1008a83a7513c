"""The import of an annotation file onto a document: upload → preview → confirm. A large
file's preview is prepared by a job started at the upload; its page shows the job's
progress until the preview is ready."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims.extensions import DocumentPagePart
from corpus.models import Document
from crosscheck.permissions import can_annotate
from interchange.forms import AnnotationImportForm
from interchange.importing import (
    ERROR_NOT_ANNOTATOR,
    ERROR_UPLOAD_GONE,
    ImportFileError,
    import_apply,
    import_plan,
    plan_from_json,
    upload_create,
)
from interchange.models import ImportUpload
from interchange.tasks import import_annotations, preview_annotations
from jobs.models import Job, JobState
from jobs.services import job_fail_if_lost, job_start

# Past this many annotations (or the admin's import threshold, if lower) a confirmed import
# runs as a job: each claim is a few dozen queries through the services (history, topics,
# search), some tens of milliseconds.
ANNOTATIONS_IN_REQUEST = 100


# Past this many annotations a file's preview is prepared by a job: checking an annotation
# against the 390 KB seed takes up to a millisecond (bench/interchange_import.py), and a
# request should not take longer than about half a second.
ANNOTATIONS_PREVIEWED_IN_REQUEST = 500


# The preview lists this many annotations a page (a page of 5,000 rows is 2 MB and takes
# over a second to write).
ROWS_PER_PAGE = 500


def _as_job(count: int) -> bool:
    return count > min(settings.CROSSCHECK_IMPORT_JOB_ROWS, ANNOTATIONS_IN_REQUEST)


def _preview_as_job(count: int) -> bool:
    return count > ANNOTATIONS_PREVIEWED_IN_REQUEST


def document_page_config(request: HttpRequest, document: Document) -> dict[str, str]:
    """The document page's link to this import, for those who may import."""
    if not can_annotate(request.user):
        return {}
    return {"importUrl": reverse("interchange:import", args=[document.pk])}


DOCUMENT_PAGE_PART = DocumentPagePart(
    name="interchange-import", script="interchange/import-link.js", config=document_page_config
)


def _get_document_for_annotator(request: HttpRequest, pk: int) -> Document:
    if not can_annotate(request.user):
        raise PermissionDenied(ERROR_NOT_ANNOTATOR)
    return get_object_or_404(Document.objects.select_related("source"), pk=pk)


def _get_upload_for_user(request: HttpRequest, pk: int, public_id) -> ImportUpload:
    """The user's own upload for this document (another person's is not found), without
    its file and its kept plan."""
    document = _get_document_for_annotator(request, pk)
    upload = get_object_or_404(
        ImportUpload.objects.pending().defer("data", "plan"),
        public_id=public_id, document=document, uploaded_by=request.user.pk,
    )  # fmt: skip
    upload.document = document
    return upload


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    document = _get_document_for_annotator(request, pk)
    form = AnnotationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kept = upload_create(
                document=document, data=upload.read(), filename=upload.name, user=request.user
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            if _preview_as_job(kept.annotation_count):
                _start_preview(request, kept, document)
            return redirect("interchange:import-preview", pk=document.pk,
                            public_id=kept.public_id)  # fmt: skip
    context = {"document": document, "form": form}
    return render(
        request, "interchange/import_start.html", context, status=400 if form.errors else 200
    )


def _start_preview(request: HttpRequest, upload: ImportUpload, document: Document) -> None:
    """Start the job that prepares the upload's preview (queued once it is recorded)."""
    with transaction.atomic():
        job = job_start(
            task=preview_annotations, user=request.user,
            label=f"Preview of the import of {upload.filename} onto “{document.title}”",
            request_id=getattr(request, "request_id", ""), upload_id=upload.pk,
        )  # fmt: skip
        ImportUpload.objects.filter(pk=upload.pk).update(preview_job=job)


def _preview_job(upload: ImportUpload) -> Job | None:
    """The job preparing the upload's preview, marked failed if its worker is gone."""
    job = Job.objects.select_related("requested_by").filter(pk=upload.preview_job_id).first()
    return None if job is None else job_fail_if_lost(job)


@require_GET
def import_preview(request: HttpRequest, pk: int, public_id) -> HttpResponse:
    """The plan of the upload: planned now, or kept by the job that prepared a large
    file's preview; while that job works, its progress."""
    upload = _get_upload_for_user(request, pk, public_id)
    # The job first: once it is done, the plan it kept is there to read.
    job = _preview_job(upload) if upload.preview_job_id is not None else None
    # Imported or expired since it was found: gone, as it would have been a moment earlier.
    kept = get_object_or_404(ImportUpload.objects.pending().values_list("plan", flat=True),
                             pk=upload.pk)  # fmt: skip
    if kept is None and _preview_as_job(upload.annotation_count):
        # A job done without a plan kept (it cannot be) would leave nothing to wait for.
        waiting = job if job is not None and job.state != JobState.DONE else None
        preparing = {"document": upload.document, "upload": upload, "job": waiting}
        return render(request, "interchange/import_preparing.html", preparing)
    if kept is not None:
        plan = plan_from_json(upload.document, kept)
    else:
        data = get_object_or_404(ImportUpload.objects.pending().values_list("data", flat=True),
                                 pk=upload.pk)  # fmt: skip
        plan = import_plan(document=upload.document, data=bytes(data), user=request.user)
    context: dict[str, object] = {
        "document": upload.document,
        "upload": upload,
        "plan": plan,
        "rows": Paginator(plan.rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
        "as_job": _as_job(len(plan.rows)),
    }
    return render(request, "interchange/import_preview.html", context)


@require_POST
def import_confirm(request: HttpRequest, pk: int, public_id) -> HttpResponse:
    """Import at once, or past ``ANNOTATIONS_IN_REQUEST`` annotations as a job. A
    second confirm (a double submit) finds the upload imported, that is gone, and says so."""
    document = _get_document_for_annotator(request, pk)
    upload = (
        ImportUpload.objects.pending()
        .defer("data")
        .filter(public_id=public_id, document=document, uploaded_by=request.user.pk)
        .first()
    )
    if upload is None:
        messages.info(request, ERROR_UPLOAD_GONE)
        return redirect(document)
    upload.document = document
    if _as_job(upload.annotation_count):
        job = job_start(
            task=import_annotations, user=request.user,
            label=f"Import of {upload.filename} onto “{upload.document.title}”",
            request_id=getattr(request, "request_id", ""), upload_id=upload.pk,
        )  # fmt: skip
        return redirect("jobs:detail", public_id=job.public_id)
    try:
        outcome = import_apply(upload=upload, user=request.user)
    except ImportFileError as error:
        messages.error(request, error.message)
        return redirect(reverse("interchange:import", args=[pk]))
    messages.success(request, outcome.summary)
    return redirect(upload.document)
