"""The editors' admin for topics, claims, links, evidence and reviews.

Only ``claims.services`` and ``claims.reviewing`` write claims, links, evidence and
reviews, and the admin keeps it so: nothing is added here (claims, links and evidence are
made on the document and link pages, reviews in the review queue), anchors and cited
content are read-only, and the few editable fields are saved through ``claim_update``,
``link_update`` and ``evidence_update`` with the version the form was loaded with, so an
edit based on an older version is refused instead of overwriting someone's change.
Deletes go through ``claim_delete``, ``link_delete`` and ``evidence_delete`` once the
editor has confirmed on Django's page that lists what goes with them."""

import re
import uuid
from collections import Counter
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from claims.errors import ClaimError
from claims.exports import CLAIMS, EVIDENCE, PAIRS, csv_chunks, export_filename
from claims.models import (
    TOPIC_MAX_LENGTH,
    Claim,
    ClaimLink,
    Direction,
    Evidence,
    Relation,
    Review,
    Topic,
    topic_key,
)
from claims.resources import ClaimResource, EvidenceResource, LinkResource, ReviewResource
from claims.restores import (
    claim_restore,
    evidence_restore,
    link_restore_with_dependents,
)
from claims.reviewing import link_state_refresh
from claims.services import (
    claim_delete,
    claim_update,
    describe_dependents,
    evidence_delete,
    evidence_update,
    link_delete,
    link_update,
)
from corpus.text import TextError, check_storable
from crosscheck.admin import ViewOnlyAdmin, changelist_link
from crosscheck.admin_import_export import ImportExportAdmin
from crosscheck.dates import partial_date_label
from crosscheck.history_admin import ReadOnlyHistoryAdmin
from crosscheck.permissions import can_change, can_change_any, can_restore
from crosscheck.text import plural, shorten

SHORT = 80
LOADED_VERSION = "loaded_version"
ERROR_VERSION_MISSING = (
    "The form was sent without the version it was loaded with. Reload the page and edit again."
)
ERROR_TOPIC_EXISTS = "There is already a topic “{name}”; topic names are compared ignoring case."
ERROR_TOPIC_BLANK = "Give the topic a name."
ERROR_TOPIC_NOT_TYPED = "Type the topic to add in the box beside the action, then run it again."
_UUID = re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b", re.I)
# Set on the request when a service refused a save; the form is then shown again with it.
_SERVICE_ERROR = "_crosscheck_service_error"


def one_line(value: str, limit: int = SHORT) -> str:
    """``value`` on one line, shortened to ``limit`` characters with an ellipsis."""
    return shorten(" ".join(value.split()), limit)


def _relation_from(link: ClaimLink, claim: Claim) -> str:
    """The link's relation read from ``claim`` to the other claim."""
    qualifier = link.qualifier
    if qualifier is None:
        unknown = " (direction not recorded)" if link.direction_unknown else ""
        return link.get_relation_display() + unknown
    return "qualifies" if qualifier.pk == claim.pk else "is qualified by"


def admin_link(obj, text: str) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


def link_summary(link: ClaimLink) -> str:
    """“quote” relation “quote”: a link as editors recognise it, the qualifying claim first
    when the direction is known."""
    first, second = link.in_reading_order()
    unknown = " (direction not recorded)" if link.direction_unknown else ""
    return (
        f"“{one_line(first.quote, 40)}” {link.get_relation_display()}{unknown} "
        f"“{one_line(second.quote, 40)}”"
    )


# --- Writing through the services ------------------------------------------------------


