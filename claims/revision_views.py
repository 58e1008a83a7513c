"""The pages of revisions: upload a corrected text of a document, follow its re-anchoring
and read its revision history, and settle the claims that could not be carried over
safely (the orphan queue: accept a proposal, pick another passage, or keep a claim on its
old revision). The writes are ``claims.revisions``'s services; these views only read the
request, call them and say what happened."""

import uuid
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Length
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims.models import UNSETTLED_STATES, Claim
from claims.revisions import (
    ERROR_NOT_REVISER,
    evidence_left_behind,
    evidence_left_views,
    orphan_accept,
    orphan_keep,
    orphan_queue,
    orphan_reanchor,
    orphan_view,
    orphan_views,
    revision_upload,
)
from corpus.forms import TextFileField, clean_text_file
from corpus.models import Document
from corpus.services import current_revision, revision_history
from corpus.text import text_html
from crosscheck.errors import ServiceError
from crosscheck.permissions import can_annotate, can_change
from jobs.models import Job

ORPHAN_PAGE_SIZE = 20
EVIDENCE_SHOWN = 50  # passages of evidence left behind listed below the claims, at most
ERROR_NOT_WAITING_HERE = "That claim is no longer waiting for a check: someone settled it."
MESSAGE_UPLOADED = "Revision {number} of “{title}” saved. Its claims are being carried over."
MESSAGE_ACCEPTED = "The claim “{statement}” now points into revision {number}."
MESSAGE_KEPT = "The claim “{statement}” stays on revision {number}."


class RevisionUploadForm(forms.Form):
    file = TextFileField(label="Corrected text")
    title = forms.CharField(
        max_length=300, required=False, help_text="Leave empty to keep the current title."
    )

    def clean_file(self):
        return clean_text_file(self)


def _get_document(pk: int) -> Document:
    """The document, its text left unread (the pages that need it read it themselves)."""
    return get_object_or_404(Document.objects.select_related("source").defer("text"), pk=pk)


@require_http_methods(["GET", "POST"])
def document_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a corrected text of the document as its next revision; on success, to the new
    revision's history page, which follows the re-anchoring job."""
    if not can_annotate(request.user):
        raise PermissionDenied(ERROR_NOT_REVISER)
    document = _get_document(pk)
    form = RevisionUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            revision, job = revision_upload(
                document=document, data=upload.read(), filename=upload.name,
                user=request.user, title=form.cleaned_data["title"].strip(),
            )  # fmt: skip
        except ServiceError as error:
            _refuse(error)
            status = error.status
            field = {"title": "title", "document": None}.get(error.field or "", "file")
            form.add_error(field, error.message)
        else:
            messages.success(request, MESSAGE_UPLOADED.format(number=revision.revision,
                                                              title=revision.title))  # fmt: skip
            return redirect(f"{_revisions_url(revision)}?job={job.public_id}")
    current = current_revision(document)
    context = {"document": document, "form": form, "current": current}
    if form.errors and status == 200:
        status = 400
    return render(request, "claims/revision_upload.html", context, status=status)


def _refuse(error: ServiceError) -> None:
    """A 403 refusal from a service as Django's (the 403 page); others are shown."""
    if error.status == 403:
        raise PermissionDenied(error.message)


def _revisions_url(document: Document) -> str:
    return reverse("claims:document-revisions", args=[document.pk])


