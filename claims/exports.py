"""The annotated corpus as CSV: one definition of the columns per dataset, shared by the
Export page, the ``export_annotations`` command and the admin's export.

Rows stream from the database (``iterator()``) through the csv module in small batches:
memory stays flat and the number of SQL queries is the same whatever the row count. A
claim's topics come from a second query in the same claim order, merged as both stream.

Spreadsheet safety: a text cell that a spreadsheet would run as a formula — one starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — is written with a leading
apostrophe (``'=1+1``), which spreadsheets show as text; so is text that already starts with
an apostrophe, so that ``restore`` undoes exactly what was added, on import.
Numeric columns are written as numbers."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import django_filters
from django.db import connections
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.filters import ClaimFilter, EvidenceFilter, LinkFilter
from claims.models import Claim, ClaimLink, Evidence, Review, Verdict

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PREFIXED = frozenset(FORMULA_TRIGGERS) | {"'"}
BOM = "\ufeff"
BATCH_ROWS = 500


def neutralise(text: str) -> str:
    """Text a spreadsheet will show, never run: a leading apostrophe before a trigger, and
    before an apostrophe already there, so that ``restore`` can always undo it."""
    return "'" + text if text[:1] in _PREFIXED else text


def restore(text: str) -> str:
    """Undo ``neutralise``, for imports: drop the apostrophe it added."""
    return text[1:] if text[:1] == "'" and text[1:2] in _PREFIXED else text


def _text_cell(value) -> str:
    if value.__class__ is str:  # the usual case, kept short: it runs for every text cell
        return "'" + value if value[:1] in _PREFIXED else value
    return "" if value is None else neutralise(str(value))


def _uuid_cell(value) -> str:
    """A UUID as 8-4-4-4-12 hex: SQLite hands back 32 hex digits, PostgreSQL a UUID."""
    if value is None:
        return ""
    if isinstance(value, str):
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def _datetime_cell(value) -> str:
    """An ISO 8601 UTC time: SQLite hands back a naive UTC datetime (or its text),
    PostgreSQL an aware one."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return value.astimezone(UTC).isoformat()


_CELLS = {"text": _text_cell, "uuid": _uuid_cell, "datetime": _datetime_cell}


@dataclass(frozen=True)
class Column:
    """One CSV column: its header, the ORM path (or annotation) it reads, and its kind,
    which says how a database value becomes a cell."""

    name: str
    key: str
    kind: str = "text"

    @property
    def cell(self) -> Callable[[object], object]:
        """How a database value becomes a cell (numbers are written as they are)."""
        return _CELLS[self.kind]


def _text(name: str, key: str | None = None) -> Column:
    return Column(name, key or name)


def _number(name: str, key: str | None = None) -> Column:
    return Column(name, key or name, "number")


def _uuid(name: str, key: str) -> Column:
    return Column(name, key, "uuid")


def _datetime(name: str, key: str) -> Column:
    return Column(name, key, "datetime")


def stream_values(queryset: QuerySet, keys: list[str]) -> Iterator[tuple]:
    """The queryset's ``values_list(*keys)`` rows as the database driver returns them,
    fetched in chunks from one (server-side, on PostgreSQL) cursor. Django's per-value
    converters are skipped — the columns' cell functions handle both drivers' types —
    because they took half the export's time (bench/export.py)."""
    query = queryset.values_list(*keys).query
    sql, params = query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            yield from rows