class VersionedForm(forms.ModelForm):
    """A change form that carries the version it was loaded with, and shows a refusal of
    the service that saved it as a form error."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    service_error: ClaimError | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault(LOADED_VERSION, self.instance.version)

    def clean(self):
        cleaned_data = super().clean()
        if LOADED_VERSION in self.errors:  # hidden, so say it where the editor sees it
            self.add_error(None, ERROR_VERSION_MISSING)
        if self.service_error is not None:
            field = self.service_error.field
            visible = field in self.fields and field != LOADED_VERSION
            self.add_error(field if visible else None, str(self.service_error))
        return cleaned_data


DATASET_OF_MODEL = {Claim: CLAIMS, ClaimLink: PAIRS, Evidence: EVIDENCE}


@admin.action(
    description="Export the selected as CSV (the Export page's columns)", permissions=["export"]
)
def export_selected_csv(modeladmin, request: HttpRequest, queryset) -> StreamingHttpResponse:
    """The selected objects as the Export page's dataset for this model: the same columns,
    neutralising and streaming (claims.exports)."""
    dataset = DATASET_OF_MODEL[queryset.model]
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(dataset, queryset)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(dataset)}"'
    return response


class ServiceWriteAdmin(ReadOnlyHistoryAdmin):
    """Admin for a model that only the claims services write (see the module docstring).

    Subclasses save in ``save_through_service`` and delete in ``delete_through_service``;
    a ``ClaimError`` either raises becomes a form error or an error message, never a 500,
    and rolls back everything the request did."""

    form = VersionedForm

    def save_through_service(self, request: HttpRequest, obj, form) -> None:
        raise NotImplementedError

    def delete_through_service(self, request: HttpRequest, obj) -> None:
        raise NotImplementedError

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != LOADED_VERSION]})
            for name, options in fieldsets
        ]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, _SERVICE_ERROR, None)
        if error is None:
            return form
        return type(form.__name__, (form,), {"service_error": error})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ClaimError as error:
            # The save was rolled back; show the form again, as sent, with the refusal.
            setattr(request, _SERVICE_ERROR, error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if form.has_changed():
            self.save_through_service(request, obj, form)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # The service saved the many-to-many fields too (no form.save_m2m()); the inlines
        # are read-only, and saving their formsets writes nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ClaimError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def delete_model(self, request: HttpRequest, obj) -> None:
        self.delete_through_service(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for obj in queryset:
            self.delete_through_service(request, obj)

    def response_action(self, request, queryset):
        """Run an action (delete included) all or nothing; a refusal becomes a message."""
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except ClaimError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_deleted_objects(self, objs, request: HttpRequest):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Reviews are never deleted one by one (they are the history of verdicts), but they
        # go with their link: the service deletes them with it.
        perms_needed.discard(Review._meta.verbose_name)
        return deleted, model_count, perms_needed, protected

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """A public id (or an address containing one) finds that object."""
        match = _UUID.search(search_term)
        if match:
            return queryset.filter(public_id=uuid.UUID(match.group())), False
        return super().get_search_results(request, queryset, search_term)


class ServicePermissionsMixin:
    """The roles give editors ``claims.change_claim`` and no permissions on links and
    evidence; ``crosscheck.permissions.can_change`` decides who changes those, so the admin asks
    the same rule."""

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return can_change_any(request.user)
        return can_change(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj)


# --- Read-only inlines -----------------------------------------------------------------


class ReadOnlyInline(ViewOnlyAdmin, admin.TabularInline):
    extra = 0
    can_delete = False


def evidence_summary(evidence: Evidence) -> str:
    return one_line(evidence.citation or evidence.url or evidence.quote)


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("kind", "bearing", "summary", "created_by", "created_at")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("created_by")

    @admin.display(description="evidence")
    def summary(self, obj: Evidence) -> str:
        return evidence_summary(obj)


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = ("reviewer", "verdict", "note", "is_current", "created_at", "replaced_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("reviewer")


# --- Topics ----------------------------------------------------------------------------


class TopicForm(forms.ModelForm):
    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        try:
            check_storable(name)
        except TextError as error:
            raise ValidationError(str(error)) from None
        if not name:
            raise ValidationError(ERROR_TOPIC_BLANK)
        existing = Topic.objects.filter(key=topic_key(name)).exclude(pk=self.instance.pk).first()
        if existing is not None:
            raise ValidationError(ERROR_TOPIC_EXISTS.format(name=existing.name))
        return name


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicForm
    list_display = ("name", "claim_count", "created_at")
    search_fields = ("name",)
    ordering = ("name",)  # explicit: Meta.ordering is not applied to a grouped (Count) query
    date_hierarchy = "created_at"
    fields = ("name", "claim_count", "created_at")
    readonly_fields = ("claim_count", "created_at")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj: Topic):
        count = getattr(obj, "claim_count", None)  # counted by get_queryset
        return "—" if count is None else changelist_link(count, Claim, topics__id__exact=obj.pk)


# --- Claims ----------------------------------------------------------------------------


class ClaimActionForm(helpers.ActionForm):
    topic = forms.CharField(
        required=False, label="Topic", max_length=TOPIC_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "topic for “Add the topic…”"}),
    )  # fmt: skip


def _event_date(data: dict) -> dict | None:
    """The event date the claim form's fields give, as ``claim_update`` takes it."""
    year, month, day = (data.get(f"event_{part}") for part in ("year", "month", "day"))
    approximate = bool(data.get("event_approximate"))
    if year is None and month is None and day is None and not approximate:
        return None
    return {"year": year, "month": month, "day": day, "approximate": approximate}


