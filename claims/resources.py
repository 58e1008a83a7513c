"""Import and export of claims, links, evidence and reviews in the admin (see
crosscheck.resources for what every resource shares).

Rows are checked by the same code as the services' writes (``claim_prepare``,
``link_prepare``, ``evidence_prepare``, ``clean_verdict``): a quote that does not match its
document, a link within one document, a ``javascript:`` address fail their row with the
message an annotator would see. A link's review state is never read from a file: it
follows from the reviews by the one rule of ``claims.reviewing``, recomputed for every link
an import of evidence or reviews touched."""

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q
from import_export import fields, widgets

from claims.errors import ClaimError
from claims.exports import _topic_names
from claims.history import record_author
from claims.models import Claim, ClaimLink, Evidence, Review
from claims.reviewing import clean_verdict, link_state_refresh
from claims.services import (
    claim_prepare,
    clean_bearing,
    clean_claim_date,
    clean_claim_edit,
    clean_direction,
    clean_link_edit,
    edit_in_place,
    evidence_prepare,
    link_prepare,
    topics_get_or_create,
)
from corpus.models import Document
from crosscheck.permissions import can_annotate, can_review, owns
from crosscheck.resources import (
    CrosscheckResource,
    flag,
    key,
    moment,
    number,
    person,
    public_id,
    text,
)
from crosscheck.roles import ANNOTATOR, REVIEWER
from crosscheck.spreadsheet import neutralise, restore

TOPIC_SEPARATOR = "; "
ERROR_REVIEWS_NEED_REVIEWERS = (
    "Reviews are verdicts of named reviewers: tick “Keep the authors and dates recorded in the "
    "file” to import them."
)
ERROR_OWN_LINK = "{reviewer} proposed this link, so cannot have reviewed it."
ERROR_CURRENT_TWICE = "{reviewer} already has a current review of this link."
ERROR_REPLACED = "A review is current exactly when it has no replaced_at time."
ERROR_PAIR_FIXED = "The claims a link joins cannot be changed by an import."


def _refused(error: ClaimError, column_of: dict[str, str] | None = None) -> ValidationError:
    """A service's refusal as a row error on the column it concerns."""
    field = error.field or "__all__"
    column = (column_of or {}).get(field, field)
    return ValidationError({column: str(error)})


