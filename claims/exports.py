"""The annotated corpus as CSV: one definition of the columns per dataset, shared by the
Export page, the ``export_annotations`` command and the admin's export.

The database writes each CSV record itself — every cell formatted, neutralised and quoted
by SQL expressions built from the column definitions — and the rows stream from one
(server-side, on PostgreSQL) cursor in batches: memory stays flat, one query serves the
whole export, and Python only joins lines. Quoting follows the csv module's: a cell is
quoted when it holds a comma, a double quote or a line break, and quotes are doubled.

What keeps it over a third of the speed of the database's own CSV tool (bench/export.py):
each text cell tests for the four characters with a plain search each (``_has_csv_specials``),
a claim's topics are aggregated once per claim (``_topic_names``), and counts are bare
``COUNT(*)`` subqueries. Most of an export's time is the database evaluating these
expressions, so they are what to measure when a column is added.

Spreadsheet safety: text cells are neutralised by the rule of ``crosscheck.spreadsheet``
(a leading apostrophe before a formula trigger), written here in SQL. Numeric columns are
written as numbers."""

import csv
import io
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import reduce

import django_filters
from django.db import connections
from django.db.models import (
    Case,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Replace, Substr
from django.db.models.lookups import Contains, In
from django.utils import timezone

from claims.filters import ClaimFilter, EvidenceFilter, LinkFilter
from claims.models import Claim, ClaimLink, Evidence, Review, Topic, Verdict
from claims.sqltext import TEXT, Joined, between, iso_utc_text, uuid_text
from crosscheck.spreadsheet import PREFIXED

BOM = "\ufeff"
BATCH_ROWS = 500


NUMBER: "IntegerField[int, int]" = IntegerField()


def _has_csv_specials(value) -> Q | Expression:
    """Whether the csv module would quote the text: it holds a comma, a double quote or a
    line break. One ``LIKE '%,%'`` per character, which both databases answer with a fast
    search for the character; a pattern of the four (a GLOB class, a regex) is tested at
    every character and took SQLite three times as long."""
    return reduce(operator.or_, [Contains(value, character) for character in ',"\n\r'])


def _csv_text(value) -> Expression:
    """A text cell: neutralised (``crosscheck.spreadsheet.neutralise``), then quoted when it
    must be."""
    prefixed = Case(
        When(In(Substr(value, 1, 1), sorted(PREFIXED)), then=Joined(Value("'"), value)),
        default=value,
        output_field=TEXT,
    )
    quoted = Joined(Value('"'), Replace(prefixed, Value('"'), Value('""')), Value('"'))
    return Case(When(_has_csv_specials(value), then=quoted), default=prefixed, output_field=TEXT)


@dataclass(frozen=True)
class Column:
    """One CSV column: its header, the ORM path (or annotation) it reads, and its kind,
    which says how the database formats the cell: "text" (neutralised and quoted),
    "number", "uuid", "datetime", "plain" (written as it is) or "cell" (formatted by its
    annotation)."""

    name: str
    key: str
    kind: str = "text"

    def sql(self, vendor: str) -> Expression:
        """The cell as text, formatted by the database; NULL becomes an empty cell."""
        value = F(self.key)
        cell: Expression | F
        if self.kind == "number":
            cell = Cast(value, TEXT)
        elif self.kind == "uuid":
            cell = uuid_text(value, vendor)
        elif self.kind == "datetime":
            cell = iso_utc_text(value, vendor)
        elif self.kind in ("plain", "cell"):  # nothing to escape, or formatted already
            cell = value
        else:
            cell = _csv_text(value)
        return Coalesce(cell, Value(""), output_field=TEXT)


def _record(dataset: "Dataset", vendor: str) -> Expression:
    """One CSV record (with its CRLF) as a single SQL expression."""
    cells = [column.sql(vendor) for column in dataset.columns]
    return Joined(*between(cells, Value(",")), Value("\r\n"))


def _text(name: str, key: str | None = None) -> Column:
    return Column(name, key or name)


def _number(name: str, key: str | None = None) -> Column:
    return Column(name, key or name, "number")


def _plain(name: str, key: str | None = None) -> Column:
    """Text that can never need neutralising or quoting (checked by the database's
    constraints: a checksum's hex digits, a choice's value)."""
    return Column(name, key or name, "plain")


def _cell(name: str, key: str) -> Column:
    """A cell its annotation formats itself (the claims' topics: see ``_topic_names``)."""
    return Column(name, key, "cell")


def _uuid(name: str, key: str) -> Column:
    return Column(name, key, "uuid")


def _datetime(name: str, key: str) -> Column:
    return Column(name, key, "datetime")


def _batches(records: QuerySet) -> Iterator[str]:
    """The queryset's one column of records, ``BATCH_ROWS`` at a time, joined: fetched as
    the database driver returns them (the records are text already: no Django converters)
    from one cursor, server-side on PostgreSQL."""
    sql, params = records.query.get_compiler(using=records.db).as_sql()
    with connections[records.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield "".join([record for (record,) in rows])


def _count(queryset: QuerySet) -> Subquery:
    """A correlated ``COUNT(*)`` subquery (0 when nothing matches: no GROUP BY)."""
    counted = queryset.order_by().annotate(n=Func(template="COUNT(*)", output_field=NUMBER))
    return Subquery(counted.values("n"))


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    filterset: type[django_filters.FilterSet]
    columns: tuple[Column, ...]
    annotate: Callable[[QuerySet, str], QuerySet]
    """Adds the annotations the columns read (counts, topics) for the database vendor."""

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def explained(self) -> list[tuple[str, str]]:
        """Each column's name and what its cells hold (``COLUMN_NOTES``), in file order."""
        return [(name, COLUMN_NOTES[self.name][name]) for name in self.header]


# --- claims ------------------------------------------------------------------------------


def _topic_names(vendor: str, cell: Callable[[Expression], Expression] | None = None):
    """A claim's topic names joined by "; " in code point order, as Python's ``sorted``
    puts them (PostgreSQL is told to, whatever the database's collation); NULL when it has
    none. With ``cell``, what ``cell`` makes of the names instead, computed inside the
    subquery, so the names are aggregated once per claim however often ``cell`` reads
    them (outside, every reading of the subquery would run it again)."""
    through = Claim.topics.through._meta.db_table
    topic, claim = Topic._meta.db_table, Claim._meta.db_table
    rows = f"FROM {through} ct JOIN {topic} t ON t.id = ct.topic_id WHERE ct.claim_id = {claim}.id"
    if vendor == "postgresql":
        names = RawSQL("""STRING_AGG(t.name, '; ' ORDER BY t.name COLLATE "C")""", ())
    else:  # SQLite (3.40) has no ORDER BY inside GROUP_CONCAT: aggregate an ordered subquery.
        names = RawSQL("GROUP_CONCAT(name, '; ')", ())
        rows = f"FROM (SELECT t.name AS name {rows} ORDER BY t.name)"
    value = cell(names) if cell else names
    return Func(value, template=f"(SELECT %(expressions)s {rows})", output_field=TEXT)


def _date_part(name: str) -> Expression:
    """The month or day as "-" and two digits ("-04"); empty when it is NULL."""
    value = F(name)
    digits = Case(
        When(**{f"{name}__lt": 10}, then=Joined(Value("0"), Cast(value, TEXT))),
        default=Cast(value, TEXT),
        output_field=TEXT,
    )
    return Coalesce(Joined(Value("-"), digits), Value(""), output_field=TEXT)


def _event_date_cells() -> dict[str, Expression]:
    """The event date as an ISO 8601 date as precise as it is ("1934", "1934-12",
    "1934-12-01") and whether it is approximate ("true", "false"); both NULL without a date."""
    dated = Q(event_year__isnull=False)
    date = Joined(Cast(F("event_year"), TEXT), _date_part("event_month"), _date_part("event_day"))
    approximate = Case(
        When(dated & Q(event_approximate=True), then=Value("true")),
        When(dated, then=Value("false")),
        output_field=TEXT,
    )
    return {"event_date_cell": Case(When(dated, then=date), output_field=TEXT),
            "event_approximate_cell": approximate}  # fmt: skip


def _claim_rows(claims: QuerySet, vendor: str) -> QuerySet:
    return claims.annotate(
        link_count=_count(ClaimLink.objects.filter(left=OuterRef("pk")))
        + _count(ClaimLink.objects.filter(right=OuterRef("pk"))),
        evidence_count=_count(Evidence.objects.filter(claim=OuterRef("pk"))),
        topics_cell=_topic_names(vendor, _csv_text),
        **_event_date_cells(),
    )


CLAIMS = Dataset(
    name="claims",
    label="Claims",
    filterset=ClaimFilter,
    columns=(
        _uuid("claim_id", "public_id"),
        _text("source", "document__source__name"),
        _plain("source_kind", "document__source__kind"),
        _text("document", "document__title"),
        _plain("document_checksum", "document__checksum"),
        _number("document_revision", "document__revision"),
        _plain("anchor_state"),
        _number("start"),
        _number("end"),
        _text("quote"),
        _text("statement"),
        _cell("topics", "topics_cell"),
        _text("annotator", "created_by__username"),
        _datetime("created", "created_at"),
        _datetime("updated", "updated_at"),
        _number("links", "link_count"),
        _number("evidence", "evidence_count"),
        _cell("event_date", "event_date_cell"),
        _cell("event_date_approximate", "event_approximate_cell"),
    ),
    annotate=_claim_rows,
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


def _pair_rows(links: QuerySet, vendor: str) -> QuerySet:
    current = Review.objects.current().filter(link=OuterRef("pk"))
    verdict_counts = {
        f"reviews_{verdict}": _count(current.filter(verdict=verdict)) for verdict in Verdict.values
    }
    evidence = _count(Evidence.objects.filter(link=OuterRef("pk")))
    return links.annotate(**verdict_counts, evidence_count=evidence)


PAIRS = Dataset(
    name="pairs",
    label="Claim pairs",
    filterset=LinkFilter,
    columns=(
        _uuid("pair_id", "public_id"),
        *_side_columns("left"),
        *_side_columns("right"),
        _plain("relation"),
        _plain("direction"),
        _text("rationale"),
        _text("proposer", "created_by__username"),
        _plain("state", "review_state"),
        *(_number(f"reviews_{verdict}") for verdict in Verdict.values),
        _number("evidence", "evidence_count"),
        _datetime("created", "created_at"),
    ),
    annotate=_pair_rows,
)


# --- evidence ----------------------------------------------------------------------------


def _evidence_rows(evidence: QuerySet, vendor: str) -> QuerySet:
    attached_to = Case(When(claim__isnull=False, then=Value("claim")), default=Value("pair"))
    return evidence.annotate(attached_to=attached_to)


EVIDENCE = Dataset(
    name="evidence",
    label="Evidence",
    filterset=EvidenceFilter,
    columns=(
        _uuid("evidence_id", "public_id"),
        _plain("attached_to"),
        _uuid("claim_id", "claim__public_id"),
        _uuid("pair_id", "link__public_id"),
        _plain("kind"),
        _plain("bearing"),
        _text("citation"),
        _text("url"),
        _text("quote"),
        _text("passage_document", "document__title"),
        _plain("passage_document_checksum", "document__checksum"),
        _number("passage_document_revision", "document__revision"),
        _number("passage_start", "start"),
        _number("passage_end", "end"),
        _text("added_by", "created_by__username"),
        _datetime("created", "created_at"),
    ),
    annotate=_evidence_rows,
)

DATASETS = {dataset.name: dataset for dataset in (CLAIMS, PAIRS, EVIDENCE)}

# What each column holds, as the Export page explains it beside the download. Every column
# has a note (tests/claims/test_export_page.py checks it).
_MOMENT = "(ISO 8601, UTC)"


def _side_notes(side: str, age: str) -> dict[str, str]:
    return {
        f"{side}_claim_id": f"The id of the {side} claim of the pair: the {age} of the two "
        "(the order says nothing about the relation; see direction).",
        f"{side}_source": f"The name of the source of the {side} claim.",
        f"{side}_document": f"The title of the document of the {side} claim.",
        f"{side}_quote": f"The passage the {side} claim is anchored on.",
        f"{side}_statement": f"What the {side} claim states, in one line.",
    }


COLUMN_NOTES: dict[str, dict[str, str]] = {
    "claims": {
        "claim_id": "The claim's id, the same in every Crosscheck.",
        "source": "The name of the source the document comes from.",
        "source_kind": "The kind of source: encyclopedia, news, political, book, primary, "
        "academic, blog or other.",
        "document": "The document's title.",
        "document_checksum": "The SHA-256 of the document's text, which names the document "
        "in every Crosscheck.",
        "document_revision": "Which revision of its text the document is (1 for a first "
        "text, 2, 3… for corrections): the revision the claim points into.",
        "anchor_state": "How the claim came through corrections of its text: exact, moved "
        "(carried over with small changes), needs_check (a proposed passage of a newer "
        "revision waits for a person) or orphaned (no acceptable match); the last two point "
        "into an older revision.",
        "start": "Where the quote starts in the document's text, counted in characters "
        "(Unicode code points) from 0.",
        "end": "Where the quote ends: just past its last character.",
        "quote": "The passage the claim is anchored on, exactly as in the document.",
        "statement": "What the passage claims, in one neutral line.",
        "topics": "The claim's topics, joined by “; ”.",
        "annotator": "The username of who made the claim.",
        "created": f"When the claim was made {_MOMENT}.",
        "updated": f"When it was last changed {_MOMENT}.",
        "links": "How many claim pairs it is in.",
        "evidence": "How many pieces of evidence are attached to the claim itself.",
        "event_date": "The date of the event the claim speaks of, as precise as the source "
        "gives it: a year (1934), a month (1934-12) or a day (1934-12-01); empty when not given.",
        "event_date_approximate": "true when the source gives that date only roughly "
        "(“about 1934”), else false; empty without a date.",
    },
    "pairs": {
        "pair_id": "The pair's id, the same in every Crosscheck.",
        **_side_notes("left", "older"),
        **_side_notes("right", "newer"),
        "relation": "How the claims relate: contradicts, corroborates or qualifies.",
        "direction": "For qualifies, which claim narrows the other: left_qualifies_right, "
        "right_qualifies_left, or unknown when it was not recorded; none for contradicts "
        "and corroborates, which go both ways.",
        "rationale": "Why the proposer linked the claims.",
        "proposer": "The username of who linked them.",
        "state": "The review state: pending, confirmed, rejected, disputed or needs_evidence.",
        "reviews_confirmed": "How many reviewers' current verdict is “confirmed”.",
        "reviews_rejected": "How many reviewers' current verdict is “rejected”.",
        "reviews_needs_evidence": "How many reviewers' current verdict is “needs evidence”.",
        "evidence": "How many pieces of evidence are attached to the pair itself.",
        "created": f"When the pair was proposed {_MOMENT}.",
    },
    "evidence": {
        "evidence_id": "The evidence's id, the same in every Crosscheck.",
        "attached_to": "What the evidence is attached to: claim or pair.",
        "claim_id": "The id of the claim it is attached to (empty for a pair).",
        "pair_id": "The id of the pair it is attached to (empty for a claim).",
        "kind": "What the evidence is: citation, url (a web address), quote (quoted text) or "
        "passage (a passage of a stored document).",
        "bearing": "Whether it supports or refutes what it is attached to: supports or refutes.",
        "citation": "The citation; for a web address its title; for a quote where it is from.",
        "url": "The web address (kind url).",
        "quote": "The quoted text, or the passage's text.",
        "passage_document": "The title of the document a passage comes from.",
        "passage_document_checksum": "The SHA-256 of that document's text.",
        "passage_document_revision": "Which revision of its text that document is (1 for a "
        "first text, 2, 3… for corrections).",
        "passage_start": "Where the passage starts in that document (code points from 0).",
        "passage_end": "Where the passage ends: just past its last character.",
        "added_by": "The username of who added the evidence.",
        "created": f"When it was added {_MOMENT}.",
    },
}


def csv_chunks(dataset: Dataset, queryset: QuerySet, *, excel: bool = False) -> Iterator[str]:
    """The CSV text: the header, then ``BATCH_ROWS`` records at a time (RFC 4180: CRLF line
    ends, quotes doubled), in creation order; with ``excel``, a UTF-8 byte-order mark first."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(dataset.header)
    yield (BOM if excel else "") + header.getvalue()
    vendor = connections[queryset.db].vendor
    rows = dataset.annotate(queryset.order_by("pk"), vendor)
    records = rows.annotate(csv_record=_record(dataset, vendor)).values_list("csv_record")
    yield from _batches(records)


def export_filename(dataset: Dataset) -> str:
    return f"crosscheck-{dataset.name}-{timezone.localdate().isoformat()}.csv"


def filtered(dataset: Dataset, data) -> django_filters.FilterSet:
    """The dataset's filterset bound to ``data`` (a QueryDict); check ``is_valid()``."""
    model = dataset.filterset._meta.model
    return dataset.filterset(data, queryset=model.objects.all())


# --- other formats -----------------------------------------------------------------------
# The apps above ``claims`` add export formats (interchange: W3C Web Annotations as
# JSON-LD) by registering them in their ``AppConfig.ready()``; the Export page offers each
# registered format and ``manage.py export_annotations --format <name>`` writes it.


@dataclass(frozen=True)
class ExportFormat:
    """A registered export of the whole annotated corpus: ``chunks(base_url)`` yields the
    file's bytes (``base_url`` the absolute address the file's IRIs start with, e.g.
    "https://crosscheck.example.org/"); the Export page links ``download_url`` (a URL
    name) and posts to ``prepare_url`` (a URL name, a job that writes the same file)."""

    name: str
    label: str
    about: str
    chunks: Callable[[str], Iterator[bytes]]
    download_url: str
    prepare_url: str


_export_formats: dict[str, ExportFormat] = {}


def register_export_format(export_format: ExportFormat) -> None:
    """Offer ``export_format`` (registering a name again replaces it: ``ready()`` may run
    twice)."""
    _export_formats[export_format.name] = export_format


def export_formats() -> dict[str, ExportFormat]:
    """The registered formats by name, in the order they were registered."""
    return dict(_export_formats)
