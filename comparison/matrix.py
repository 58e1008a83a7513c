"""The contradiction map (/compare/): a source × source matrix of the claim links between
them, counted by relation, for a review state (confirmed only, or all), a topic and a range
of event years.

What is counted: a link counts once, in the cell of its two claims' sources (the pair is
unordered: cell A × B and cell B × A show the same links; A × A holds the links between two
documents of one source). "Topic" and "event years" match either claim of a link, as the
pair browser's filters do, so that each cell leads to exactly the pairs it counts
(``pairs_url``: ``/links/?source=A&versus=B&…``).

What is read, whatever the number of links (``contradiction_map``; three queries): the
links grouped by their claims' two documents and relation with their counts, the sources
of those documents, then the names and kinds of the sources. The figure shows at most
``MAX_SOURCES`` sources (those with the most links); the table and the CSV hold every pair.
Pure but for ``contradiction_map``."""

from __future__ import annotations

import functools
import html
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlencode

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim, ClaimLink, Relation, ReviewState, Topic
from corpus.models import Document, Source, SourceKind
from crosscheck.text import plural, shorten

RELATIONS: tuple[str, ...] = tuple(Relation.values)
MAX_SOURCES = 24  # the most sources the figure draws (the table and CSV hold all)
LISTED_PAIRS = 300  # the most source pairs the page's table lists (the CSV holds all)
LEVELS = 5  # the steps of the colour scale, beside "none"

# The drawing, in SVG user units.
LABEL_WIDTH = 230
HEAD_HEIGHT = 150
CELL = 40

# The colour scale of each relation (ColorBrewer's sequential schemes), "" for all of them.
PALETTES: dict[str, tuple[str, ...]] = {
    "contradicts": ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"),
    "corroborates": ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"),
    "qualifies": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
    "": ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08519c"),
}
EMPTY_FILL = "#ffffff"
EMPTY_TEXT = "#57606a"
DARK_TEXT = "#1b1f24"
LIGHT_TEXT = "#ffffff"
RELATION_PHRASES = {
    "contradicts": "that contradict",
    "corroborates": "that corroborate",
    "qualifies": "where one qualifies the other",
}
_KIND_ORDER = {kind: index for index, kind in enumerate(SourceKind.values)}
_KIND_LABELS = dict(SourceKind.choices)


@dataclass(frozen=True)
class MapFilters:
    """What the map counts: links of ``relation`` ("" for all three) in ``state``
    (``confirmed`` or "" for any), on ``topic``, with either claim dated within the years."""

    relation: str = "contradicts"
    confirmed: bool = False
    topic: Topic | None = None
    year_from: int | None = None
    year_to: int | None = None

    @functools.cached_property
    def pair_query(self) -> str:
        """``pair_params`` as a query string (each cell's address ends with it)."""
        return urlencode(self.pair_params())

    @functools.cached_property
    def links_path(self) -> str:
        """The pair browser's address, looked up once for the map's 2,000 addresses."""
        return _links_path()

    def pair_params(self) -> dict[str, str]:
        """The pair browser's filters for the same links (but the two sources)."""
        params: dict[str, str] = {}
        if self.confirmed:
            params["state"] = ReviewState.CONFIRMED
        if self.topic is not None:
            params["topic"] = str(self.topic.pk)
        if self.year_from is not None:
            params["event_year_min"] = str(self.year_from)
        if self.year_to is not None:
            params["event_year_max"] = str(self.year_to)
        return params


@dataclass(frozen=True)
class SourceHead:
    pk: int
    name: str
    kind: str

    @property
    def kind_label(self) -> str:
        return str(_KIND_LABELS.get(self.kind, self.kind))

    @property
    def short_name(self) -> str:
        return shorten(self.name, 26)

    @property
    def order(self) -> tuple[int, str, int]:
        """The stable order of sources: by kind (as the kinds are listed), name, id."""
        return (_KIND_ORDER.get(self.kind, len(_KIND_ORDER)), self.name.casefold(), self.pk)


def _links_path() -> str:
    """The pair browser's address (a map has a thousand or two cells and table links to it:
    reversed once)."""
    return _reverse_links(get_script_prefix())


@functools.lru_cache(maxsize=8)
def _reverse_links(prefix: str) -> str:
    return reverse("claims:links")


