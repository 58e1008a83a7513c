"""The admin's Import and Export buttons (django-import-export), as every model has them.

- Formats: CSV, XLSX and JSON, both ways, each cell read back exactly as it was written:
  line ends included (``ExactTempFolderStorage``), and in XLSX what a cell cannot hold as it
  is (``LosslessXLSX``).
- Permissions: importing needs ``<app>.import_<model>``, exporting ``<app>.export_<model>``
  (settings ``IMPORT_EXPORT_*_PERMISSION_CODE``); the editor role holds both.
- Uploads: at most ``CROSSCHECK_MAX_IMPORT_BYTES``; an XLSX file is a zip archive, so its
  unpacked size is checked too before anything reads it (a small file can unpack to
  gigabytes), and openpyxl parses its XML with defusedxml (entity attacks refused).
- "Keep the authors and dates recorded in the file": off by default, so imported work is
  credited to the importing editor (see crosscheck.resources).
- Large work runs as a background job (the jobs app): an export of more than
  ``CROSSCHECK_EXPORT_JOB_ROWS`` rows, in any format, and a confirmed import of more than
  ``CROSSCHECK_IMPORT_JOB_ROWS`` rows. The page then follows the job's progress and offers
  its file; the tasks (``admin_export``, ``admin_import``) call the same model admin,
  resources and formats the request would, with the editor's filters, choices and file.
  An import job stays all or nothing: one transaction, rolled back on any bad row, on a
  cancel, or by the database when its worker dies."""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export import resources
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import BINARY_FORMATS, CSV, JSON, XLSX
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import RowResult
from import_export.signals import post_export, post_import
from import_export.tmp_storages import TempFolderStorage
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from tablib.formats._json import serialize_objects_handler

from crosscheck.spreadsheet import xlsx_escape, xlsx_unescape
from crosscheck.text import plural
from jobs.runner import JobError, Progress, job_task
from jobs.services import job_start

KEEP_PROVENANCE = "keep_provenance"
KEEP_PROVENANCE_LABEL = "Keep the authors and dates recorded in the file"
KEEP_PROVENANCE_HELP = (
    "Off: everything the file creates is credited to you, now. On: to the users the file "
    "names (they must have accounts here) at the times it records. Needed for reviews."
)
ERROR_TOO_LARGE = "The file is {size}; imports take at most {limit}. Split it into smaller files."
ERROR_XLSX_UNREADABLE = "This is not an XLSX workbook (it is not a zip archive)."
ERROR_XLSX_TOO_LARGE = (
    "The workbook unpacks to {size}, more than the {limit} an import reads. Split it, or "
    "export it as CSV."
)
XLSX_UNPACKED_FACTOR = 10  # an XLSX file may unpack to this many times the upload limit
EXPORT_JOB_LABEL = "Export of {count:,} {things} as {format}"
IMPORT_JOB_LABEL = "Import of {count:,} {things} from {file}"
ERROR_NO_LONGER_ALLOWED = "You may no longer {action} {things}: nothing was done."
ERROR_FORM_CHANGED = "The choices of this {action} are no longer valid: {errors}"
ERROR_IMPORT_ROWS = "Nothing was imported: {rows} with errors. {details}"
IMPORT_SUMMARY = (
    "Import finished: {new} new, {update} updated, {delete} deleted and {skip} skipped {things}."
)
MAX_ERRORS_SHOWN = 5


class LongCellCSV(CSV):
    """CSV whose cells may be as long as a whole document (the csv module stops at 128 KB)."""

    def create_dataset(self, in_stream):
        csv.field_size_limit(max(csv.field_size_limit(), settings.CROSSCHECK_MAX_IMPORT_BYTES))
        return super().create_dataset(in_stream)


