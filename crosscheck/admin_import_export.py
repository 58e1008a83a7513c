"""The admin's Import and Export buttons (django-import-export), as every model has them.

- Formats: CSV, XLSX and JSON, both ways.
- Permissions: importing needs ``<app>.import_<model>``, exporting ``<app>.export_<model>``
  (settings ``IMPORT_EXPORT_*_PERMISSION_CODE``); the editor role holds both.
- Uploads: at most ``CROSSCHECK_MAX_IMPORT_BYTES``; an XLSX file is a zip archive, so its
  unpacked size is checked too before anything reads it (a small file can unpack to
  gigabytes), and openpyxl parses its XML with defusedxml (entity attacks refused).
- "Keep the authors and dates recorded in the file": off by default, so imported work is
  credited to the importing editor (see crosscheck.resources)."""

import csv
import io
import zipfile

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.forms import ConfirmImportForm, ImportForm

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


class LongCellCSV(CSV):
    """CSV whose cells may be as long as a whole document (the csv module stops at 128 KB)."""

    def create_dataset(self, in_stream):
        csv.field_size_limit(max(csv.field_size_limit(), settings.CROSSCHECK_MAX_IMPORT_BYTES))
        return super().create_dataset(in_stream)


FORMATS = [LongCellCSV, XLSX, JSON]


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
        if chosen not in (None, "") and self.formats[int(chosen)] is XLSX:
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