@dataclass(frozen=True)
class SourcePair:
    """The links between two sources (``first`` before ``second`` in the stable order,
    or the same source twice), by relation."""

    first: SourceHead
    second: SourceHead
    counts: dict[str, int]
    filters: MapFilters

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, relation: str) -> int:
        return self.total if relation == "" else self.counts.get(relation, 0)

    def pairs_url(self, relation: str = "") -> str:
        """The pair browser showing these links (of ``relation``, all when "")."""
        # The query urlencode would write, built directly: a page makes about 2,000 of
        # these addresses.
        query = f"source={self.first.pk}&versus={self.second.pk}"
        if relation:
            query += f"&relation={relation if relation in RELATIONS else quote_plus(relation)}"
        if self.filters.pair_query:
            query += "&" + self.filters.pair_query
        return f"{self.filters.links_path}?{query}"

    @property
    def relation_links(self) -> list[tuple[str, int, str]]:
        """(relation, count, pairs address) of each relation, for the table."""
        return [(r, self.counts.get(r, 0), self.pairs_url(r)) for r in RELATIONS]

    @property
    def summary(self) -> str:
        parts = ", ".join(f"{self.counts.get(r, 0)} {r}" for r in RELATIONS)
        return f"{self.first.name} × {self.second.name}: {parts}"


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    count: int
    fill: str
    text_fill: str
    href: str  # "" for an empty cell, which leads nowhere
    label: str  # what it counts; a link to the pairs adds " — open the pairs"


@dataclass(frozen=True)
class LegendStep:
    fill: str
    text_fill: str
    label: str


@dataclass
class ContradictionMap:
    filters: MapFilters
    sources: list[SourceHead]  # drawn, in the stable order
    cells: list[Cell]
    pairs: list[SourcePair]  # every pair with links, in the stable order
    legend: list[LegendStep]
    hidden_sources: int  # sources with links left out of the figure
    links: int  # links counted (of the relation shown)
    width: int = 0
    height: int = 0
    row_y: list[int] = field(default_factory=list)
    col_x: list[int] = field(default_factory=list)

    @property
    def relation_label(self) -> str:
        """The pairs counted, as "claim pairs <label>" reads."""
        return RELATION_PHRASES.get(self.filters.relation, "of any relation")

    @property
    def summary(self) -> str:
        state = "confirmed " if self.filters.confirmed else ""
        return (
            f"{plural(self.links, state + 'claim pair')} {self.relation_label} between "
            f"{plural(len(self.sources) + self.hidden_sources, 'source')}"
        )

    @property
    def listed_pairs(self) -> list[SourcePair]:
        return self.pairs[:LISTED_PAIRS]

    @property
    def rows(self) -> list[tuple[SourceHead, int]]:
        return list(zip(self.sources, self.row_y, strict=True))

    @property
    def columns(self) -> list[tuple[SourceHead, int]]:
        return list(zip(self.sources, self.col_x, strict=True))

    # The figure's cells and the table's rows are written here rather than by template
    # loops: the 576 cells and 300 rows of a large map took 75 ms through the template
    # engine, a few here.

    def cells_svg(self, *, standalone: bool = False) -> SafeString:
        """The figure's cells as SVG: a link to its pairs for each cell with links
        (not in the standalone file, which links nowhere), a plain group for the others."""
        return mark_safe("".join(_cell_svg(cell, standalone) for cell in self.cells))

    @property
    def cells_html(self) -> SafeString:
        return self.cells_svg()

    @property
    def cells_file(self) -> SafeString:
        return self.cells_svg(standalone=True)

    @property
    def table_html(self) -> SafeString:
        """The rows of the table of source pairs (``listed_pairs``)."""
        return mark_safe("".join(_pair_row_html(pair) for pair in self.listed_pairs))


def _escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def _cell_svg(cell: Cell, standalone: bool) -> str:
    x, y, label = cell.x, cell.y, _escape(cell.label)
    shape = f'<rect x="{x}" y="{y}" width="38" height="38" fill="{cell.fill}" stroke="'
    number = f'<text x="{x + 19}" y="{y + 24}" text-anchor="middle" fill="{cell.text_fill}"'
    if cell.href and not standalone:
        label += " — open the pairs"
        return (f'\n    <a href="{_escape(cell.href)}" aria-label="{label}">'
                f'{shape}#8c959f"/>{number} font-weight="600">{cell.count}</text>'
                f"<title>{label}</title></a>")  # fmt: skip
    stroke = "#8c959f" if cell.count else "#d0d7de"
    return (f"\n    <g>{shape}{stroke}\"/>{number}>{cell.count}</text>"
            f"<title>{label}</title></g>")  # fmt: skip


