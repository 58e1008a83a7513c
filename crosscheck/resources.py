"""What every import and export of the admin shares (django-import-export resources).

A file exported from one Crosscheck imports into another: objects are named by natural
keys that mean the same everywhere — a source by its slug, a document by its checksum,
claims, links, evidence and reviews by their public ids, people by their usernames.

- **Natural keys** are resolved without a query per row: ``before_import`` reads every key
  a column holds and loads the objects they name in one query per column (``NaturalKey``).
- **Spreadsheet safety**: every text cell is neutralised on export, in every format, with
  the same rule as the CSV exports (``crosscheck.spreadsheet``), and restored on import,
  so a round trip gives back exactly what was exported.
- **All or nothing**: each import runs in one transaction; a file with any bad row imports
  nothing and the preview names the row and the reason.
- **Who and when**: authors and creation times are those of the editor who imports and
  the moment of the import, unless the editor ticks "Keep the authors and dates recorded in
  the file" (then the named users must exist here).
- **Existing objects**: a row whose key exists here may change only what the admin lets an
  editor change (``updatable``); the other columns must match what is stored (a claim's
  passage, for one, never changes). A row that changes nothing is reported as skipped.
- **The preview's marks** of what a cell gains and loses are plain ``<ins>``/``<del>``
  (``MarkedDiff``): the package's carry inline style attributes, which the
  Content-Security-Policy refuses; ``crosscheck/static/crosscheck/admin.css`` colours them.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader

from crosscheck.spreadsheet import neutralise, restore
from crosscheck.text import shorten

ERROR_UNKNOWN_KEY = "No {thing} “{key}” in this Crosscheck."
ERROR_UNKNOWN_USER = (
    "No user “{key}” in this Crosscheck: create the account first, or import without keeping "
    "the authors recorded in the file."
)
ERROR_FIXED = (
    "{column} cannot be changed by an import: the file says “{given}”, stored is “{stored}”."
)
ERROR_DATETIME = (
    "Not a date and time: “{value}” (expected ISO 8601, e.g. 2026-11-22T10:30:00+00:00)."
)
ERROR_KEY_MISSING = "The {column} column is empty; every row needs it."
ERROR_NO_AUTHOR = "The {column} column is empty; with authors kept, every row needs one."
ERROR_AUTHOR_ROLE = (
    "“{user}” cannot be credited with {things}: that needs the {role} role, which the account "
    "does not have. Give it the role, or import without keeping the authors recorded in the file."
)
ERROR_AUTHOR_INACTIVE = (
    "“{user}” cannot be credited with {things}: the account is deactivated. Reactivate it, or "
    "import without keeping the authors recorded in the file."
)


class SafeText(widgets.CharWidget):
    """Text: neutralised for spreadsheets on export, restored on import."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        return restore(str(value))

    def render(self, value, obj=None, **kwargs):
        return neutralise("" if value is None else str(value))


class Number(widgets.IntegerWidget):
    """A whole number; a spreadsheet's 12.0 is read as 12, but 12.5 is refused."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise ValueError(f"Not a whole number: {value!r}.")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"Not a whole number: {value!r}.")
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"Not a whole number: “{value}”.") from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class IsoDateTime(widgets.Widget):
    """A moment as ISO 8601 text with its UTC offset, the same in every format."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError(ERROR_DATETIME.format(value=value)) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)
        return moment

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.astimezone(UTC).isoformat()


class Boolean(widgets.BooleanWidget):
    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("1" if value else "0")


class NaturalKey(widgets.ForeignKeyWidget):
    """A foreign key written as the related object's natural key (``key``).

    ``prefetch`` loads every object the import names in one query; ``clean`` then only
    looks up that table."""

    def __init__(self, model, key: str, thing: str, error: str = ERROR_UNKNOWN_KEY, **kwargs):
        super().__init__(model, field=key, **kwargs)
        self.thing = thing
        self.error = error
        self.found: dict[str, models.Model] = {}

    def prefetch(self, values: Iterable) -> None:
        keys = {str(value).strip() for value in values if value not in (None, "")}
        self.found = {
            str(getattr(obj, self.field)): obj
            for obj in self.model.objects.filter(**{f"{self.field}__in": keys})
        }

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        key = str(value).strip()
        try:
            return self.found[key]
        except KeyError:
            raise ValueError(self.error.format(thing=self.thing, key=key)) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


def text(attribute: str, column: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column or attribute, widget=SafeText())


def number(attribute: str, column: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column or attribute, widget=Number())


def moment(attribute: str, column: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column or attribute, widget=IsoDateTime())