class LosslessXLSX(XLSX):
    """XLSX whose cells give back any stored text: what a cell cannot hold as it is (control
    characters, a carriage return) is written as the ``_xHHHH_`` escapes spreadsheets read,
    and read back (``crosscheck.spreadsheet.xlsx_escape``), so no text fails an export."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(_map_text(dataset, xlsx_escape), **kwargs)

    def create_dataset(self, in_stream):
        return _map_text(super().create_dataset(in_stream), xlsx_unescape)


def _map_text(dataset, function):
    """``dataset`` with ``function`` applied to its text cells, in place."""
    for index, row in enumerate(dataset):
        mapped = [function(cell) if isinstance(cell, str) else cell for cell in row]
        if mapped != list(row):
            dataset[index] = mapped
    return dataset


class ExactTempFolderStorage(TempFolderStorage):
    """The uploaded file kept between the preview and the import, read back as it was sent:
    Python's text mode would turn a CSV cell's CRLF and lone CR into LF, and an unchanged
    export would then import as changed."""

    def _open(self, mode="r"):
        if self.name and "b" not in mode:
            return open(self.get_full_path(), mode, encoding=self.encoding, newline="")
        return super()._open(mode)


FORMATS = [LongCellCSV, LosslessXLSX, JSON]


class CrosscheckImportForm(ImportForm):
    keep_provenance = forms.BooleanField(
        label=KEEP_PROVENANCE_LABEL, help_text=KEEP_PROVENANCE_HELP, required=False
    )

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("import_file")
        if upload is None:
            return cleaned_data
        limit = settings.CROSSCHECK_MAX_IMPORT_BYTES
        if upload.size > limit:
            self.add_error(
                "import_file",
                ERROR_TOO_LARGE.format(
                    size=filesizeformat(upload.size), limit=filesizeformat(limit)
                ),
            )
            return cleaned_data
        chosen = cleaned_data.get("format")
        if chosen not in (None, "") and issubclass(self.formats[int(chosen)], XLSX):
            self._check_workbook(upload, limit * XLSX_UNPACKED_FACTOR)
        return cleaned_data

    def _check_workbook(self, upload, limit: int) -> None:
        upload.seek(0)
        try:
            with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
        except zipfile.BadZipFile:
            self.add_error("import_file", ERROR_XLSX_UNREADABLE)
            return
        finally:
            upload.seek(0)
        if unpacked > limit:
            self.add_error(
                "import_file",
                ERROR_XLSX_TOO_LARGE.format(
                    size=filesizeformat(unpacked), limit=filesizeformat(limit)
                ),
            )


class CrosscheckConfirmImportForm(ConfirmImportForm):
    keep_provenance = forms.BooleanField(widget=forms.HiddenInput, required=False)


class ImportExportAdmin(ImportExportMixin):
    """Mix into a ModelAdmin that sets ``resource_classes``."""

    import_formats = export_formats = FORMATS
    tmp_storage_class = ExactTempFolderStorage
    # Row errors shown in the preview's table, not in a popover on hover.
    import_template_name = "admin/crosscheck/import.html"
    import_form_class = CrosscheckImportForm
    confirm_form_class = CrosscheckConfirmImportForm

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", {}) if form is not None else {}
        return {"user": request.user, KEEP_PROVENANCE: bool(cleaned.get(KEEP_PROVENANCE))}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial[KEEP_PROVENANCE] = import_form.cleaned_data.get(KEEP_PROVENANCE, False)
        return initial

    def get_export_filename(self, request, queryset, file_format):
        name = self.model._meta.verbose_name_plural.replace(" ", "-")
        extension = file_format.get_extension()
        return f"crosscheck-{name}-{timezone.localdate().isoformat()}.{extension}"

    # --- large work as background jobs ---------------------------------------------------

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """Answer at once, or, past ``CROSSCHECK_EXPORT_JOB_ROWS`` rows, start a job that
        writes the same file and show its progress."""
        count = queryset.count()
        if count <= settings.CROSSCHECK_EXPORT_JOB_ROWS or export_form is None:
            return super()._do_file_export(file_format, request, queryset, export_form)
        job = job_start(
            task=admin_export,
            user=request.user,
            label=EXPORT_JOB_LABEL.format(count=count, things=_things(self.model, count),
                                          format=file_format.get_title().upper()),
            request_id=getattr(request, "request_id", ""),
            model=self.model._meta.label_lower,
            form=_form_data(request.POST),
            query=request.GET.urlencode(),
        )  # fmt: skip
        return self._job_page(request, job, "Export")

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmed import: at once, or, past ``CROSSCHECK_IMPORT_JOB_ROWS`` rows, as a
        job that imports the same file with the same choices."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        data, dataset = self._confirmed_file(confirm_form)
        if len(dataset) <= settings.CROSSCHECK_IMPORT_JOB_ROWS:
            return super().process_import(request, **kwargs)
        name = confirm_form.cleaned_data.get("original_file_name") or "the file"
        job = job_start(
            task=admin_import,
            user=request.user,
            label=IMPORT_JOB_LABEL.format(count=len(dataset), file=name,
                                          things=_things(self.model, len(dataset))),
            request_id=getattr(request, "request_id", ""),
            input_data=data,
            input_filename=name,
            model=self.model._meta.label_lower,
            form=_form_data(request.POST),
        )  # fmt: skip
        self._tmp_storage(confirm_form).remove()
        return self._job_page(request, job, "Import")

    def _tmp_storage(self, confirm_form):
        return self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"], encoding=None, read_mode="rb",
            **self.get_tmp_storage_class_kwargs(),
        )  # fmt: skip

    def _confirmed_file(self, confirm_form) -> tuple[bytes, Any]:
        """The file the preview checked, as bytes, and as the dataset it reads as."""
        data = self._tmp_storage(confirm_form).read()
        return data, _dataset(self, int(confirm_form.cleaned_data["format"]), data)

    def _job_page(self, request, job, action: str) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action}: {job.label}",
            "opts": self.model._meta,
            "job": job,
            "action": action,
            "next_url": reverse(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"
            ),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "jobs/admin_job.html", context)


def _things(model, count: int) -> str:
    return model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural


def _form_data(data: QueryDict) -> dict[str, list[str]]:
    """A posted form as JSON for a task (without its CSRF token)."""
    return {key: data.getlist(key) for key in data if key != "csrfmiddlewaretoken"}


def _dataset(model_admin, format_index: int, data: bytes) -> Any:
    input_format = model_admin.get_import_formats()[format_index](
        encoding=model_admin.from_encoding
    )
    if input_format.is_binary():
        return input_format.create_dataset(data)
    return input_format.create_dataset(data.decode(model_admin.from_encoding or "utf-8-sig"))


def _as_request(user, *, post: dict[str, list[str]], query: str = "") -> HttpRequest:
    """The request a task acts for: the editor, their form and the list's filters."""
    request = HttpRequest()
    request.method = "POST"
    request.user = user
    request.GET = QueryDict(query)
    request.POST = QueryDict(mutable=True)
    for key, values in post.items():
        request.POST.setlist(key, values)
    request.META["SERVER_NAME"] = "job"
    return request


