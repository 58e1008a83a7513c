from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from interchange.importing import ERROR_TOO_LARGE

ERROR_ONE_FILE = "Upload one file at a time: this request carried {count} files."


class AnnotationImportForm(forms.Form):
    file = forms.FileField(
        label="Annotation file",
        help_text="W3C Web Annotations (JSON-LD: one annotation, a list, a collection or a "
        "page) or a Hypothesis export (JSON), UTF-8, at most "
        f"{filesizeformat(settings.CROSSCHECK_MAX_IMPORT_BYTES)}.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.jsonld,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        count = len(self.files.getlist(self.add_prefix("file")))
        if count > 1:  # the form takes one, and would silently drop the others
            raise forms.ValidationError(ERROR_ONE_FILE.format(count=count))
        limit = settings.CROSSCHECK_MAX_IMPORT_BYTES
        if upload.size > limit:  # refused before it is read into memory
            raise forms.ValidationError(
                ERROR_TOO_LARGE.format(
                    size=filesizeformat(upload.size), limit=filesizeformat(limit)
                )
            )
        return upload