def flag(attribute: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=attribute, widget=Boolean())


def key(attribute: str, model, natural_key: str, thing: str) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=attribute, widget=NaturalKey(model, natural_key, thing)
    )


def person(attribute: str) -> fields.Field:
    """A user, by username."""
    widget = NaturalKey(get_user_model(), "username", "user", error=ERROR_UNKNOWN_USER)
    return fields.Field(attribute=attribute, column_name=attribute, widget=widget)


def public_id() -> fields.Field:
    return fields.Field(attribute="public_id", column_name="public_id", widget=PublicId())


class PublicId(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        import uuid

        if value in (None, ""):
            return None
        try:
            return uuid.UUID(str(value).strip())
        except ValueError:
            raise ValueError(f"Not a public id (a UUID): “{value}”.") from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class KeyLoader(ModelInstanceLoader):
    """Loads every existing object the file names, in one query; a malformed key is left
    for its row to report."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        field = resource.fields[resource.key_column]
        keys = set()
        for row in dataset.dict if field.column_name in (dataset.headers or []) else []:
            try:
                keys.add(field.clean(row))
            except ValueError:
                continue
        keys.discard(None)
        self.field = field
        # Locked for the import's transaction, so that an edit made at the same moment waits
        # and then sees the import's new version (a 409, never a lost update).
        queryset = self.get_queryset().select_for_update(of=("self",))
        queryset = queryset.filter(**{f"{field.attribute}__in": keys})
        self.found = {getattr(obj, field.attribute): obj for obj in queryset}

    def get_instance(self, row):
        return self.found.get(self.field.clean(row))


class MarkedDiff(resources.Diff):
    """The preview's before/after of each cell, as the package draws it (diff-match-patch,
    its differences cleaned up to whole words) but marked with plain ``<ins>``/``<del>``:
    the package's ``diff_prettyHtml`` writes a ``style`` attribute on each mark."""

    TAGS = {1: "ins", -1: "del", 0: "span"}  # diff-match-patch's insert, delete, equal

    def as_html(self) -> list[SafeString]:
        from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]

        cells = []
        matcher = diff_match_patch()
        for before, after in zip(self.left, self.right, strict=False):
            if before != after and self.new:
                before = ""
            diff = matcher.diff_main(force_str(before), force_str(after))
            matcher.diff_cleanupSemantic(diff)
            marks = (
                f"<{self.TAGS[op]}>{escape(text).replace(chr(10), '&para;<br>')}</{self.TAGS[op]}>"
                for op, text in diff
            )
            cells.append(mark_safe("".join(marks)))
        return cells