def _model_admin(label: str):
    return admin.site._registry[apps.get_model(label)]


def _counted(rows: Iterator, progress: Progress) -> Iterator:
    for row in rows:
        yield row
        progress.advance()


@job_task(retry_when_lost=True)
def admin_export(progress: Progress, *, model: str, form: dict, query: str) -> None:
    """The admin's export with the editor's filters (``query``) and choices (``form``):
    the same queryset, resource, columns and format as ``_do_file_export``."""
    model_admin = _model_admin(model)
    request = _as_request(progress.user, post=form, query=query)
    things = model_admin.model._meta.verbose_name_plural
    if not model_admin.has_export_permission(request):
        raise JobError(ERROR_NO_LONGER_ALLOWED.format(action="export", things=things))
    formats = model_admin.get_export_formats()
    export_form = model_admin.get_export_form_class()(
        formats, model_admin.get_export_resource_classes(request), data=request.POST
    )
    queryset = model_admin.get_export_queryset(request)
    if not export_form.is_valid():
        raise JobError(ERROR_FORM_CHANGED.format(action="export", errors=export_form.errors))
    file_format = formats[int(export_form.cleaned_data["format"])]()

    resource = model_admin.choose_export_resource_class(export_form, request)(
        **model_admin.get_export_resource_kwargs(request, export_form=export_form)
    )
    export_fields = model_admin.get_export_resource_fields_from_form(export_form)
    options = {"export_fields": export_fields, "export_form": export_form,
               "force_native_type": type(file_format) in BINARY_FORMATS}  # fmt: skip
    filename = model_admin.get_export_filename(request, queryset, file_format)
    progress.start(total=queryset.count(), label=f"Reading {things}")
    with progress.result_file(filename, file_format.get_content_type()) as stream:
        writer = _STREAMED.get(type(file_format))
        if writer is not None and _streams(resource):
            headers, rows = _export_rows(resource, queryset, progress, options)
            writer(stream, headers, rows)
        else:
            _write_whole(stream, resource, file_format, queryset, progress, options)
        size = stream.tell()
    post_export.send(sender=None, model=model_admin.model)
    progress.summary = f"{size:,} bytes."


