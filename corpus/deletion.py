"""Refusing to delete a source or document that others depend on, in words an editor
understands.

The database already refuses it (``PROTECT`` on a document's source, a claim's document
and a cited passage's document), and Django's admin then shows its protected-objects
page, which lists what is in the way but says neither why nor what to do. ``delete_refusal``
says both; ``ProtectedDeleteAdminMixin`` puts it at the top of that page, for a single
delete and for the bulk "Delete selected" action, and turns the rare delete that loses a
race (a claim made on the document after the page was checked) into the same message
instead of a server error. Nothing is deleted in either case."""

from collections.abc import Iterable

from django.contrib import admin, messages
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from corpus.models import Document, Source
from crosscheck.text import plural

ERROR_SOURCE_IN_USE = (
    "The source “{name}” cannot be deleted while it has {documents}. Delete its documents "
    "first (a document that claims or evidence point into cannot be deleted either)."
)
ERROR_DOCUMENT_IN_USE = (
    "The document “{title}” cannot be deleted while it has {dependents} pointing into its "
    "text. Remove them first (claims are deleted from the Claims list and can be restored "
    "from “Deleted claims”; evidence from the Evidence list)."
)
ERROR_IN_USE_MEANWHILE = (
    "Nothing was deleted: something that depends on it was added meanwhile. {reasons}"
)
ERROR_MORE_IN_USE = "…and {count} more of the selected cannot be deleted either."
WARNING_TEXT_NOT_KEPT = (
    "The history keeps a document's details but not its text: once deleted, the text comes "
    "back only by importing the file again."
)
# A bulk delete of many objects in use names this many of them; the rest are counted.
MAX_NAMED = 10


def delete_refusal(obj: Source | Document) -> str | None:
    """Why ``obj`` cannot be deleted now, or None when nothing depends on it. Runs one
    query (a source) or two (a document). What points into a document is counted through
    its reverse relations, so this layer imports nothing of the apps above it."""
    if isinstance(obj, Source):
        documents = Document.objects.filter(source=obj).count()
        if documents:
            return ERROR_SOURCE_IN_USE.format(
                name=obj.name, documents=plural(documents, "document")
            )
        return None
    claims = obj.claims.count()
    passages = obj.cited_passages.count()
    parts = []
    if claims:
        parts.append(plural(claims, "claim"))
    if passages:
        parts.append(plural(passages, "evidence passage"))
    if not parts:
        return None
    return ERROR_DOCUMENT_IN_USE.format(title=obj.title, dependents=" and ".join(parts))


def delete_refusals(objs: Iterable[Source | Document]) -> list[str]:
    """The refusals for those of ``objs`` that cannot be deleted: the first ``MAX_NAMED``
    in full, then one line counting the rest."""
    refusals = [reason for reason in map(delete_refusal, objs) if reason is not None]
    if len(refusals) > MAX_NAMED:
        more = len(refusals) - MAX_NAMED
        return [*refusals[:MAX_NAMED], ERROR_MORE_IN_USE.format(count=more)]
    return refusals


class ProtectedDeleteAdminMixin(admin.ModelAdmin):
    """For the admin of sources and documents (before ``ModelAdmin`` in the bases): a delete
    that the database would refuse is explained on Django's confirmation page, and one that
    becomes refused between the page and the database is a message, not a server error."""

    def get_deleted_objects(self, objs, request: HttpRequest):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            for reason in delete_refusals(objs):
                messages.error(request, reason)
        elif self.model is Document and request.method == "GET":
            messages.warning(request, WARNING_TEXT_NOT_KEPT)
        return deleted, model_count, perms_needed, protected

    def delete_view(self, request: HttpRequest, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ProtectedError, RestrictedError, IntegrityError):
            obj = self.model._default_manager.filter(pk=object_id).first()
            self._refused_meanwhile(request, [obj] if obj is not None else [])
            opts = self.model._meta
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            return HttpResponseRedirect(change)

    def response_action(self, request: HttpRequest, queryset):
        try:
            return super().response_action(request, queryset)
        except (ProtectedError, RestrictedError, IntegrityError):
            selected = request.POST.getlist("_selected_action")
            self._refused_meanwhile(request, queryset.filter(pk__in=selected))
            return HttpResponseRedirect(request.get_full_path())

    def _refused_meanwhile(self, request: HttpRequest, objs) -> None:
        reasons = " ".join(delete_refusals(objs))
        message = ERROR_IN_USE_MEANWHILE.format(reasons=reasons).strip()
        self.message_user(request, message, messages.ERROR)