class CrosscheckResource(resources.ModelResource):
    """The base of every resource (see the module docstring).

    Subclasses declare their columns, ``key_column`` (the natural key), ``updatable`` (what
    an import may change in an existing object), ``provenance`` (the author column, the
    creation-time column) and implement ``build`` (check a new object's row and fill it in).
    """

    key_column = "public_id"
    updatable: tuple[str, ...] = ()
    author_column: str | None = None
    # Columns a new object's row must fill, and whether it must name an author (with
    # keep_provenance an empty author cell gives None; documents may have none).
    required: tuple[str, ...] = ()
    author_required = True
    # Whom a file may credit with a new object (``author_column``, with keep_provenance):
    # a rule of crosscheck.permissions (staticmethod), and the role that grants it.
    author_may: Callable | None = None
    author_role = ""
    created_column: str | None = None
    # Columns the preview shows in full; a document's text is left out of the comparison.
    summary_excluded: tuple[str, ...] = ()

    class Meta:
        abstract = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False
        instance_loader_class = KeyLoader

    def __init__(self, *, user=None, keep_provenance: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.keep_provenance = bool(keep_provenance)

    # --- the natural keys ----------------------------------------------------------------

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """One row of an export. django-import-export looks up each field's name and
        dehydrate method again for every cell; here they are looked up once per export."""
        plan_key = tuple(selected_fields or ())
        if getattr(self, "_export_plan_key", None) != plan_key:
            self._export_plan_key = plan_key
            self._export_plan = [
                (field, self._dehydrator(field))
                for field in self.get_export_fields(selected_fields)
            ]
        return [
            dehydrate(instance) if dehydrate else field.export(instance, **kwargs)
            for field, dehydrate in self._export_plan
        ]

    def _dehydrator(self, field):
        method = field.get_dehydrate_method(self.get_field_name(field))
        return method if callable(method) else getattr(self, method, None)

    def import_data(self, dataset, **kwargs):
        # All or nothing: a row refused by validation rolls back the whole file too.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def get_import_id_fields(self):
        return [self.key_column]

    def get_diff_class(self):
        return MarkedDiff

    def before_import(self, dataset, **kwargs):
        headers = set(dataset.headers or [])
        if self.key_column not in headers:
            raise ValidationError(ERROR_KEY_MISSING.format(column=self.key_column))
        for field in self.fields.values():
            if isinstance(field.widget, NaturalKey) and field.column_name in headers:
                field.widget.prefetch(dataset[field.column_name])

    def get_instance(self, instance_loader, row):
        if row.get(self.key_column) in (None, ""):
            message = ERROR_KEY_MISSING.format(column=self.key_column)
            raise ValidationError({self.key_column: message})
        try:
            return instance_loader.get_instance(row)
        except ValueError as error:
            raise ValidationError({self.key_column: str(error)}) from None

    # --- a row ---------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        """Read the row's cells, then either ``build`` a new object from them or apply the
        ``updatable`` ones to the existing object. Errors name the column."""
        values, errors = {}, {}
        for field in self.get_import_fields():
            if field.column_name not in row or field.readonly:
                continue
            try:
                values[field.attribute] = field.clean(row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = str(error)
        if errors:
            raise ValidationError(errors)
        author = self._author(values)
        if instance.pk is None:
            self.check_required(values, author)
            self.build(instance, values, author)
            setattr(instance, self.key_column, values[self.key_column])
            instance._import_changed = True
        else:
            instance._import_changed = self.change(instance, values)
        instance._history_user = self.user
        instance._change_reason = "import"

    def _author(self, values: dict):
        """The author of a new object: the importing editor, or with ``keep_provenance``
        the user the file names (None when its cell is empty)."""
        if self.keep_provenance and self.author_column and self.author_column in values:
            return values[self.author_column]
        return self.user

    def check_required(self, values: dict, author) -> None:
        """Refuse a new object's row that lacks a ``required`` column, or an author."""
        for column in self.required:
            if values.get(column) is None:
                raise ValidationError({column: ERROR_KEY_MISSING.format(column=column)})
        if author is None and self.author_required:
            column = self.author_column or "__all__"  # every resource needing one names it
            raise ValidationError({column: ERROR_NO_AUTHOR.format(column=column)})
        named = self.author_column if self.keep_provenance else None
        if author is not None and named and named in values:
            self.check_author(author, named)

    def check_author(self, author, column: str) -> None:
        """Refuse to credit a user the file names with what their role may not create."""
        if self.author_may is None or self.author_may(author):
            return
        message = ERROR_AUTHOR_ROLE if author.is_active else ERROR_AUTHOR_INACTIVE
        things = self._meta.model._meta.verbose_name_plural
        user = author.get_username()
        error = message.format(user=user, things=things, role=self.author_role)
        raise ValidationError({column: error})

    def build(self, instance, values: dict, author) -> None:
        raise NotImplementedError

    def change(self, instance, values: dict) -> bool:
        """Apply the updatable values; refuse a row that contradicts the fixed ones."""
        errors = {}
        for field in self.get_import_fields():
            name = field.attribute
            if name not in values or name == self.key_column or field.readonly:
                continue
            if name in self.updatable or name in self.provenance_columns():
                continue
            stored = field.export(instance)
            given = field.widget.render(values[name]) if values[name] is not None else ""
            if str(stored) != str(given):
                errors[name] = ERROR_FIXED.format(
                    column=field.column_name, given=shorten(str(given)), stored=shorten(str(stored))
                )
        if errors:
            raise ValidationError(errors)
        changed = False
        for name in self.updatable:
            if name in values and self.stored_value(instance, name) != values[name]:
                changed = True
        if changed:
            self.apply_updates(
                instance, {name: values[name] for name in self.updatable if name in values}
            )
        return changed

    def provenance_columns(self) -> set[str]:
        return {column for column in (self.author_column, self.created_column) if column}

    def stored_value(self, instance, name: str):
        return getattr(instance, name)

    def apply_updates(self, instance, values: dict) -> None:
        """Check and set the updatable values of an existing object (``ValidationError``)."""
        for name, value in values.items():
            setattr(instance, name, value)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and not getattr(instance, "_import_changed", True)

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        if is_create and self.keep_provenance and self.created_column:
            created = (
                self.fields[self.created_column].clean(row) if self.created_column in row else None
            )
            if created is not None:
                # auto_now_add set the time of the import; put back the recorded one.
                type(instance).objects.filter(pk=instance.pk).update(
                    **{self.created_column: created}
                )
                setattr(instance, self.created_column, created)