def _streams(resource) -> bool:
    """Whether the resource's rows can be written as they come: its ``export`` is
    django-import-export's own (a document's text, split over columns, needs them all)."""
    kind = type(resource)
    plain = kind.export is resources.Resource.export
    plain = plain and kind.after_export is resources.Resource.after_export
    escaped = getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False)
    return plain and not escaped


def _export_rows(resource, queryset, progress: Progress, options: dict):
    """What ``Resource.export`` puts in its dataset, row by row: the headers and the rows."""
    resource.before_export(queryset, **options)
    queryset = resource.filter_export(queryset, **options)
    headers = resource.get_export_headers(selected_fields=options["export_fields"])
    rows = (
        resource.export_resource(obj, selected_fields=options["export_fields"], **options)
        for obj in _counted(resource.iter_queryset(queryset), progress)
    )
    return headers, rows


def _write_whole(stream, resource, file_format, queryset, progress: Progress, options) -> None:
    """The dataset built whole, as the request builds it, then written."""
    rows = resource.iter_queryset
    resource.iter_queryset = lambda queryset: _counted(rows(queryset), progress)
    dataset = resource.export(queryset=queryset, **options)
    data = file_format.export_data(dataset)
    del dataset
    stream.write(data if isinstance(data, bytes) else data.encode("utf-8"))


# The job writes CSV, JSON and XLSX row by row: the same bytes (CSV, JSON) or cells (XLSX)
# as tablib, which the request uses, builds whole in memory.


def _write_csv(stream, headers: list[str], rows: Iterator[list]) -> None:
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    writer = csv.writer(text, delimiter=",")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    text.flush()
    text.detach()


def _write_json(stream, headers: list[str], rows: Iterator[list]) -> None:
    stream.write(b"[")
    for number, row in enumerate(rows):
        item = json.dumps(dict(zip(headers, row, strict=True)),
                          default=serialize_objects_handler, ensure_ascii=False)  # fmt: skip
        stream.write(((", " if number else "") + item).encode("utf-8"))
    stream.write(b"]")