def _pair_row_html(pair: SourcePair) -> str:
    first, second = _escape(pair.first.name), _escape(pair.second.name)
    if pair.second.pk == pair.first.pk:
        other = "itself (two of its documents)"
    else:
        other = f'{second} <span class="help">({_escape(pair.second.kind_label)})</span>'
    counts = "".join(
        f'<td class="num"><a href="{_escape(url)}" aria-label="{count} {relation}: {first} and '
        f'{second}">{count}</a></td>'
        if count
        else '<td class="num">0</td>'
        for relation, count, url in pair.relation_links
    )
    return (f'\n        <tr>\n          <th scope="row">{first} <span class="help">'
            f"({_escape(pair.first.kind_label)})</span></th>\n          <td>{other}</td>\n"
            f'          {counts}\n          <td class="num"><a href="{_escape(pair.pairs_url())}" '
            f'aria-label="All {pair.total}: {first} and {second}">{pair.total}</a></td>\n'
            "        </tr>")  # fmt: skip


def map_links(filters: MapFilters) -> QuerySet[ClaimLink]:
    """The links the map counts (all relations: the CSV and table show each)."""
    links = ClaimLink.objects.all()
    if filters.confirmed:
        links = links.filter(review_state=ReviewState.CONFIRMED)
    if filters.topic is not None:
        # The claims-topics table alone, probed for each side (as the pair browser).
        tagged = Claim.topics.through.objects.filter(topic=filters.topic)
        links = links.filter(
            Exists(tagged.filter(claim=OuterRef("left")))
            | Exists(tagged.filter(claim=OuterRef("right")))
        )
    bounds = {}
    if filters.year_from is not None:
        bounds["event_year__gte"] = filters.year_from
    if filters.year_to is not None:
        bounds["event_year__lte"] = filters.year_to
    if bounds:
        links = links.filter(
            Q(**{f"left__{key}": year for key, year in bounds.items()})
            | Q(**{f"right__{key}": year for key, year in bounds.items()})
        )
    return links


def pair_counts(rows) -> dict[tuple[int, int], dict[str, int]]:
    """(left source, right source, relation, count) rows as counts by unordered source
    pair (the smaller id first) and relation."""
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for left, right, relation, n in rows:
        key = (left, right) if left <= right else (right, left)
        found = counts.get(key)
        if found is None:
            found = counts[key] = dict.fromkeys(RELATIONS, 0)
        found[relation] = found.get(relation, 0) + n
    return counts


def level(count: int, most: int) -> int:
    """The step of the colour scale of ``count`` (0 for none): by the square root of its
    share of the most, so that a few large cells do not wash out the rest."""
    if count <= 0 or most <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(LEVELS * math.sqrt(count / most))))


def level_range(step: int, most: int) -> tuple[int, int] | None:
    """The counts that get ``step`` (1…LEVELS) when the largest is ``most``; None when no
    whole count does."""
    low = next((n for n in range(1, most + 1) if level(n, most) == step), None)
    if low is None:
        return None
    high = low
    while high + 1 <= most and level(high + 1, most) == step:
        high += 1
    return low, high


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours written #rrggbb."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@functools.lru_cache(maxsize=64)  # a map's cells share a dozen fills
def text_on(fill: str) -> str:
    """The text colour, dark or light, that reads best on ``fill``."""
    return DARK_TEXT if contrast(fill, DARK_TEXT) >= contrast(fill, LIGHT_TEXT) else LIGHT_TEXT


def colours(count: int, most: int, relation: str) -> tuple[str, str]:
    """The fill and text colour of a cell."""
    step = level(count, most)
    if step == 0:
        return EMPTY_FILL, EMPTY_TEXT
    fill = PALETTES[relation][step - 1]
    return fill, text_on(fill)


def legend(most: int, relation: str) -> list[LegendStep]:
    steps = [LegendStep(EMPTY_FILL, EMPTY_TEXT, "0")]
    for step in range(1, LEVELS + 1):
        found = level_range(step, most)
        if found is None:
            continue
        low, high = found
        fill = PALETTES[relation][step - 1]
        steps.append(LegendStep(fill, text_on(fill), str(low) if low == high else f"{low}–{high}"))
    return steps


