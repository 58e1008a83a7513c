"""The Suggested pairs page: the stored suggestions (``suggestions.queue``) to triage, as
plain forms that work without scripts (the page's module adds the keyboard), and the
buttons that start the jobs filling it."""

import uuid
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claims.errors import ClaimPermissionDenied
from claims.models import RATIONALE_MAX_LENGTH, STATEMENT_MAX_LENGTH, Claim, Relation
from claims.views import page_by_ids
from corpus.models import Document
from crosscheck.errors import ServiceError
from crosscheck.permissions import can_index_passages, can_triage_suggestions
from crosscheck.text import plural, shorten
from jobs.models import Job
from jobs.services import job_start
from suggestions.actions import ERROR_NO_SUCH_DOCUMENT, counterpart_create, dismissal_create
from suggestions.filters import SuggestedPairFilter
from suggestions.queue import (
    LABEL,
    last_refresh,
    pair_rows,
    pending_pairs,
    refresh_running,
    with_context,
)
from suggestions.queue import refresh_suggested_pairs as refresh_task

ERROR_NOT_TRIAGER = "Only annotators and editors can work through suggested pairs."
ERROR_NOT_INDEXER = "Only editors can index the corpus."
INDEX_LABEL = "Index {count} for suggestions"
LINKED = "Linked: “{claim}” {relation} “{other}”."
NEW_CLAIM = " The claim on the passage was made."
ALREADY_REFRESHING = "Suggestions are being looked for already: here is that job."
DISMISSED = "Not related: that passage is no longer suggested for “{claim}”."


def _require_triager(request: HttpRequest) -> None:
    if not can_triage_suggestions(request.user):
        raise PermissionDenied(ERROR_NOT_TRIAGER)


def _unindexed() -> int:
    return Document.objects.filter(passage_index__isnull=True).count()


@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    """Pending suggested pairs, best first, filtered; the refresh and index buttons, and the
    job that one of them started (``?job=``)."""
    _require_triager(request)
    filterset = SuggestedPairFilter(request.GET, queryset=pending_pairs())
    page = page_by_ids(request, filterset, pair_rows().filter)
    page.object_list = [with_context(pair) for pair in page.object_list]
    job = None
    if request.GET.get("job"):
        try:
            job_id = uuid.UUID(request.GET["job"])
        except ValueError:
            job_id = None
        job = Job.objects.visible_to(request.user).filter(public_id=job_id).first()
    query = request.GET.copy()
    query.pop("job", None)
    context = {
        "filter": filterset,
        "page": page,
        "job": job,
        "last_refresh": last_refresh(),
        "can_index": can_index_passages(request.user),
        "unindexed": _unindexed() if can_index_passages(request.user) else 0,
        "relations": Relation.choices,
        "back": _with_query(reverse("suggestions:queue"), query),
        "statement_max": STATEMENT_MAX_LENGTH,
        "rationale_max": RATIONALE_MAX_LENGTH,
    }
    return render(request, "suggestions/queue.html", context)


def _with_query(url: str, query) -> str:
    return f"{url}?{query.urlencode()}" if query else url


def _back(request: HttpRequest) -> HttpResponse:
    """To the page the form was on (the queue, with its filters and the row to go on
    from), else the queue."""
    queue = reverse("suggestions:queue")
    back = urlsplit(request.POST.get("next", ""))
    if back.scheme or back.netloc or back.path != queue:  # only ever the queue
        return redirect(queue)
    return redirect(urlunsplit(("", "", queue, back.query, back.fragment)))


@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Start the job that refreshes the stored suggestions; back to the queue, which
    follows it."""
    _require_triager(request)
    running = refresh_running()
    if running is not None:
        messages.info(request, ALREADY_REFRESHING)
        return redirect(f"{reverse('suggestions:queue')}?job={running.public_id}")
    job = job_start(task=refresh_task, user=request.user, label=LABEL,
                    request_id=getattr(request, "request_id", ""),
                    everything=request.POST.get("everything") == "1")  # fmt: skip
    return redirect(f"{reverse('suggestions:queue')}?job={job.public_id}")


@require_POST
def index(request: HttpRequest) -> HttpResponse:
    """Start indexing the documents not yet in the passage index (editors)."""
    if not can_index_passages(request.user):
        raise PermissionDenied(ERROR_NOT_INDEXER)
    from suggestions import tasks  # the engine's; imported here, where it is used

    label = INDEX_LABEL.format(count=plural(_unindexed(), "document"))
    job = job_start(task=tasks.index_documents, user=request.user, label=label,
                    request_id=getattr(request, "request_id", ""))  # fmt: skip
    return redirect(f"{reverse('suggestions:queue')}?job={job.public_id}")


def _passage(request: HttpRequest) -> dict:
    """The passage a form names: its document (``ServiceError`` when there is none) and
    offsets as given (the services check them)."""
    value = request.POST.get("document", "")
    known = value.isdigit() and len(value) <= 18  # else no document's id
    document = Document.objects.filter(pk=int(value)).first() if known else None
    if document is None:
        raise ServiceError(ERROR_NO_SUCH_DOCUMENT, "document")
    return {"document": document, "start": _number(request.POST.get("start")),
            "end": _number(request.POST.get("end"))}  # fmt: skip


def _number(value: str | None) -> object:
    """A form's offset as the services take it: a whole number, else as given."""
    return int(value) if value and value.isdigit() else value


def _direction(form) -> str | None:
    """The form's direction, which only a qualifies link takes (the page's select is
    there whatever the relation)."""
    return form.get("direction") if form.get("relation") == Relation.QUALIFIES else None


@require_POST
def counterpart(request: HttpRequest, public_id) -> HttpResponse:
    """Make the claim on the passage (or take the one exactly there) and link it."""
    _require_triager(request)
    claim = get_object_or_404(Claim.objects.select_related("document"), public_id=public_id)
    try:
        other, link, created = counterpart_create(
            claim=claim, **_passage(request),
            statement=request.POST.get("statement"), relation=request.POST.get("relation"),
            rationale=request.POST.get("rationale"), direction=_direction(request.POST),
            user=request.user,
        )  # fmt: skip
    except ClaimPermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except ServiceError as error:
        messages.error(request, error.message)
        return _back(request)
    text = LINKED.format(claim=shorten(claim.statement, 80), relation=link.relation,
                         other=shorten(other.statement, 80))  # fmt: skip
    messages.success(request, text + (NEW_CLAIM if created else ""))
    return _back(request)


@require_POST
def dismiss(request: HttpRequest, public_id) -> HttpResponse:
    """Not related: the passage is no longer suggested for the claim."""
    _require_triager(request)
    claim = get_object_or_404(Claim, public_id=public_id)
    try:
        dismissal_create(claim=claim, **_passage(request), user=request.user)
    except ClaimPermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except ServiceError as error:
        messages.error(request, error.message)
        return _back(request)
    messages.success(request, DISMISSED.format(claim=shorten(claim.statement, 80)))
    return _back(request)