def _write_xlsx(stream, headers: list[str], rows: Iterator[list]) -> None:
    """A streamed workbook laid out as tablib lays it out: bold headers, the first row
    frozen, line breaks wrapped, each column as wide as its widest cell (which needs every
    row first: they are kept as values, not as the far larger cells of a whole workbook)."""
    values = [list(headers)]
    for row in rows:
        values.append(list(row))
    widths: list[int] = []
    for row in values:
        for index, value in enumerate(row):
            width = len(str(value))
            if index < len(widths):
                widths[index] = max(widths[index], width)
            else:
                widths.append(width)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tablib Dataset")
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True)
    try:
        for number, row in enumerate(values):
            sheet.append([_xlsx_cell(sheet, value, bold if number == 0 else None, wrap)
                          for value in row])  # fmt: skip
            values[number] = []  # written: let it go
    except IllegalCharacterError as error:
        raise JobError(f"A cell holds a character a workbook cannot: {error}") from None
    workbook.save(stream)


def _xlsx_cell(sheet, value, font, wrap) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    try:
        cell.value = xlsx_escape(value) if isinstance(value, str) else value
    except ValueError:
        cell.value = str(value)
    if font is not None:
        cell.font = font
    elif "\n" in str(value):
        cell.alignment = wrap
    return cell


_STREAMED = {LongCellCSV: _write_csv, JSON: _write_json, LosslessXLSX: _write_xlsx}


@job_task  # not retry_when_lost: run again after its commit, it would import the rows twice
def admin_import(progress: Progress, *, model: str, form: dict) -> None:
    """The confirmed import of the file the preview checked: the same resource, choices
    and all-or-nothing transaction as ``process_import``; the admin's history records it
    as the editor's."""
    model_admin = _model_admin(model)
    request = _as_request(progress.user, post=form)
    things = model_admin.model._meta.verbose_name_plural
    if not model_admin.has_import_permission(request):
        raise JobError(ERROR_NO_LONGER_ALLOWED.format(action="import", things=things))
    confirm_form = model_admin.create_confirm_form(request)
    if not confirm_form.is_valid():
        raise JobError(ERROR_FORM_CHANGED.format(action="import", errors=confirm_form.errors))
    progress.start(total=None, label="Reading the file")
    dataset = _dataset(
        model_admin, int(confirm_form.cleaned_data["format"]), progress.input_path.read_bytes()
    )
    resource = model_admin.choose_import_resource_class(confirm_form, request)(
        **model_admin.get_import_resource_kwargs(request, form=confirm_form)
    )
    import_row = resource.import_row

    def import_row_counted(*args, **kwargs):
        result = import_row(*args, **kwargs)
        progress.advance()
        return result

    resource.import_row = import_row_counted
    progress.start(total=len(dataset), label=f"Importing {things} (all or nothing)")
    result = resource.import_data(
        dataset, dry_run=False, file_name=confirm_form.cleaned_data.get("original_file_name"),
        user=request.user, retain_instance_in_row_result=True,
    )  # fmt: skip
    if result.has_errors() or result.has_validation_errors():
        raise JobError(_import_errors(result))
    model_admin.generate_log_entries(result, request)
    post_import.send(sender=None, model=model_admin.model)
    totals = result.totals
    progress.summary = IMPORT_SUMMARY.format(
        new=totals[RowResult.IMPORT_TYPE_NEW], update=totals[RowResult.IMPORT_TYPE_UPDATE],
        delete=totals[RowResult.IMPORT_TYPE_DELETE], skip=totals[RowResult.IMPORT_TYPE_SKIP],
        things=things,
    )  # fmt: skip


def _import_errors(result) -> str:
    """The first few rows' errors, as the preview would list them."""
    details = [f"{error.error}" for error in result.base_errors][:MAX_ERRORS_SHOWN]
    count = len(result.base_errors)
    for row in result.invalid_rows:
        count += 1
        if len(details) < MAX_ERRORS_SHOWN:
            messages = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in row.error_dict.items()
            )
            details.append(f"Row {row.number}: {messages}")
    for number, errors in result.row_errors():
        count += 1
        if len(details) < MAX_ERRORS_SHOWN:
            details.append(f"Row {number}: {errors[0].error}")
    return ERROR_IMPORT_ROWS.format(rows=plural(count, "row"), details=" ".join(details))
