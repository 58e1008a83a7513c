"""The admin's History pages (django-simple-history) show the past and never change it.

``SIMPLE_HISTORY_REVERT_DISABLED`` only hides the *Revert* button: django-simple-history's
old-version page still saves whatever form is posted to it, which would put an old version
back without the services' checks (versions, anchors, the one current verdict per
reviewer). Every admin of a model with a history uses ``ReadOnlyHistoryAdmin`` instead of
``SimpleHistoryAdmin``: the old version opens with every field disabled, and the page
answers any other method than GET with 405."""

from django import forms
from django.http import HttpRequest, HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin

_READING_HISTORY = "_crosscheck_reading_history"


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        setattr(request, _READING_HISTORY, True)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_history_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, _READING_HISTORY, False):
            return form
        return type(form.__name__, (_DisabledForm, form), {})


class _DisabledForm(forms.BaseForm):
    """Mixed into a model admin's form: every field shown, none editable."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.disabled = True
