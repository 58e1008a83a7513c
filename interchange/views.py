"""The Web Annotation Protocol (W3C Recommendation, 23 February 2017), read only: the
corpus container (``/annotations/``), one container per document
(``/documents/<id>/annotations/``), their pages, each annotation at its IRI, and the
Crosscheck JSON-LD context and vocabulary; the whole corpus as a JSON-LD file.

Every response is JSON-LD with the Web Annotation profile (content negotiation: a client
that accepts neither JSON-LD nor JSON gets 406), carries an ETag (a repeated request with
If-None-Match gets 304), Allow, Vary and the LDP type links the protocol asks for (§4
Annotation Retrieval, §5 Annotation Containers). A container honours the client's Prefer
header (§5.3 Container Representations): minimal container, contained IRIs or contained
descriptions (the default).

Reading is like reading claims: anyone signed in (LoginRequiredMiddleware). The context
and the vocabulary hold no data and are public, so JSON-LD processors can fetch them."""

import hashlib
import re
from collections.abc import Callable, Iterator

from django.contrib.auth.decorators import login_not_required
from django.db.models import Max
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from claims.models import Claim, ClaimLink, Evidence
from corpus.models import Document, Source
from interchange import w3c
from interchange.context import LDP_CONTEXT, crosscheck_context, crosscheck_vocabulary
from interchange.exporting import export_annotations_file, file_chunks, file_name
from jobs.services import job_start

ANNO_PROFILE = "http://www.w3.org/ns/anno.jsonld"
JSONLD = f'application/ld+json; profile="{ANNO_PROFILE}"'
LDP = "http://www.w3.org/ns/ldp#"
READ_METHODS = ["GET", "HEAD", "OPTIONS"]
ALLOW = ", ".join(READ_METHODS)
PREFER_MINIMAL = f"{LDP}PreferMinimalContainer"
PREFER_IRIS = f"{LDP}PreferContainedIRIs"
PREFER_DESCRIPTIONS = f"{LDP}PreferContainedDescriptions"

ERROR_NOT_ACCEPTABLE = (
    "This resource is served as JSON-LD (" + JSONLD + ") or as application/json; "
    "ask for one of them in the Accept header."
)
ERROR_PAGE = "page must be a whole number from 0 to {last}."
ERROR_IRIS = "iris must be 1 (the page lists the annotations' IRIs) or left out."
ERROR_NO_PAGES = "This container holds no annotations, so it has no pages."

_MEDIA_RANGE = re.compile(r"^\s*([^;\s]+)\s*(.*)$")


def _negotiate(request: HttpRequest) -> str | None:
    """The content type to answer with: JSON-LD with the annotation profile unless the
    client prefers plain JSON; None when it accepts neither (→ 406). A JSON-LD range that
    names another profile is not matched."""
    accept = request.headers.get("Accept", "").strip()
    if not accept:
        return JSONLD
    best: tuple[float, str] | None = None
    for media_range in accept.split(","):
        match = _MEDIA_RANGE.match(media_range)
        if not match:
            continue
        kind, params = match.group(1).lower(), match.group(2)
        quality, profile = 1.0, None
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif name.strip().lower() == "profile":
                profile = value.strip().strip('"')
        if kind == "application/ld+json" and profile and ANNO_PROFILE not in profile.split():
            continue
        served = {"application/ld+json": JSONLD, "application/json": "application/json",
                  "application/*": JSONLD, "*/*": JSONLD}.get(kind)  # fmt: skip
        if served and quality > 0 and (best is None or quality > best[0]):
            best = (quality, served)
    return best[1] if best else None


