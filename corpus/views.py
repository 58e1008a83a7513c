from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import TooManyFilesSent
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from corpus.filters import DocumentFilter, SourceFilter
from corpus.forms import DocumentUploadForm
from corpus.models import Document, Source
from corpus.services import DocumentImportError, document_import, source_get_or_create

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    """The current revisions of the documents; every revision with ``?revisions=all``,
    the replaced ones marked."""
    all_revisions = request.GET.get("revisions") == "all"
    documents = Document.objects.listing()
    if all_revisions:
        replaced = Document.objects.filter(previous=OuterRef("pk"))
        documents = documents.annotate(replaced=Exists(replaced))
    else:
        documents = documents.current()
    filterset = DocumentFilter(request.GET, queryset=documents)
    page = _page(request, filterset.qs)
    context = {"filter": filterset, "page": page, "all_revisions": all_revisions}
    return render(request, "corpus/document_list.html", context)


@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    queryset = Source.objects.annotate(document_count=Count("documents")).order_by("name")
    filterset = SourceFilter(request.GET, queryset=queryset)
    page = _page(request, filterset.qs)
    return render(request, "corpus/source_list.html", {"filter": filterset, "page": page})


@csrf_exempt  # until the request could be read: _document_upload checks the token
@require_http_methods(["GET", "POST"])
@permission_required("corpus.add_document", raise_exception=True)
def document_upload(request: HttpRequest) -> HttpResponse:
    """A request with more files than Django reads (``DATA_UPLOAD_MAX_NUMBER_FILES``) is
    not read at all, its security token included: it gets the empty form saying so, and
    nothing is written."""
    if request.method == "POST" and not _files_readable(request):
        form = DocumentUploadForm.too_many_files()
        return render(request, "corpus/document_upload.html", {"form": form}, status=400)
    return _document_upload(request)


def _files_readable(request: HttpRequest) -> bool:
    try:
        request.FILES  # noqa: B018 -- reading it parses the request
    except TooManyFilesSent:
        return False
    return True


@csrf_protect
def _document_upload(request: HttpRequest) -> HttpResponse:
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