@admin.register(Claim)
class ClaimAdmin(ImportExportAdmin, ServiceWriteAdmin):
    resource_classes = [ClaimResource]
    list_display = (
        "quote_short", "document", "source", "statement_short", "topic_names", "event_date",
        "created_by", "created_at",
    )  # fmt: skip
    list_filter = (
        "document__source",
        ("topics", admin.RelatedOnlyFieldListFilter),
        ("created_by", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = ("statement", "quote", "document__title", "document__source__name")
    list_select_related = ("document__source", "created_by")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    autocomplete_fields = ("topics",)
    inlines = (EvidenceInline,)
    actions = ("add_topic", "remove_all_topics", export_selected_csv)
    action_form = ClaimActionForm
    fieldsets = (
        (None, {"fields": ("statement", "topics", LOADED_VERSION)}),
        (
            "Event date (as precise as the source: a year, a month or a day)",
            {"fields": (("event_year", "event_month", "event_day"), "event_approximate")},
        ),
        (
            "Passage (fixed: a different passage is a different claim)",
            {"fields": ("document", "source", "start", "end", "prefix", "quote", "suffix")},
        ),
        ("Links", {"fields": ("links",)}),
        (
            "Anchor state (set by re-anchoring onto corrected revisions)",
            {
                "fields": (
                    "anchor_state",
                    "anchor_score",
                    "anchor_method",
                    "anchor_target",
                    "anchor_start",
                    "anchor_end",
                    "anchor_kept",
                )
            },
        ),  # fmt: skip
        (
            "Record",
            {
                "fields": (
                    "public_id",
                    "version",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "search_text",
                )
            },
        ),
    )
    readonly_fields = (
        "document", "source", "start", "end", "prefix", "quote", "suffix", "links", "public_id",
        "version", "created_by", "created_at", "updated_at", "search_text", "anchor_state",
        "anchor_score", "anchor_method", "anchor_target", "anchor_start", "anchor_end",
        "anchor_kept",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest):
        # Document (text unloaded), source, author and topics: a constant number of queries.
        return super().get_queryset(request).listing()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_change(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_change(request.user, obj))

    def save_through_service(self, request: HttpRequest, obj: Claim, form) -> None:
        claim_update(
            claim=obj,
            statement=form.cleaned_data["statement"],
            topics=[topic.name for topic in form.cleaned_data["topics"]],
            version=form.cleaned_data[LOADED_VERSION],
            user=request.user,
            date=_event_date(form.cleaned_data),
        )

    def delete_through_service(self, request: HttpRequest, obj: Claim) -> None:
        # The editor confirmed on the page listing the links and evidence that go with it.
        claim_delete(claim=obj, version=obj.version, user=request.user, confirm=True)

    @admin.display(description="quote", ordering="quote")
    def quote_short(self, obj: Claim) -> str:
        return one_line(obj.quote)

    @admin.display(description="statement", ordering="statement")
    def statement_short(self, obj: Claim) -> str:
        return one_line(obj.statement)

    @admin.display(description="event date", ordering="event_year")
    def event_date(self, obj: Claim) -> str:
        if obj.event_year is None:
            return "—"
        return partial_date_label(
            obj.event_year, obj.event_month, obj.event_day, obj.event_approximate
        )

    @admin.display(description="source", ordering="document__source__name")
    def source(self, obj: Claim):
        return obj.document.source

    @admin.display(description="topics")
    def topic_names(self, obj: Claim) -> str:
        return ", ".join(topic.name for topic in obj.topics.all())

    @admin.display(description="links")
    def links(self, obj: Claim):
        links = list(ClaimLink.objects.of_claim(obj).select_related("left", "right").order_by("pk"))
        if not links:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            "{} {} ({})",
            (
                (
                    admin_link(link, _relation_from(link, obj)),
                    one_line(link.other_side(obj).statement),
                    link.get_review_state_display(),
                )
                for link in links
            ),
        )

    @admin.action(description="Add the topic typed beside the action", permissions=["change"])
    def add_topic(self, request: HttpRequest, queryset) -> None:
        name = " ".join(request.POST.get("topic", "").split())
        if not name:
            self.message_user(request, ERROR_TOPIC_NOT_TYPED, messages.ERROR)
            return
        changed = self._change_topics(request, queryset, lambda names: [*names, name])
        self.message_user(
            request, f"Added “{name}” to {plural(changed, 'claim')}.", messages.SUCCESS
        )

    @admin.action(description="Remove all topics", permissions=["change"])
    def remove_all_topics(self, request: HttpRequest, queryset) -> None:
        changed = self._change_topics(request, queryset, lambda names: [])
        self.message_user(
            request, f"Removed the topics of {plural(changed, 'claim')}.", messages.SUCCESS
        )

    def _change_topics(self, request: HttpRequest, queryset, new_names) -> int:
        """Give each claim the topics ``new_names(current names)`` through ``claim_update``
        (checked, versioned, recorded in the history); the number of claims changed. The
        action runs all or nothing (``response_action``)."""
        changed = 0
        for claim in queryset.prefetch_related("topics"):
            names = [topic.name for topic in claim.topics.all()]
            wanted = new_names(names)
            if {topic_key(n) for n in wanted} != {topic_key(n) for n in names}:
                claim_update(
                    claim=claim, statement=claim.statement, topics=wanted,
                    version=claim.version, user=request.user,
                )  # fmt: skip
                changed += 1
        return changed


# --- Links -----------------------------------------------------------------------------


def claim_side(claim: Claim) -> str:
    return format_html(
        "{}<br>“{}”<br>{} — {}",
        admin_link(claim, one_line(claim.statement)),
        one_line(claim.quote, 200),
        claim.document,
        claim.document.source,
    )


QUALIFIER = "qualifier"
NOT_RECORDED = "— not recorded —"
# How a link reads from its left claim (the list's "claim" column) to its right one.
READING_FROM_LEFT: dict[str, str] = {
    Direction.LEFT_QUALIFIES_RIGHT: "qualifies the other claim",
    Direction.RIGHT_QUALIFIES_LEFT: "is qualified by the other claim",
}


class LinkForm(VersionedForm):
    """A link's change form, with which claim narrows the other (for qualifies) named by
    the claims' statements; saved through ``link_update`` as its ``qualifier``."""

    qualifier = forms.ChoiceField(
        required=False,
        label="Which claim narrows the other",
        help_text="Only for “qualifies”; contradicts and corroborates go both ways.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        link = self.instance
        if link.pk is None:
            return
        left, right = one_line(link.left.statement, 60), one_line(link.right.statement, 60)
        qualifier_field = self.fields[QUALIFIER]
        assert isinstance(qualifier_field, forms.ChoiceField)
        qualifier_field.choices = [
            ("", NOT_RECORDED),
            (str(link.left.public_id), f"“{left}” qualifies “{right}”"),
            (str(link.right.public_id), f"“{right}” qualifies “{left}”"),
        ]
        qualifier = link.qualifier
        self.initial.setdefault(QUALIFIER, str(qualifier.public_id) if qualifier else "")


@admin.register(ClaimLink)
class ClaimLinkAdmin(ImportExportAdmin, ServicePermissionsMixin, ServiceWriteAdmin):
    resource_classes = [LinkResource]
    form = LinkForm
    list_display = (
        "left_quote", "relation_reading", "right_quote", "review_state", "created_by",
        "created_at",
    )  # fmt: skip
    list_filter = (
        "relation",
        "review_state",
        ("created_by", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = (
        "left__statement", "left__quote", "right__statement", "right__quote", "rationale",
    )  # fmt: skip
    list_select_related = ("left__document__source", "right__document__source", "created_by")
    date_hierarchy = "created_at"
    inlines = (EvidenceInline, ReviewInline)
    actions = ("recompute_review_state", export_selected_csv)
    fieldsets = (
        (None, {"fields": ("relation", QUALIFIER, "rationale", LOADED_VERSION)}),
        ("Claims", {"fields": ("reading", "left_claim", "right_claim")}),
        ("Review", {"fields": ("review_state",)}),
        (
            "Record",
            {"fields": ("public_id", "version", "created_by", "created_at", "updated_at")},
        ),
    )
    readonly_fields = (
        "reading", "left_claim", "right_claim", "review_state", "public_id", "version",
        "created_by", "created_at", "updated_at",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).with_sides()

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self.has_change_permission(request, obj):
            return fieldsets
        return [  # the reading says it, and a form field cannot be shown read-only
            (name, {**options, "fields": [f for f in options["fields"] if f != QUALIFIER]})
            for name, options in fieldsets
        ]

    def save_through_service(self, request: HttpRequest, obj: ClaimLink, form) -> None:
        link_update(
            link=obj,
            relation=form.cleaned_data["relation"],
            rationale=form.cleaned_data["rationale"],
            version=form.cleaned_data[LOADED_VERSION],
            qualifier=(form.cleaned_data.get(QUALIFIER) or None)
            if form.cleaned_data["relation"] == Relation.QUALIFIES
            else None,
            user=request.user,
        )

    @admin.display(description="relation", ordering="relation")
    def relation_reading(self, obj: ClaimLink) -> str:
        if obj.is_symmetric:
            return obj.relation_phrase()
        return READING_FROM_LEFT.get(obj.direction, obj.relation_phrase())

    @admin.display(description="reads")
    def reading(self, obj: ClaimLink) -> str:
        """The link as a sentence about its claims, qualifying claim first."""
        if obj.is_symmetric:
            return f"These claims {obj.relation_phrase()}."
        if obj.direction_unknown:
            return "One claim qualifies the other; the direction is not recorded: choose it above."
        first, second = obj.in_reading_order()
        return f"“{one_line(first.statement)}” qualifies (narrows) “{one_line(second.statement)}”."

    def delete_through_service(self, request: HttpRequest, obj: ClaimLink) -> None:
        link_delete(link=obj, version=obj.version, user=request.user, confirm=True)

    @admin.display(description="claim", ordering="left__quote")
    def left_quote(self, obj: ClaimLink) -> str:
        return one_line(obj.left.quote)

    @admin.display(description="other claim", ordering="right__quote")
    def right_quote(self, obj: ClaimLink) -> str:
        return one_line(obj.right.quote)

    @admin.display(description="claim")
    def left_claim(self, obj: ClaimLink) -> str:
        return claim_side(obj.left)

    @admin.display(description="other claim")
    def right_claim(self, obj: ClaimLink) -> str:
        return claim_side(obj.right)

    @admin.action(description="Recompute review state", permissions=["change"])
    def recompute_review_state(self, request: HttpRequest, queryset) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        changed = 0
        with transaction.atomic():
            locked = ClaimLink.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            for link in locked:
                before = link.review_state
                if link_state_refresh(link) != before:
                    changed += 1
        self.message_user(
            request,
            f"Recomputed the review state of {plural(len(ids), 'link')}; {changed} changed.",
            messages.SUCCESS,
        )


# --- Evidence --------------------------------------------------------------------------


class AttachedToFilter(admin.SimpleListFilter):
    title = "attached to"
    parameter_name = "attached_to"

    def lookups(self, request, model_admin):
        return (("claim", "a claim"), ("link", "a link"))

    def queryset(self, request, queryset):
        if self.value() == "claim":
            return queryset.filter(claim__isnull=False)
        if self.value() == "link":
            return queryset.filter(link__isnull=False)
        return queryset


@admin.register(Evidence)
class EvidenceAdmin(ImportExportAdmin, ServicePermissionsMixin, ServiceWriteAdmin):
    resource_classes = [EvidenceResource]
    actions = (export_selected_csv,)
    list_display = ("summary", "kind", "bearing", "target", "created_by", "created_at")
    list_filter = (
        "kind",
        "bearing",
        AttachedToFilter,
        ("created_by", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = ("citation", "url", "quote")
    list_select_related = ("claim", "link__left", "link__right", "document", "created_by")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    fieldsets = (
        (None, {"fields": ("bearing", LOADED_VERSION)}),
        (
            "What was cited (fixed: to cite something else, remove this and add new evidence)",
            {
                "fields": (
                    "kind",
                    "citation",
                    "url",
                    "quote",
                    "document",
                    "start",
                    "end",
                    "prefix",
                    "suffix",
                )
            },
        ),
        ("Attached to", {"fields": ("target",)}),
        (
            "Record",
            {"fields": ("public_id", "version", "created_by", "created_at", "updated_at")},
        ),
    )
    readonly_fields = (
        "kind", "citation", "url", "quote", "document", "start", "end", "prefix", "suffix",
        "target", "public_id", "version", "created_by", "created_at", "updated_at",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("claim", "link__left", "link__right", "document", "created_by")
            .defer("document__text")
        )

    def save_through_service(self, request: HttpRequest, obj: Evidence, form) -> None:
        evidence_update(
            evidence=obj,
            bearing=form.cleaned_data["bearing"],
            version=form.cleaned_data[LOADED_VERSION],
            user=request.user,
        )

    def delete_through_service(self, request: HttpRequest, obj: Evidence) -> None:
        evidence_delete(evidence=obj, version=obj.version, user=request.user)

    @admin.display(description="evidence")
    def summary(self, obj: Evidence) -> str:
        return evidence_summary(obj)

    @admin.display(description="attached to")
    def target(self, obj: Evidence) -> str:
        if obj.claim is not None:  # loaded with the evidence (get_queryset), as is the link
            return format_html("claim {}", admin_link(obj.claim, one_line(obj.claim.statement)))
        assert obj.link is not None  # the constraint evidence_on_claim_or_link
        return format_html("link {}", admin_link(obj.link, link_summary(obj.link)))


# --- Reviews ---------------------------------------------------------------------------


@admin.register(Review)
class ReviewAdmin(ViewOnlyAdmin, ImportExportAdmin, ReadOnlyHistoryAdmin):
    """The history of verdicts: only ``claims.reviewing.review_submit`` writes it."""

    resource_classes = [ReviewResource]

    list_display = ("verdict", "link_display", "reviewer", "is_current", "created_at", "note_short")
    list_filter = (
        "verdict",
        "is_current",
        ("reviewer", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = ("note", "reviewer__username")
    list_select_related = ("link__left", "link__right", "reviewer")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    fields = (
        "link", "link_display", "reviewer", "verdict", "note", "is_current", "created_at",
        "replaced_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="link")
    def link_display(self, obj: Review) -> str:
        return link_summary(obj.link)

    @admin.display(description="note", ordering="note")
    def note_short(self, obj: Review) -> str:
        return one_line(obj.note)


# --- Deleted claims and links, restored from the history ---------------------------------

MESSAGE_RESTORED = "Restored {things}."
MESSAGE_RESTORED_WITH = "Restored {things}, with {dependents}."


class DeletedAdmin(ViewOnlyAdmin, admin.ModelAdmin):
    """The deletion records of one model's history, for editors to restore from. Read-only;
    the "Restore" action calls ``restore_one`` (a function of claims.restores) for each,
    and says what came back: "Restored 1 claim link, with 2 reviews and 3 comments." A
    restore that cannot be done is a message naming the record and why."""

    model_label = ""  # one of them, naming it in a refusal: "claim link #12: …"
    noun = ""  # counting them, when not model_label: "2 evidence items"
    restore: Callable[..., object]  # set by each subclass, unless it has its restore_one
    actions = ["restore_selected"]
    list_display = ["id", "summary", "history_date", "history_user"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"

    def get_queryset(self, request: HttpRequest):
        live = self.model.instance_type.objects.values("pk")
        return super().get_queryset(request).filter(history_type="-").exclude(id__in=live)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_restore(request.user, self.model.instance_type._meta)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_restore(request.user, self.model.instance_type._meta)

    def has_restore_permission(self, request: HttpRequest) -> bool:
        return can_restore(request.user, self.model.instance_type._meta)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        title = f"{capfirst(self.model._meta.verbose_name_plural)}: select to restore"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def restore_one(self, record, user) -> dict[str, int]:
        """Restore the object of ``record``; how many of what came back with it, by the
        names ``claims.services.describe_dependents`` reads (nothing, unless a subclass
        says)."""
        type(self).restore(record=record, user=user)
        return {}

    @admin.action(description="Restore the selected", permissions=["restore"])
    def restore_selected(self, request: HttpRequest, queryset) -> None:
        restored, with_them = 0, Counter[str]()
        for record in queryset:
            try:
                with_them.update(self.restore_one(record, request.user))
            except ClaimError as error:
                messages.error(request, f"{self.model_label} #{record.id}: {error}")
            else:
                restored += 1
        if restored:
            things = plural(restored, self.noun or self.model_label)
            dependents = describe_dependents(with_them)
            message = MESSAGE_RESTORED_WITH if dependents else MESSAGE_RESTORED
            messages.success(request, message.format(things=things, dependents=dependents))


@admin.register(Claim.history.model)
class DeletedClaimAdmin(DeletedAdmin):
    model_label = "claim"
    restore = staticmethod(claim_restore)
    search_fields = ["quote", "statement"]

    @admin.display(description="claim")
    def summary(self, record) -> str:
        return f"{shorten(record.statement)} — “{shorten(record.quote)}”"


@admin.register(ClaimLink.history.model)
class DeletedLinkAdmin(DeletedAdmin):
    model_label = "claim link"

    def restore_one(self, record, user) -> dict[str, int]:
        return link_restore_with_dependents(record=record, user=user).dependents

    @admin.display(description="link")
    def summary(self, record) -> str:
        return f"claims #{record.left_id} {record.relation} #{record.right_id}"


# --- Deleted evidence, restored from the history -----------------------------------------


@admin.register(Evidence.history.model)
class DeletedEvidenceAdmin(DeletedAdmin):
    model_label = "evidence"
    noun = "evidence item"
    restore = staticmethod(evidence_restore)
    search_fields = ["citation", "url", "quote"]

    @admin.display(description="evidence")
    def summary(self, record) -> str:
        target = f"claim #{record.claim_id}" if record.claim_id else f"link #{record.link_id}"
        return f"{evidence_summary(record)} ({record.kind}, {record.bearing}) on {target}"