class TopicNames(widgets.Widget):
    """A claim's topics as names joined by "; ", in name order."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return []
        return [name.strip() for name in restore(str(value)).split(";") if name.strip()]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        names = (
            value
            if isinstance(value, str)
            else TOPIC_SEPARATOR.join(sorted(topic.name for topic in value.all()))
        )
        return neutralise(names)


class _ComputedText(widgets.Widget):
    """Text the import computes itself: written (neutralised), never read."""

    def render(self, value, obj=None, **kwargs):
        return neutralise(value or "")


def context(attribute: str) -> fields.Field:
    """A passage's prefix or suffix: computed from the document's text on import, so the
    column is written for readers and never read."""
    return fields.Field(
        attribute=attribute, column_name=attribute, readonly=True, widget=_ComputedText()
    )


def _claim(attribute: str):
    return key(attribute, Claim, "public_id", "claim")


ERROR_FLAG = "Not true or false: “{value}” (write 1 or 0, or leave the cell empty)."


class StrictFlag(widgets.BooleanWidget):
    """True or false written 1/0 (or true/false, yes/no); an empty cell is None; any other
    text fails its row rather than reading as false."""

    TRUE = {"1", "true", "yes"}
    FALSE = {"0", "false", "no"}

    def clean(self, value, row=None, **kwargs):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        word = str(value).strip().casefold()
        if not word:
            return None
        if word in self.TRUE or word in self.FALSE:
            return word in self.TRUE
        raise ValueError(ERROR_FLAG.format(value=value))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("1" if value else "0")


EVENT_DATE_COLUMNS = ("event_year", "event_month", "event_day", "event_approximate")


def _event_date(values: dict, instance: Claim) -> dict | None:
    """The event date a row gives, as ``clean_claim_date`` takes it (None for no date);
    a column the file leaves out keeps what ``instance`` holds."""
    year, month, day, approximate = (
        values[name] if name in values else getattr(instance, name) for name in EVENT_DATE_COLUMNS
    )
    if year is None and month is None and day is None and not approximate:
        return None
    return {"year": year, "month": month, "day": day, "approximate": bool(approximate)}


def _clean_event_date(values: dict, instance: Claim) -> dict:
    """The event date fields of a row, checked as the service checks them; a bad date
    fails its row on the event_year column."""
    try:
        return clean_claim_date(_event_date(values, instance))
    except ClaimError as error:
        raise _refused(error, {"date": "event_year"}) from None


class ClaimResource(CrosscheckResource):
    public_id = public_id()
    document = key("document", Document, "checksum", "document with checksum")
    start = number("start")
    end = number("end")
    quote = text("quote")
    prefix = context("prefix")
    suffix = context("suffix")
    statement = text("statement")
    topics = fields.Field(attribute="topics", column_name="topics", widget=TopicNames())
    # The date of the event the claim speaks of (year, month or day, optionally "about").
    event_year = number("event_year")
    event_month = number("event_month")
    event_day = number("event_day")
    event_approximate = fields.Field(
        attribute="event_approximate", column_name="event_approximate", widget=StrictFlag()
    )
    created_by = person("created_by")
    created_at = moment("created_at")

    updatable = ("statement", "topics", *EVENT_DATE_COLUMNS)
    required = ("document",)
    author_column = "created_by"
    author_may, author_role = staticmethod(can_annotate), ANNOTATOR
    created_column = "created_at"

    class Meta(CrosscheckResource.Meta):
        model = Claim
        fields = (
            "public_id",
            "document",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "statement",
            "topics",
            *EVENT_DATE_COLUMNS,
            "created_by",
            "created_at",
        )

    def get_queryset(self):
        # The document's text is not needed to compare an existing claim with its row.
        return Claim.objects.select_related("document", "created_by").defer("document__text")

    def filter_export(self, queryset, **kwargs):
        # One query for any number of rows: related rows joined, topics aggregated in SQL.
        vendor = connections[queryset.db].vendor
        return (
            queryset.prefetch_related(None)
            .select_related("document", "created_by")
            .defer("document__text")
            .annotate(topic_names=_topic_names(vendor))
        )

    def dehydrate_topics(self, claim: Claim) -> str:
        names = getattr(claim, "topic_names", None)
        if names is not None or claim.pk is None:
            return neutralise(names or "")
        return self.fields["topics"].widget.render(claim.topics)

    def build(self, instance: Claim, values: dict, author) -> None:
        try:
            claim, names = claim_prepare(
                document=values["document"], start=values.get("start"), end=values.get("end"),
                quote=values.get("quote"), statement=values.get("statement"),
                topics=values.get("topics", []), author=author,
            )  # fmt: skip
        except ClaimError as error:
            raise _refused(error) from None
        dated = _clean_event_date(values, claim)
        _copy(claim, instance)
        for name, value in dated.items():
            setattr(instance, name, value)
        # Carried on the instance to save_m2m, which import-export calls with it alone.
        instance._topic_names = names  # type: ignore[attr-defined]

    def stored_value(self, instance: Claim, name: str):
        if name == "topics":
            return sorted(topic.name for topic in instance.topics.all())
        return getattr(instance, name)

    def change(self, instance: Claim, values: dict) -> bool:
        if "topics" in values:
            values["topics"] = sorted(values["topics"])
        if "event_approximate" in values:  # an empty cell: not approximate
            values["event_approximate"] = bool(values["event_approximate"])
        return super().change(instance, values)

    def apply_updates(self, instance: Claim, values: dict) -> None:
        try:
            statement, names = clean_claim_edit(
                values.get("statement", instance.statement),
                values.get("topics", self.stored_value(instance, "topics")),
            )
        except ClaimError as error:
            raise _refused(error) from None
        dated = _clean_event_date(values, instance)
        # An edit opened before is now stale.
        edit_in_place(instance, statement=statement, **dated)
        instance._topic_names = names  # type: ignore[attr-defined]  # for save_m2m, as above

    def save_m2m(self, instance: Claim, row, **kwargs):
        names = getattr(instance, "_topic_names", None)
        if names is not None:
            instance.topics.set(topics_get_or_create(names))


def _copy(built, instance) -> None:
    """Give ``instance`` (the import's object) the field values a service prepared."""
    for field in type(built)._meta.concrete_fields:
        if not field.primary_key and field.name != "public_id":
            setattr(instance, field.name, getattr(built, field.name))


class LinkResource(CrosscheckResource):
    public_id = public_id()
    left = _claim("left")
    right = _claim("right")
    relation = text("relation")
    direction = text("direction")
    rationale = text("rationale")
    review_state = fields.Field(attribute="review_state", column_name="review_state", readonly=True)
    created_by = person("created_by")
    created_at = moment("created_at")

    updatable = ("relation", "direction", "rationale")
    required = ("left", "right")
    author_column = "created_by"
    author_may, author_role = staticmethod(can_annotate), ANNOTATOR
    created_column = "created_at"

    class Meta(CrosscheckResource.Meta):
        model = ClaimLink
        fields = (
            "public_id",
            "left",
            "right",
            "relation",
            "direction",
            "rationale",
            "review_state",
            "created_by",
            "created_at",
        )

    def get_queryset(self):
        return ClaimLink.objects.select_related("left", "right")

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related(None).select_related("left", "right", "created_by")

    def build(self, instance: ClaimLink, values: dict, author) -> None:
        try:
            link = link_prepare(
                claim=values["left"], other=values["right"], relation=values.get("relation"),
                rationale=values.get("rationale"), author=author,
                direction=values.get("direction"),
            )  # fmt: skip
        except ClaimError as error:
            raise _refused(error, {"other": "right"}) from None
        _copy(link, instance)

    def change(self, instance: ClaimLink, values: dict) -> bool:
        # The pair is unordered (stored smaller id first), so compare it as a pair.
        pair = {values.pop("left", instance.left), values.pop("right", instance.right)}
        if pair != {instance.left, instance.right}:
            raise ValidationError({"left": ERROR_PAIR_FIXED})
        return super().change(instance, values)

    def apply_updates(self, instance: ClaimLink, values: dict) -> None:
        try:
            relation, rationale = clean_link_edit(
                values.get("relation", instance.relation),
                values.get("rationale", instance.rationale),
            )
            changes = {"relation": relation, "rationale": rationale}
            if "direction" in values:  # else edit_in_place sets one that fits the relation
                changes["direction"] = clean_direction(relation, values["direction"])
        except ClaimError as error:
            raise _refused(error) from None
        edit_in_place(instance, **changes)


class _StateRefresh(CrosscheckResource):
    """Recompute, after the import, the review state of every link it touched."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.touched_links: set[int] = set()

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        locked = ClaimLink.objects.select_for_update().filter(pk__in=self.touched_links)
        for link in locked.order_by("pk"):
            record_author(link, self.user)
            link_state_refresh(link)


class EvidenceResource(_StateRefresh, CrosscheckResource):
    public_id = public_id()
    claim = _claim("claim")
    link = key("link", ClaimLink, "public_id", "claim link")
    kind = text("kind")
    bearing = text("bearing")
    citation = text("citation")
    url = text("url")
    quote = text("quote")
    document = key("document", Document, "checksum", "document with checksum")
    start = number("start")
    end = number("end")
    prefix = context("prefix")
    suffix = context("suffix")
    created_by = person("created_by")
    created_at = moment("created_at")

    updatable = ("bearing",)
    author_column = "created_by"
    author_may, author_role = staticmethod(can_annotate), ANNOTATOR
    created_column = "created_at"

    class Meta(CrosscheckResource.Meta):
        model = Evidence
        fields = (
            "public_id",
            "claim",
            "link",
            "kind",
            "bearing",
            "citation",
            "url",
            "quote",
            "document",
            "start",
            "end",
            "prefix",
            "suffix",
            "created_by",
            "created_at",
        )

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.prefetch_related(None)
            .select_related("claim", "link", "document", "created_by")
            .defer("document__text")
        )

    def build(self, instance: Evidence, values: dict, author) -> None:
        try:
            evidence = evidence_prepare(
                claim=values.get("claim"), link=values.get("link"), kind=values.get("kind"),
                bearing=values.get("bearing"), citation=values.get("citation", ""),
                url=values.get("url", ""), quote=values.get("quote", ""),
                document=values.get("document"), start=values.get("start"),
                end=values.get("end"), author=author,
            )  # fmt: skip
        except ClaimError as error:
            raise _refused(error, {"target": "claim"}) from None
        _copy(evidence, instance)
        self._touch(instance)

    def apply_updates(self, instance: Evidence, values: dict) -> None:
        try:
            bearing = clean_bearing(values["bearing"])
        except ClaimError as error:
            raise _refused(error) from None
        edit_in_place(instance, bearing=bearing)
        self._touch(instance)

    def _touch(self, evidence: Evidence) -> None:
        if evidence.link_id is not None:
            self.touched_links.add(evidence.link_id)
        else:
            sides = Q(left_id=evidence.claim_id) | Q(right_id=evidence.claim_id)
            self.touched_links.update(ClaimLink.objects.filter(sides).values_list("pk", flat=True))


class ReviewResource(_StateRefresh, CrosscheckResource):
    public_id = public_id()
    link = key("link", ClaimLink, "public_id", "claim link")
    reviewer = person("reviewer")
    verdict = text("verdict")
    note = text("note")
    is_current = flag("is_current")
    created_at = moment("created_at")
    replaced_at = moment("replaced_at")

    required = ("link",)
    author_column = "reviewer"
    author_may, author_role = staticmethod(can_review), REVIEWER
    created_column = "created_at"

    class Meta(CrosscheckResource.Meta):
        model = Review
        fields = (
            "public_id",
            "link",
            "reviewer",
            "verdict",
            "note",
            "is_current",
            "created_at",
            "replaced_at",
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related(None).select_related("link", "reviewer")

    def before_import(self, dataset, **kwargs):
        if not self.keep_provenance:
            raise ValidationError(ERROR_REVIEWS_NEED_REVIEWERS)
        super().before_import(dataset, **kwargs)

    def build(self, instance: Review, values: dict, author) -> None:
        link = values["link"]
        try:
            verdict, note = clean_verdict(values.get("verdict"), values.get("note", ""))
        except ClaimError as error:
            raise _refused(error) from None
        if owns(author, link):
            raise ValidationError({"reviewer": ERROR_OWN_LINK.format(reviewer=author)})
        current = values.get("is_current")
        current = True if current is None else current
        replaced_at = values.get("replaced_at")
        if current == (replaced_at is not None):
            raise ValidationError({"replaced_at": ERROR_REPLACED})
        if current and Review.objects.filter(link=link, reviewer=author, is_current=True).exists():
            raise ValidationError({"reviewer": ERROR_CURRENT_TWICE.format(reviewer=author)})
        instance.link, instance.reviewer = link, author
        instance.verdict, instance.note = verdict, note
        instance.is_current, instance.replaced_at = current, replaced_at
        self.touched_links.add(link.pk)