@require_GET
def document_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The revision history of the document's text, with what each revision holds; the
    re-anchoring job a ``?job=`` names, followed live."""
    document = _get_document(pk)
    chain = revision_history(document)
    ids = [revision.pk for revision in chain]
    claims = dict(
        Claim.objects.filter(document__in=ids).order_by()
        .values_list("document").annotate(n=Count("pk"))
    )  # fmt: skip
    waiting = dict(
        Claim.objects.filter(anchor_target__in=ids, anchor_state__in=UNSETTLED_STATES,
                             anchor_kept=False).order_by()
        .values_list("anchor_target").annotate(n=Count("pk"))
    )  # fmt: skip
    rows = [{"document": revision, "claims": claims.get(revision.pk, 0),
             "waiting": waiting.get(revision.pk, 0)} for revision in reversed(chain)]  # fmt: skip
    context = {
        "document": document,
        "current": chain[-1],
        "rows": rows,
        "waiting": sum(waiting.values()),
        "job": _job(request),
        "can_upload": can_annotate(request.user),
    }
    return render(request, "claims/revision_history.html", context)


def _job(request: HttpRequest) -> Job | None:
    """The job ``?job=`` names, if the user may follow it."""
    try:
        public_id = uuid.UUID(request.GET.get("job", ""))
    except ValueError:
        return None
    jobs = Job.objects.visible_to(request.user).select_related("requested_by")
    return jobs.filter(public_id=public_id).first()


@require_GET
def orphan_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The claims waiting for a person after a revision (a low-confidence match to check,
    or no match at all), each with its old quote in its old text and the best places in
    the new one; below them, read-only, the passages of evidence left on an older
    revision (the first ``EVIDENCE_SHOWN``); corpus-wide, or for one document's revisions."""
    document = _get_document(pk) if pk is not None else None
    page = Paginator(orphan_queue(document=document), ORPHAN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = [_item(request.user, view) for view in orphan_views(list(page.object_list))]
    left = evidence_left_behind(document=document)
    left_count = left.count()
    left_items = evidence_left_views(list(left[:EVIDENCE_SHOWN])) if left_count else []
    context = {"document": document, "page": page, "items": items,
               "back": request.get_full_path(), "left_items": left_items,
               "left_count": left_count, "left_more": left_count - len(left_items)}  # fmt: skip
    return render(request, "claims/orphan_queue.html", context)


def _item(user, view) -> dict:
    return {"view": view, "claim": view.claim, "can_settle": can_change(user, view.claim)}


def _get_claim(public_id) -> Claim:
    """The claim with its document's revision number and length (not its text)."""
    claims = Claim.objects.select_related("document").defer("document__text")
    claims = claims.annotate(old_length=Length("document__text"))
    return get_object_or_404(claims, public_id=public_id)


@require_GET
def orphan_detail(request: HttpRequest, public_id) -> HttpResponse:
    """One waiting claim with the whole text of the revision it waits for, to select its
    passage there (or accept a candidate, or keep it on its old revision)."""
    claim = _get_claim(public_id)
    try:
        view = orphan_view(claim)
    except ServiceError:
        messages.info(request, ERROR_NOT_WAITING_HERE)
        return redirect(_back(request.GET.get("next", "")))
    focus = view.proposal or (view.candidates[0] if view.candidates else None)
    context = {
        **_item(request.user, view),
        "target": view.target,
        "text_html": text_html(view.target.text),
        "pick_config": {
            "focus": [focus.start, focus.end] if focus else None,
            "candidates": [[p.start, p.end] for p in _placements(view)],
            # Where the claim was in its old text, to open the new one near there when
            # nothing was found (``old_length`` is annotated by ``_get_claim``).
            "oldShare": claim.start / max(1, getattr(claim, "old_length", 0)),
        },
        "back": _back(request.GET.get("next", "")),
    }
    return render(request, "claims/orphan_detail.html", context)


def _placements(view) -> list:
    return ([view.proposal] if view.proposal else []) + list(view.candidates)


def _back(url: str) -> str:
    """Where a form of the queue goes back to: a page of the orphan queue (with its query),
    never anywhere else; the corpus-wide queue by default."""
    queue = reverse("claims:orphans")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return queue
    try:
        match = resolve(parts.path)
    except Resolver404:
        return queue
    if match.view_name not in ("claims:orphans", "claims:document-orphans"):
        return queue
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _settle(request: HttpRequest, public_id, action) -> HttpResponse:
    """Run ``action(claim, version)``; the outcome as a message, then back to the queue."""
    claim = _get_claim(public_id)
    old_number = claim.document.revision
    try:
        settled = action(claim, request.POST.get("version"))
    except ServiceError as error:
        _refuse(error)
        messages.error(request, error.message)
    else:
        if settled.anchor_kept:
            text = MESSAGE_KEPT.format(statement=_short(settled), number=old_number)
        else:
            number = Document.objects.values_list("revision", flat=True).get(pk=settled.document_id)
            text = MESSAGE_ACCEPTED.format(statement=_short(settled), number=number)
        messages.success(request, text)
    return redirect(_back(request.POST.get("next", "")))


def _short(claim: Claim) -> str:
    statement = claim.statement
    return statement if len(statement) <= 80 else statement[:79] + "…"


def _version(value: str | None) -> object:
    """A form's version field as the services take it: a whole number, else as given."""
    return int(value) if value and value.isdigit() else value


@require_POST
def orphan_accept_view(request: HttpRequest, public_id) -> HttpResponse:
    """Accept the proposed passage of a claim that needed a check."""
    return _settle(request, public_id, lambda claim, version: orphan_accept(
        claim=claim, version=_version(version), user=request.user))  # fmt: skip


@require_POST
def orphan_place_view(request: HttpRequest, public_id) -> HttpResponse:
    """Carry the claim to the passage the person chose (a candidate or a selection), given
    in code points of the new revision with its quote, which must match."""
    post = request.POST
    return _settle(request, public_id, lambda claim, version: orphan_reanchor(
        claim=claim, start=_version(post.get("start")), end=_version(post.get("end")),
        quote=_text(post.get("quote", "")), version=_version(version),
        user=request.user))  # fmt: skip


def _text(value: str) -> str:
    """A posted text with the line ends the stored texts have: browsers send CR LF."""
    return value.replace("\r\n", "\n")


@require_POST
def orphan_keep_view(request: HttpRequest, public_id) -> HttpResponse:
    """Leave the claim on its old revision, out of the queue."""
    return _settle(request, public_id, lambda claim, version: orphan_keep(
        claim=claim, version=_version(version), user=request.user))  # fmt: skip
