from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat

from corpus.models import (
    ERROR_PARTIAL_DATE,
    PARTIAL_DATE_PATTERN,
    Document,
    Source,
    SourceKind,
)
from corpus.services import DocumentImportError, check_size, format_for_filename

ERROR_NO_SOURCE = "Choose the source this document comes from, or name a new source."
ERROR_BOTH_SOURCES = "Choose an existing source or name a new one, not both."
ERROR_ONE_FILE = "Upload one file at a time: this request carried {count} files."
ERROR_TOO_MANY_FILES = (
    "Upload one file at a time: this request carried more than {limit} files, and none was read."
)


class TextFileField(forms.FileField):
    """One uploaded text of a document: the formats and size the importer reads, said in
    its help text, and refused (with the importer's message) when the request carried
    several files, the file is too large or its name is not of a format read."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "help_text",
            "Plain text (.txt), Markdown (.md) or HTML (.html), UTF-8, at most "
            f"{filesizeformat(settings.CROSSCHECK_MAX_UPLOAD_BYTES)}.",
        )
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(attrs={"accept": ".txt,.text,.md,.markdown,.html,.htm"}),
        )
        super().__init__(**kwargs)


def clean_text_file(form: forms.Form, name: str = "file"):
    """The form's one uploaded text (a ``TextFileField``), or ``ValidationError``: a
    request with several files would otherwise have the others silently dropped."""
    upload = form.cleaned_data[name]
    count = len(form.files.getlist(form.add_prefix(name)))
    if count > 1:
        raise forms.ValidationError(ERROR_ONE_FILE.format(count=count))
    try:
        check_size(upload.size)
        format_for_filename(upload.name)
    except DocumentImportError as error:
        raise forms.ValidationError(str(error)) from None
    return upload


class DocumentUploadForm(forms.Form):
    file = TextFileField(label="File")
    title = forms.CharField(
        max_length=300,
        required=False,
        help_text="Leave empty to use the HTML title or the text's first line.",
    )
    language = forms.ChoiceField(choices=Document.Language.choices, initial="en")
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, empty_label="— a new source —"
    )
    new_source_name = forms.CharField(label="New source: name", max_length=200, required=False)
    new_source_kind = forms.ChoiceField(
        label="New source: kind", choices=SourceKind.choices, initial=SourceKind.OTHER
    )
    new_source_author = forms.CharField(label="New source: author", max_length=200, required=False)
    new_source_date = forms.CharField(
        label="New source: date",
        max_length=10,
        required=False,
        validators=[RegexValidator(PARTIAL_DATE_PATTERN, ERROR_PARTIAL_DATE)],
        help_text="A year (1934), year-month (1934-12) or date (1934-12-01).",
    )

    def __init__(self, *args, refusal: str = "", **kwargs) -> None:
        """``refusal``: why the request this form answers could not be read at all; the
        form shows it as the file's error."""
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    @classmethod
    def too_many_files(cls) -> "DocumentUploadForm":
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return cls(refusal=ERROR_TOO_MANY_FILES.format(limit=limit))

    def full_clean(self) -> None:
        super().full_clean()
        if self.refusal:
            errors = self.errors.setdefault("file", self.error_class(renderer=self.renderer))
            errors.append(self.refusal)

    def clean_file(self):
        return clean_text_file(self)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        has_existing = bool(cleaned.get("source"))
        has_new = bool((cleaned.get("new_source_name") or "").strip())
        if not has_existing and not has_new:
            self.add_error("source", ERROR_NO_SOURCE)
        elif has_existing and has_new:
            self.add_error("new_source_name", ERROR_BOTH_SOURCES)
        return cleaned