def _count(queryset: QuerySet, group: str) -> Coalesce:
    """A correlated COUNT(*) subquery, 0 when nothing matches."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    filterset: type[django_filters.FilterSet]
    columns: tuple[Column, ...]
    rows: Callable[[QuerySet], Iterator[dict]]
    """Turns the filtered queryset into row dicts, streaming, in a fixed order."""

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


# --- claims ------------------------------------------------------------------------------


def _claim_rows(claims: QuerySet) -> Iterator[tuple]:
    annotated = claims.order_by("pk").annotate(
        link_count=_count(ClaimLink.objects.filter(left=OuterRef("pk")), "left")
        + _count(ClaimLink.objects.filter(right=OuterRef("pk")), "right"),
        evidence_count=_count(Evidence.objects.filter(claim=OuterRef("pk")), "claim"),
    )
    keys = ["pk", *(column.key for column in CLAIMS.columns if column.key != "topics")]
    topics_at = [column.key for column in CLAIMS.columns].index("topics")
    topics = (
        Claim.topics.through.objects.filter(claim__in=claims.values("pk"))
        .order_by("claim_id", "topic__name")
        .values_list("claim_id", "topic__name")
        .iterator(chunk_size=2000)
    )
    pending = next(topics, None)
    for pk, *values in stream_values(annotated, keys):
        names = []
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                names.append(pending[1])
            pending = next(topics, None)
        values.insert(topics_at, "; ".join(names))
        yield values


CLAIMS = Dataset(
    name="claims",
    label="Claims",
    filterset=ClaimFilter,
    columns=(
        _uuid("claim_id", "public_id"),
        _text("source", "document__source__name"),
        _text("source_kind", "document__source__kind"),
        _text("document", "document__title"),
        _text("document_checksum", "document__checksum"),
        _number("start"),
        _number("end"),
        _text("quote"),
        _text("statement"),
        _text("topics"),
        _text("annotator", "created_by__username"),
        _datetime("created", "created_at"),
        _datetime("updated", "updated_at"),
        _number("links", "link_count"),
        _number("evidence", "evidence_count"),
    ),
    rows=_claim_rows,
)


# --- claim pairs -------------------------------------------------------------------------


def _side_columns(side: str) -> tuple[Column, ...]:
    return (
        _uuid(f"{side}_claim_id", f"{side}__public_id"),
        _text(f"{side}_source", f"{side}__document__source__name"),
        _text(f"{side}_document", f"{side}__document__title"),
        _text(f"{side}_quote", f"{side}__quote"),
        _text(f"{side}_statement", f"{side}__statement"),
    )


def _pair_rows(links: QuerySet) -> Iterator[tuple]:
    current = Review.objects.current().filter(link=OuterRef("pk"))
    verdict_counts = {
        f"reviews_{verdict}": _count(current.filter(verdict=verdict), "link")
        for verdict in Verdict.values
    }
    evidence = _count(Evidence.objects.filter(link=OuterRef("pk")), "link")
    rows = links.order_by("pk").annotate(**verdict_counts, evidence_count=evidence)
    return stream_values(rows, [column.key for column in PAIRS.columns])


PAIRS = Dataset(
    name="pairs",
    label="Claim pairs",
    filterset=LinkFilter,
    columns=(
        _uuid("pair_id", "public_id"),
        *_side_columns("left"),
        *_side_columns("right"),
        _text("relation"),
        _text("rationale"),
        _text("proposer", "created_by__username"),
        _text("state", "review_state"),
        *(_number(f"reviews_{verdict}") for verdict in Verdict.values),
        _number("evidence", "evidence_count"),
        _datetime("created", "created_at"),
    ),
    rows=_pair_rows,
)


# --- evidence ----------------------------------------------------------------------------


def _evidence_rows(evidence: QuerySet) -> Iterator[tuple]:
    attached_to = Case(When(claim__isnull=False, then=Value("claim")), default=Value("pair"))
    rows = evidence.order_by("pk").annotate(attached_to=attached_to)
    return stream_values(rows, [column.key for column in EVIDENCE.columns])


EVIDENCE = Dataset(
    name="evidence",
    label="Evidence",
    filterset=EvidenceFilter,
    columns=(
        _uuid("evidence_id", "public_id"),
        _text("attached_to"),
        _uuid("claim_id", "claim__public_id"),
        _uuid("pair_id", "link__public_id"),
        _text("kind"),
        _text("bearing"),
        _text("citation"),
        _text("url"),
        _text("quote"),
        _text("passage_document", "document__title"),
        _text("passage_document_checksum", "document__checksum"),
        _number("passage_start", "start"),
        _number("passage_end", "end"),
        _text("added_by", "created_by__username"),
        _datetime("created", "created_at"),
    ),
    rows=_evidence_rows,
)

DATASETS = {dataset.name: dataset for dataset in (CLAIMS, PAIRS, EVIDENCE)}


def csv_chunks(dataset: Dataset, queryset: QuerySet, *, excel: bool = False) -> Iterator[str]:
    """The CSV text in chunks of ``BATCH_ROWS`` rows (RFC 4180: CRLF line ends, quotes
    doubled); with ``excel``, a UTF-8 byte-order mark first."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(dataset.header)
    yield (BOM if excel else "") + header.getvalue()
    # Numbers go out as they come (None as ""); every other kind through its cell function.
    converted = [(i, column.cell) for i, column in enumerate(dataset.columns)
                 if column.kind != "number"]  # fmt: skip
    numbers = [i for i, column in enumerate(dataset.columns) if column.kind == "number"]
    batch: list[list] = []
    for values in dataset.rows(queryset):
        row = list(values)
        for i, cell in converted:
            row[i] = cell(row[i])
        for i in numbers:
            if row[i] is None:
                row[i] = ""
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            yield _csv_text(batch)
            batch = []
    if batch:
        yield _csv_text(batch)


def _csv_text(rows: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def export_filename(dataset: Dataset) -> str:
    return f"crosscheck-{dataset.name}-{timezone.localdate().isoformat()}.csv"


def filtered(dataset: Dataset, data) -> django_filters.FilterSet:
    """The dataset's filterset bound to ``data`` (a QueryDict); check ``is_valid()``."""
    model = dataset.filterset._meta.model
    return dataset.filterset(data, queryset=model.objects.all())
