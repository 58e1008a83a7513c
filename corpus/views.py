import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from claims.models import Topic
from claims.services import can_annotate
from corpus.filters import DocumentFilter, SourceFilter
from corpus.forms import DocumentUploadForm
from corpus.models import Document, Source
from corpus.services import DocumentImportError, document_import, source_get_or_create
from corpus.text import text_html

PAGE_SIZE = 50
# Endpoint addresses handed to the page's scripts, which put the real id in place of this.
ID_PLACEHOLDER = uuid.UUID(int=0)


def _url_template(name: str) -> str:
    return reverse(name, args=[ID_PLACEHOLDER])


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    filterset = DocumentFilter(request.GET, queryset=Document.objects.listing())
    page = _page(request, filterset.qs)
    return render(request, "corpus/document_list.html", {"filter": filterset, "page": page})


@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    queryset = Source.objects.annotate(document_count=Count("documents")).order_by("name")
    filterset = SourceFilter(request.GET, queryset=queryset)
    page = _page(request, filterset.qs)
    return render(request, "corpus/source_list.html", {"filter": filterset, "page": page})


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The reading and annotating page: the text with every claim highlighted. The claims
    come from their own endpoint (``claims:api-document-claims``), which the page preloads:
    at 2,000 claims, building them took longer than the rest of the page, and the browser
    can lay out the text while they are made."""
    document = get_object_or_404(Document.objects.select_related("source", "imported_by"), pk=pk)
    context = {
        "document": document,
        "text_html": text_html(document.text),
        "annotate_config": {
            "documentId": document.pk,
            "claimsUrl": reverse("claims:api-document-claims", args=[document.pk]),
            "claimUrl": _url_template("claims:api-claim"),
            "claimLinksUrl": _url_template("claims:api-claim-links"),
            "claimEvidenceUrl": _url_template("claims:api-claim-evidence"),
            "linkUrl": _url_template("claims:api-link"),
            "linkEvidenceUrl": _url_template("claims:api-link-evidence"),
            "evidenceUrl": _url_template("claims:api-evidence"),
            "searchUrl": reverse("claims:api-claim-search"),
            "canAnnotate": can_annotate(request.user),
            "topics": list(Topic.objects.values_list("name", flat=True)[:500]),
        },
    }
    return render(request, "corpus/document_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("corpus.add_document", raise_exception=True)
def document_upload(request: HttpRequest) -> HttpResponse:
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = _import_upload(form, request.user)
        except DocumentImportError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, f"Imported “{document.title}”.")
            return redirect(document)
    return render(request, "corpus/document_upload.html", {"form": form})


@transaction.atomic
def _import_upload(form: DocumentUploadForm, user) -> Document:
    """Create the new source, if one was named, and import; a refusal keeps neither."""
    data = form.cleaned_data
    source = data["source"]
    if source is None:
        source, _ = source_get_or_create(
            name=data["new_source_name"].strip(),
            kind=data["new_source_kind"],
            author=data["new_source_author"].strip(),
            date=data["new_source_date"].strip(),
        )
    upload = data["file"]
    return document_import(
        source=source,
        data=upload.read(),
        filename=upload.name,
        user=user,
        title=data["title"],
        language=data["language"],
    )