def build_map(filters: MapFilters, counts: dict[tuple[int, int], dict[str, int]],
              heads: dict[int, SourceHead]) -> ContradictionMap:  # fmt: skip
    """The map of ``counts`` (``pair_counts``) between the sources ``heads``. Pure."""
    relation = filters.relation
    # Each source's place in the stable order, computed once (a map has thousands of pairs).
    rank = {head.pk: place for place, head in
            enumerate(sorted(heads.values(), key=lambda head: head.order))}  # fmt: skip
    pairs = []
    for (a, b), by_relation in counts.items():
        low, high = (a, b) if rank[a] <= rank[b] else (b, a)
        pairs.append(SourcePair(heads[low], heads[high], by_relation, filters))
    pairs.sort(key=lambda pair: (rank[pair.first.pk], rank[pair.second.pk]))
    # The sources most linked (any relation, so that the axes stay as the relation shown
    # changes) when there are too many to draw.
    per_source: dict[int, int] = defaultdict(int)
    for pair in pairs:
        per_source[pair.first.pk] += pair.total
        if pair.second.pk != pair.first.pk:
            per_source[pair.second.pk] += pair.total
    with_links = list(heads.values())
    drawn = sorted(with_links, key=lambda head: (-per_source[head.pk], head.order))[:MAX_SOURCES]
    drawn.sort(key=lambda head: head.order)
    by_key = {(pair.first.pk, pair.second.pk): pair for pair in pairs}
    shown = [pair.count(relation) for pair in pairs]
    most = max(shown, default=0)
    col_x = [LABEL_WIDTH + index * CELL for index in range(len(drawn))]
    row_y = [HEAD_HEIGHT + index * CELL for index in range(len(drawn))]
    cells = []
    for row, y in zip(drawn, row_y, strict=True):
        for col, x in zip(drawn, col_x, strict=True):
            key = (row.pk, col.pk) if rank[row.pk] <= rank[col.pk] else (col.pk, row.pk)
            found = by_key.get(key)
            count = found.count(relation) if found else 0
            fill, text_fill = colours(count, most, relation)
            what = f"{count} {relation}" if relation else plural(count, "link")
            label = f"{row.name} × {col.name}: {what}"
            href = found.pairs_url(relation) if found is not None and count else ""
            cells.append(Cell(x, y, count, fill, text_fill, href, label))
    return ContradictionMap(
        filters=filters,
        sources=drawn,
        cells=cells,
        pairs=pairs,
        legend=legend(most, relation),
        hidden_sources=len(with_links) - len(drawn),
        links=sum(shown),
        width=LABEL_WIDTH + len(drawn) * CELL + 120,  # room for the slanted column names
        height=HEAD_HEIGHT + len(drawn) * CELL + 10,
        row_y=row_y,
        col_x=col_x,
    )


CLAIM_DOCUMENT_INDEX = "claim_id_document_idx"  # claims (id, document, event year)


def document_counts(filters: MapFilters) -> list[tuple[int, int, str, int]]:
    """(left document, right document, relation, links) of the links ``filters`` select:
    one query.

    Each link's two claims are probed for their documents in ``CLAIM_DOCUMENT_INDEX``,
    which holds the document and the event year, so no claim row is read (a claim row
    carries its quote, statement and search text: 40,000 probes of the claims table took
    150 ms on SQLite, of the index 40 ms). SQLite's planner prefers the table's rowid to
    that index unless ANALYZE has measured the index, so the query names it there."""
    rows = (
        map_links(filters)
        .order_by()
        .values_list("left__document_id", "right__document_id", "relation")
        .annotate(n=Count("*"))
    )
    # Run as SQL: the rows are plain ids, a text and a count, and the 16,000 of them a
    # large map has took 40 ms more through the ORM's value conversions.
    sql, params = rows.query.sql_with_params()
    if connection.vendor == "sqlite":
        table = re.escape(connection.ops.quote_name(Claim._meta.db_table))
        sql, joins = re.subn(
            rf"(INNER JOIN {table}(?: \w+)?) ON", rf'\1 INDEXED BY "{CLAIM_DOCUMENT_INDEX}" ON', sql
        )
        assert joins == 2, sql  # the link's two claims
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def contradiction_map(filters: MapFilters) -> ContradictionMap:
    """The map of the links ``filters`` select: three queries, whatever the number of
    links.

    The links are counted by their claims' *documents* (``document_counts``), which are
    mapped to their sources by a second query: joined to the documents, SQLite read each
    document's row to its source id, past the whole text (up to 400 KB, in overflow
    pages), and the count of 20,000 links took 300 ms; the documents' ids and sources come
    from their source index alone."""
    by_documents = document_counts(filters)
    documents = {d for left, right, _, _ in by_documents for d in (left, right)}
    source_of = dict(
        Document.objects.filter(pk__in=documents).values_list("pk", "source_id")
    ) if documents else {}  # fmt: skip
    counts = pair_counts(
        (source_of[left], source_of[right], relation, n)
        for left, right, relation, n in by_documents
    )
    ids = {pk for pair in counts for pk in pair}
    heads = {
        pk: SourceHead(pk, name, kind)
        for pk, name, kind in Source.objects.filter(pk__in=ids).values_list("pk", "name", "kind")
    } if ids else {}  # fmt: skip
    return build_map(filters, counts, heads)