def _etag(*parts: object) -> str:
    """A strong ETag: a digest of what the representation depends on."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def _state(scope: w3c.Scope) -> tuple[list[int], tuple]:
    """The container's counts per part (what its pages are cut from) and its version: the
    newest change recorded in the history of claims, links, evidence, documents and
    sources (every write of the app records one, updates and deletions too). Each is read
    from an index: a count, and the largest history id."""
    counts = [part.queryset.order_by().count() for part in scope.parts()]
    version = tuple(
        model.history.aggregate(newest=Max("history_id"))["newest"]
        for model in (Claim, ClaimLink, Evidence, Document, Source)
    )
    return counts, version


def _answer(
    request: HttpRequest,
    body: Callable[[], Iterator[str]],
    *,
    version: tuple,
    container: bool = False,
    preference_applied: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """The protocol's response: negotiated, conditional (If-None-Match), with its headers;
    the body (a generator of JSON text) is only made for GET."""
    content_type = _negotiate(request)
    if content_type is None:
        return HttpResponse(ERROR_NOT_ACCEPTABLE, status=406, content_type="text/plain")
    etag = _etag(*version, content_type)
    response: HttpResponse | StreamingHttpResponse
    matches = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if request.method in ("HEAD", "OPTIONS"):
        response = HttpResponse(content_type=content_type)
    elif etag in matches or "*" in matches:
        response = HttpResponse(status=304)
    else:
        response = StreamingHttpResponse(w3c.write_json(body()), content_type=content_type)
    response["ETag"] = etag
    response["Allow"] = ALLOW
    response["Vary"] = "Accept, Prefer" if container else "Accept"
    links = [f'<{LDP}Resource>; rel="type"']
    if container:
        links += [f'<{LDP}BasicContainer>; rel="type"',
                  f'<{w3c.CONSTRAINED_BY}>; rel="{LDP}constrainedBy"']  # fmt: skip
    response["Link"] = ", ".join(links)
    if preference_applied:
        response["Preference-Applied"] = "return=representation"
    return response


def _base(request: HttpRequest) -> w3c.Iris:
    return w3c.Iris(request.build_absolute_uri("/"))


# --- single annotations ------------------------------------------------------------------


def _single(request, queryset, write, public_id) -> HttpResponse | StreamingHttpResponse:
    thing = get_object_or_404(queryset, public_id=public_id)
    iris = _base(request)

    def body() -> Iterator[str]:
        yield w3c.dumps({"@context": iris.context, **write(thing, iris)})

    # Its version: its newest change in the history (a link's review state is updated
    # without touching updated_at), and the documents' and sources' newest.
    changes = type(thing).history.filter(id=thing.pk).aggregate(newest=Max("history_id"))
    around = [model.history.aggregate(newest=Max("history_id"))["newest"]
              for model in (Document, Source)]  # fmt: skip
    return _answer(request, body, version=(thing.pk, changes["newest"], *around))


@require_http_methods(READ_METHODS)
def claim_view(request: HttpRequest, public_id) -> HttpResponse | StreamingHttpResponse:
    return _single(request, w3c.claim_rows(Claim.objects.all()), w3c.claim_annotation, public_id)


@require_http_methods(READ_METHODS)
def link_view(request: HttpRequest, public_id) -> HttpResponse | StreamingHttpResponse:
    return _single(request, w3c.link_rows(ClaimLink.objects.all()), w3c.link_annotation, public_id)


@require_http_methods(READ_METHODS)
def evidence_view(request: HttpRequest, public_id) -> HttpResponse | StreamingHttpResponse:
    rows = w3c.evidence_rows(Evidence.objects.all())
    return _single(request, rows, w3c.evidence_annotation, public_id)


# --- containers and pages ----------------------------------------------------------------


def _prefer(request: HttpRequest) -> tuple[str, bool]:
    """What the Prefer header asks of a container (Protocol §5.3): "minimal", "iris" or
    "descriptions" (the default), and whether a preference was given and applied."""
    prefer = request.headers.get("Prefer", "")
    if "return=representation" not in prefer.replace(" ", ""):
        return "descriptions", False
    include = re.search(r'include\s*=\s*"([^"]*)"', prefer)
    wanted = include.group(1).split() if include else []
    if PREFER_MINIMAL in wanted:
        return "minimal", True
    if PREFER_IRIS in wanted:
        return "iris", True
    return "descriptions", PREFER_DESCRIPTIONS in wanted


def _page_iri(container: str, number: int, iris_only: bool) -> str:
    return f"{container}?iris=1&page={number}" if iris_only else f"{container}?page={number}"


def _page(
    scope: w3c.Scope, iris: w3c.Iris, counts: list[int], number: int, *, iris_only: bool,
    context: bool,
) -> Iterator[str]:  # fmt: skip
    """An AnnotationPage (Data Model §5.2) as JSON text, its items streamed."""
    total = sum(counts)
    last = (total - 1) // w3c.PAGE_SIZE
    container = scope.container(iris)
    start = number * w3c.PAGE_SIZE
    head: w3c.Json = {"@context": iris.context} if context else {}
    head |= {
        "id": _page_iri(container, number, iris_only),
        "type": "AnnotationPage",
        "partOf": {"id": container, "label": scope.label, "total": total},
        "startIndex": start,
    }
    if number > 0:
        head["prev"] = _page_iri(container, number - 1, iris_only)
    if number < last:
        head["next"] = _page_iri(container, number + 1, iris_only)
    yield w3c.dumps(head)[:-1] + ',"items":['
    items = w3c.page_items(scope, iris, counts, start, start + w3c.PAGE_SIZE, iris_only=iris_only)
    for index, item in enumerate(items):
        yield ("," if index else "") + w3c.dumps(item)
    yield "]}"


def _container(request: HttpRequest, scope: w3c.Scope) -> HttpResponse | StreamingHttpResponse:
    iris = _base(request)
    counts, version = _state(scope)
    total = sum(counts)
    if "page" in request.GET or "iris" in request.GET:
        return _page_response(request, scope, iris, (counts, version), counts)
    mode, applied = _prefer(request)
    container = scope.container(iris)

    def body() -> Iterator[str]:
        head = {
            "@context": [iris.context[0], LDP_CONTEXT, iris.context[1]],
            "id": container,
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": scope.label,
            "total": total,
        }
        if not total:
            yield w3c.dumps(head)
            return
        iris_only = mode == "iris"
        last = _page_iri(container, (total - 1) // w3c.PAGE_SIZE, iris_only)
        if mode == "minimal":
            first = _page_iri(container, 0, False)
            yield w3c.dumps(head | {"first": first, "last": last})
            return
        yield w3c.dumps(head)[:-1] + ',"first":'
        yield from _page(scope, iris, counts, 0, iris_only=iris_only, context=False)
        yield f',"last":{w3c.dumps(last)}}}'

    return _answer(
        request,
        body,
        version=(container, counts, version, mode),
        container=True,
        preference_applied=applied,
    )


def _page_response(request, scope, iris, state, counts) -> HttpResponse | StreamingHttpResponse:
    total = sum(counts)
    iris_value = request.GET.get("iris")
    if iris_value not in (None, "1"):
        return HttpResponseBadRequest(ERROR_IRIS, content_type="text/plain")
    if not total:
        raise Http404(ERROR_NO_PAGES)
    last = (total - 1) // w3c.PAGE_SIZE
    value = request.GET.get("page", "")
    if not value.isascii() or not value.isdigit() or int(value) > last:
        return HttpResponseBadRequest(ERROR_PAGE.format(last=last), content_type="text/plain")
    number, iris_only = int(value), iris_value == "1"

    def body() -> Iterator[str]:
        yield from _page(scope, iris, counts, number, iris_only=iris_only, context=True)

    container = scope.container(iris)
    return _answer(request, body, version=(container, state, number, iris_only))


@require_http_methods(READ_METHODS)
def container_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _container(request, w3c.corpus_scope())


@require_http_methods(READ_METHODS)
def document_container_view(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    document = get_object_or_404(Document.objects.only("pk", "title"), pk=pk)
    return _container(request, w3c.document_scope(document))


# --- the context, the vocabulary and the file --------------------------------------------


def _public_json(request: HttpRequest, document: dict) -> HttpResponse:
    response = HttpResponse(w3c.dumps(document).encode("utf-8"), content_type="application/ld+json")
    response["Cache-Control"] = "public, max-age=86400"
    response["Allow"] = ALLOW
    return response


@login_not_required
@require_http_methods(READ_METHODS)
def context_view(request: HttpRequest) -> HttpResponse:
    return _public_json(request, crosscheck_context(_base(request).base))


@login_not_required
@require_http_methods(READ_METHODS)
def vocabulary_view(request: HttpRequest) -> HttpResponse:
    return _public_json(request, crosscheck_vocabulary(_base(request).base))


@require_http_methods(["GET", "HEAD"])
def download_view(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        file_chunks(_base(request).base), content_type=f"{JSONLD}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name()}"'
    return response


@require_POST
def prepare_view(request: HttpRequest) -> HttpResponse:
    """The same file, written by a job; back to the Export page, which follows it."""
    job = job_start(
        task=export_annotations_file, user=request.user, label="W3C Web Annotations (JSON-LD)",
        request_id=getattr(request, "request_id", ""), base_url=_base(request).base,
    )  # fmt: skip
    return redirect(f"{reverse('claims:export')}?job={job.public_id}")
