"""The timeline of dated claims (/timeline/): each claim placed at the date of the event it
speaks of (``Claim.event_*``), one lane per source, and the linked claims that give
*different* dates for the same thing joined and listed as date conflicts.

How a date is placed: a date names a span of days — a year all of its days, a month its
days, a day itself — and its mark sits at the middle of that span, with a bar under it as
wide as the span when that is wide enough to see. Two dates conflict when their spans do
not overlap: "1928" and "1929" do, "1934" and "December 1934" do not (the month is inside
the year). "About" does not widen a span; the conflict list says which side is approximate.

What is read, whatever the number of claims (``timeline_build``; four queries): the dated
claims grouped by source and date with their counts (the figure never loads the claims
one by one: 20,000 dated claims are a few hundred groups), the claims that are alone at
their place on the axis (their statement and address), the links whose two sides are
dated, and — to list each lane's source — nothing more, the names come with the groups.

Readable when dense: marks of one lane closer than ``BUCKET_PX`` on the axis are drawn as
one numbered cluster, which zooms to its stretch of time. The zoom runs from decades to
days: the window (``start``, ``end``) picks the axis unit, and each tick zooms into its
decade, year or month. Pure but for ``timeline_build``."""

from __future__ import annotations

import calendar
import functools
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode as _urlencode

from django.db.models import Count, Min, QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim, ClaimLink, ReviewState, Topic
from corpus.models import Source
from crosscheck.dates import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_NAMES,
    partial_date_key,
    partial_date_label,
)
from crosscheck.text import plural, shorten

# The drawing, in SVG user units (the figure scales to the page's width).
WIDTH = 1000
PLOT_LEFT = 210
PLOT_RIGHT = 980
AXIS_HEIGHT = 44
LANE_HEIGHT = 30
BOTTOM = 12
BUCKET_PX = 20  # marks of one lane closer than this on the axis are drawn as one cluster
OUTLIER_SHARE = 0.01  # the earliest and latest claims left out of the first window
BAR_MIN_PX = 4  # a date's span narrower than this is drawn as its mark alone
MAX_TICKS = 16
LISTED_CONFLICTS = 200  # the conflicts listed below the figure; the count says how many

ERROR_BOUND = "Write a date as a year (1934), a month (1934-12) or a day (1934-12-01)."
ERROR_ORDER = "The end of the time span comes before its start."

_BOUND = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_FIRST_DAY = date(MIN_YEAR, 1, 1).toordinal()
_LAST_DAY = date(MAX_YEAR, 12, 31).toordinal() + 1


def urlencode(params: dict) -> str:
    """A query string; a list value (the sources) as one parameter per item."""
    return _urlencode(params, doseq=True)


# --- Dates as spans of days -------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The days ``start`` (inclusive) to ``end`` (exclusive), as proleptic Gregorian
    ordinals (``date.toordinal()``)."""

    start: int
    end: int

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, day: float) -> bool:
        return self.start <= day < self.end


@functools.lru_cache(maxsize=4096)
def date_span(year: int, month: int | None = None, day: int | None = None) -> Span:
    """The days a partial date names (cached: a timeline places thousands of claims on a few
    hundred dates)."""
    if month is None:
        return Span(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal())
    if day is None:
        first = date(year, month, 1).toordinal()
        return Span(first, first + calendar.monthrange(year, month)[1])
    first = date(year, month, day).toordinal()
    return Span(first, first + 1)


def parse_bound(text: str) -> Span | None:
    """The span of a date typed as "1934", "1934-12" or "1934-12-01"; None when it is no
    such date (or outside the years dates may have)."""
    match = _BOUND.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if not MIN_YEAR <= year <= MAX_YEAR or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None and not 1 <= day <= calendar.monthrange(year, month or 1)[1]:
        return None
    return date_span(year, month, day)


def day_text(ordinal: float) -> str:
    """A day as ISO 8601, as the window's parameters take it."""
    return date.fromordinal(int(ordinal)).isoformat()


# --- The axis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    zoom: str  # the query string that zooms into the tick's decade, year or month ("" at days)
    zoom_label: str


def axis_unit(window: Span) -> str:
    """The unit the axis counts in for a window: "decade", "year", "month" or "day"."""
    days = window.end - window.start
    if days > 50 * 365:
        return "decade"
    if days > 3 * 365:
        return "year"
    if days > 80:
        return "month"
    return "day"


def _steps(unit: str) -> tuple[int, ...]:
    return {"decade": (1, 2, 5, 10), "year": (1, 2, 5, 10), "month": (1, 2, 3, 6)}.get(
        unit, (1, 2, 7, 14)
    )


def _tick_starts(window: Span, unit: str) -> list[tuple[date, date]]:
    """Each tick's first day and the first day after its period, for ticks in the window,
    thinned to at most ``MAX_TICKS``."""
    first, last = date.fromordinal(window.start), date.fromordinal(window.end - 1)
    periods: list[tuple[date, date]] = []
    if unit in ("decade", "year"):
        size = 10 if unit == "decade" else 1
        year = first.year // size * size
        while year <= last.year:
            if MIN_YEAR <= year <= MAX_YEAR:
                periods.append((date(year, 1, 1), date(min(year + size, MAX_YEAR + 1), 1, 1)))
            year += size
    elif unit == "month":
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            following = (year + month // 12, month % 12 + 1)
            periods.append((date(year, month, 1), date(following[0], following[1], 1)))
            year, month = following
    else:
        day = first
        while day <= last:
            periods.append((day, day + timedelta(days=1)))
            day += timedelta(days=1)
    step = next((s for s in _steps(unit) if len(periods) / s <= MAX_TICKS), None)
    if step is None:
        step = -(-len(periods) // MAX_TICKS)
    return periods[::step]


def _tick_label(start: date, unit: str) -> str:
    if unit == "decade":
        return f"{start.year}s"
    if unit == "year":
        return str(start.year)
    if unit == "month":
        return f"{MONTH_NAMES[start.month - 1][:3]} {start.year}"
    return f"{start.day} {MONTH_NAMES[start.month - 1][:3]}"


def ticks(window: Span, unit: str, params: dict[str, str | list[str]]) -> list[Tick]:
    """The axis's ticks, each zooming into its period (but days, the deepest zoom)."""
    found = []
    for start, end in _tick_starts(window, unit):
        ordinal = start.toordinal()
        if not window.contains(ordinal):
            continue
        label = _tick_label(start, unit)
        zoom = ""
        if unit != "day":
            last = end - timedelta(days=1)
            zoom = urlencode({**params, "start": start.isoformat(), "end": last.isoformat()})
        found.append(Tick(x_of(ordinal, window), label, zoom, f"Zoom into {label}"))
    return found


def x_of(day: float, window: Span) -> float:
    """Where a day is on the axis."""
    share = (day - window.start) / (window.end - window.start)
    return round(PLOT_LEFT + share * (PLOT_RIGHT - PLOT_LEFT), 1)


def zoomed_out(window: Span) -> Span:
    """The window four times as long around the same middle, within the years allowed."""
    length = (window.end - window.start) * 4
    start = max(_FIRST_DAY, int(window.middle - length / 2))
    return Span(start, min(_LAST_DAY, start + length))


def default_window(spans: list[Span]) -> Span | None:
    """The window that shows every date: their extent and a little room on both sides."""
    if not spans:
        return None
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    room = max(1, (end - start) // 40)
    return Span(max(_FIRST_DAY, start - room), min(_LAST_DAY, end + room))


def main_window(groups: list[DateGroup]) -> Span | None:
    """The window first shown: the dates of all but the earliest and the latest
    ``OUTLIER_SHARE`` of the claims, so that a stray date (a source's "1117", a reprint's
    "2005") does not squeeze every other into one decade; the page links to all dates."""
    ordered = sorted(groups, key=lambda group: group.span.middle)
    total = sum(group.count for group in ordered)
    cut = int(total * OUTLIER_SHARE)
    kept, seen = [], 0
    for group in ordered:
        if cut <= seen + group.count / 2 <= total - cut:
            kept.append(group.span)
        seen += group.count
    return default_window(kept or [group.span for group in ordered])


# --- What is drawn ------------------------------------------------------------------------


@dataclass(frozen=True)
class DateGroup:
    """The claims of one source giving one date."""

    source_id: int
    year: int
    month: int | None
    day: int | None
    approximate: bool
    count: int
    first_pk: int

    @property
    def span(self) -> Span:
        return date_span(self.year, self.month, self.day)

    @property
    def label(self) -> str:
        return partial_date_label(self.year, self.month, self.day, self.approximate)

    @property
    def key(self) -> str:
        return partial_date_key(self.year, self.month, self.day, self.approximate)


@dataclass
class Mark:
    """One claim, or a cluster of several close together, in a lane."""

    x: float
    count: int
    label: str  # the accessible name and tooltip
    href: str
    bar: tuple[float, float] | None = None  # where the date's span starts and its width
    approximate: bool = False
    claim_id: str = ""
    date: str = ""  # the table's date cell: the claim's date, or the cluster's days
    statement: str = ""
    y: int = 0


@dataclass
class Lane:
    source_id: int
    name: str
    kind: str
    y: int = 0
    marks: list[Mark] = field(default_factory=list)
    count: int = 0

    @property
    def short_name(self) -> str:
        return shorten(self.name, 30)


@dataclass(frozen=True)
class Side:
    claim_id: str
    source: str
    statement: str
    label: str
    approximate: bool
    href: str
    x: float | None  # None when outside the window
    y: int | None


@dataclass(frozen=True)
class Conflict:
    link_url: str
    relation: str
    state: str
    left: Side
    right: Side

    @property
    def drawn(self) -> bool:
        return None not in (self.left.x, self.right.x, self.left.y, self.right.y)


@dataclass(frozen=True)
class Row:
    """One line of the table that says what the figure shows: a mark of a source."""

    source: str
    label: str
    claim_id: str
    count: int
    href: str
    statement: str


@dataclass
class Timeline:
    window: Span | None
    unit: str
    lanes: list[Lane]
    ticks: list[Tick]
    conflicts: list[Conflict]
    conflict_count: int
    rows: list[Row]
    dated: int
    zoom_out: str | None
    whole: str | None
    height: int
    outside: int = 0  # dated claims of the filters outside the window
    all_dates: str | None = None  # the query showing every one of them

    @property
    def window_label(self) -> str:
        if self.window is None:
            return ""
        first, last = date.fromordinal(self.window.start), date.fromordinal(self.window.end - 1)
        return f"{first.isoformat()} to {last.isoformat()}"

    def svg(self, *, standalone: bool = False) -> SafeString:
        """The figure as SVG, drawn with presentation attributes only (no CSS: the page's
        CSP allows no inline style, and the downloaded file must read the same alone).
        ``standalone``: a file of its own (XML declaration, axis labels without links).
        Built here rather than in a template: a template loop over a few thousand marks
        took most of the page's time."""
        return mark_safe(_svg(self, standalone))

    @property
    def figure(self) -> SafeString:
        return self.svg()

    @property
    def conflicts_html(self) -> SafeString:
        """The date conflicts' table rows."""
        return mark_safe("".join(_conflict_html(conflict) for conflict in self.conflicts))

    @property
    def rows_html(self) -> SafeString:
        """The table's rows (``rows``), for templates/comparison/timeline.html."""
        return mark_safe("".join(_row_html(row) for row in self.rows))

    @property
    def summary(self) -> str:
        return (
            f"{plural(self.dated, 'dated claim')} from {plural(len(self.lanes), 'source')}, "
            f"{plural(self.conflict_count, 'date conflict')}"
        )


def claim_url(document_id: int, public_id: object) -> str:
    """The claim on its document's page (``Claim.get_absolute_url``), without a query or a
    URL reversal per claim: the document page's address is reversed once."""
    prefix, suffix = _document_url_parts()
    return f"{prefix}{document_id}{suffix}#claim-{public_id}"


@functools.cache
def _document_url_parts() -> tuple[str, str]:
    prefix, suffix = reverse("claims:document", args=[_DOCUMENT_ID]).split(str(_DOCUMENT_ID))
    return prefix, suffix


_DOCUMENT_ID = 918273645  # a stand-in id to cut the reversed address at


def _bucketed(lane: Lane, groups: list[DateGroup], window: Span, params: dict[str, str | list[str]],
              singles: dict[int, dict]) -> None:  # fmt: skip
    """Fill ``lane.marks``: a mark per claim alone in its bucket, a cluster per bucket of
    several (which zooms into the days it covers)."""
    buckets: dict[int, list[DateGroup]] = defaultdict(list)
    for group in groups:
        buckets[int((x_of(group.span.middle, window) - PLOT_LEFT) // BUCKET_PX)].append(group)
    for _, members in sorted(buckets.items()):
        count = sum(group.count for group in members)
        lane.count += count
        if count == 1:
            group = members[0]
            claim = singles[group.first_pk]
            span = group.span
            left, right = (
                x_of(max(span.start, window.start), window),
                x_of(min(span.end, window.end), window),
            )
            lane.marks.append(
                Mark(
                    x=x_of(span.middle, window),
                    count=1,
                    label=f"{lane.name}, {group.label}: {shorten(claim['statement'], 120)}",
                    href=claim_url(claim["document_id"], claim["public_id"]),
                    bar=(left, round(right - left, 1)) if right - left >= BAR_MIN_PX else None,
                    approximate=group.approximate,
                    claim_id=str(claim["public_id"]),
                    date=group.label,
                    statement=claim["statement"],
                    y=lane.y,
                )
            )
            continue
        start = min(group.span.start for group in members)
        end = max(group.span.end for group in members)
        x = round(sum(x_of(g.span.middle, window) * g.count for g in members) / count, 1)
        first, last = day_text(start), day_text(end - 1)
        span_text = first if first == last else f"{first} to {last}"
        if end - start > 1:
            href = "?" + urlencode({**params, "start": first, "end": last})
            action = "zoom in"
        else:
            href = "#timeline-table"
            action = "listed in the table"
        lane.marks.append(
            Mark(x=x, count=count, href=href, date=span_text, y=lane.y,
                 label=f"{count} claims of {lane.name}, {span_text}: {action}")
        )  # fmt: skip


def _groups(claims: QuerySet[Claim]) -> tuple[list[DateGroup], dict[int, tuple[str, str]]]:
    """The dated claims by source and date (one query), and each source's name and kind."""
    rows = (
        claims.order_by()
        .values_list(
            "document__source_id", "document__source__name", "document__source__kind",
            "event_year", "event_month", "event_day", "event_approximate",
        )
        .annotate(n=Count("pk"), first=Min("pk"))
    )  # fmt: skip
    groups, sources = [], {}
    for source_id, name, kind, year, month, day, approximate, n, first in rows:
        sources[source_id] = (name, kind)
        groups.append(DateGroup(source_id, year, month, day, approximate, n, first))
    return groups, sources


def _dated_claims(topic: Topic | None, sources: list[Source]) -> QuerySet[Claim]:
    claims = Claim.objects.filter(event_year__isnull=False)
    if topic is not None:
        claims = claims.filter(topics=topic)
    if sources:
        claims = claims.filter(document__source__in=sources)
    return claims


def _dated_links(topic: Topic | None, sources: list[Source]) -> QuerySet[ClaimLink]:
    """Links whose two claims are dated and pass the filters, rejected ones left out (a
    reviewer found the two claims are not about the same thing, or not so related).

    Started from the dated claims on the left (``_dated_claims``: about 2,000 of 100,000,
    from the partial index ``claim_dated_idx``), whose links the links' (left, right)
    index finds, each right claim then read and tested; rather than from every link
    joined to its two claims (SQLite read 20,000 links to keep a few hundred). The right
    side is tested on its row, not against the same list of dated claims: SQLite then
    probed the links for each pair of dated claims (4,000,000 probes)."""
    links = ClaimLink.objects.filter(
        left__in=_dated_claims(topic, sources).order_by().values("pk"),
        right__event_year__isnull=False,
    ).exclude(review_state=ReviewState.REJECTED)
    if topic is not None:
        links = links.filter(right__topics=topic)
    if sources:
        links = links.filter(right__document__source__in=sources)
    return links


_SIDE_FIELDS = (
    "public_id", "document_id", "document__source_id", "document__source__name", "statement",
    "event_year", "event_month", "event_day", "event_approximate",
)  # fmt: skip


def _conflicts(links: QuerySet[ClaimLink], window: Span, lanes: dict[int, Lane]
               ) -> tuple[list[Conflict], int]:  # fmt: skip
    """The links whose claims' dates do not overlap (one query), those with a side in the
    window first listed, in date order; and how many there are in all."""
    fields = [f"{side}__{name}" for side in ("left", "right") for name in _SIDE_FIELDS]
    rows = links.order_by("pk").values_list("public_id", "relation", "review_state", *fields)
    found: list[tuple[float, Conflict]] = []
    width = len(_SIDE_FIELDS)
    for public_id, relation, state, *values in rows:
        left_values, right_values = values[:width], values[width:]
        left_span = date_span(*left_values[5:8])
        right_span = date_span(*right_values[5:8])
        if left_span.overlaps(right_span):
            continue
        if not (window.contains(left_span.middle) or window.contains(right_span.middle)):
            continue
        sides = [_side(v, s, window, lanes) for v, s in
                 ((left_values, left_span), (right_values, right_span))]  # fmt: skip
        conflict = Conflict(
            link_url=reverse("claims:link", args=[public_id]),
            relation=relation,
            state=ReviewState(state).label,
            left=sides[0],
            right=sides[1],
        )
        found.append((min(left_span.middle, right_span.middle), conflict))
    found.sort(key=lambda item: item[0])
    return [conflict for _, conflict in found[:LISTED_CONFLICTS]], len(found)


def _side(values, span: Span, window: Span, lanes: dict[int, Lane]) -> Side:
    public_id, document_id, source_id, source, statement, year, month, day, approximate = values
    inside = window.contains(span.middle) and source_id in lanes
    return Side(
        claim_id=str(public_id),
        source=source,
        statement=statement,
        label=partial_date_label(year, month, day, approximate),
        approximate=approximate,
        href=claim_url(document_id, public_id),
        x=x_of(span.middle, window) if inside else None,
        y=lanes[source_id].y if inside else None,
    )


def timeline_build(
    *,
    topic: Topic | None = None,
    sources: list[Source] | None = None,
    start: Span | None = None,
    end: Span | None = None,
    params: dict[str, str | list[str]] | None = None,
) -> Timeline:
    """The timeline of the dated claims of ``topic`` and ``sources`` (all when None) in the
    window from ``start`` to ``end`` (by default the extent of their dates). ``params`` are
    the page's filters, kept in the zoom links. Three queries, four with date conflicts to
    look for, whatever the number of claims."""
    sources = sources or []
    params = dict(params or {})
    claims = _dated_claims(topic, sources)
    if start is not None or end is not None:
        first = start.start if start else _FIRST_DAY
        last = end.end if end else _LAST_DAY
        window: Span | None = Span(first, max(last, first + 1))
        year_from, year_to = date.fromordinal(first).year, date.fromordinal(last - 1).year
        claims = claims.filter(event_year__gte=year_from, event_year__lte=year_to)
    else:
        window = None
    groups, names = _groups(claims)
    all_dates = default_window([group.span for group in groups])
    window = window or main_window(groups)
    if window is None or all_dates is None:
        return Timeline(None, "year", [], [], [], 0, [], 0, None, None, AXIS_HEIGHT + BOTTOM)
    outside = sum(g.count for g in groups if not window.contains(g.span.middle))
    groups = [group for group in groups if window.contains(group.span.middle)]
    by_source: dict[int, list[DateGroup]] = defaultdict(list)
    for group in groups:
        by_source[group.source_id].append(group)
    lanes = sorted(
        (Lane(source_id, *names[source_id]) for source_id in by_source),
        key=lambda lane: (lane.name.casefold(), lane.source_id),
    )
    for index, lane in enumerate(lanes):
        lane.y = AXIS_HEIGHT + index * LANE_HEIGHT + LANE_HEIGHT // 2
    alone = _alone(groups)
    singles = {
        row["pk"]: row
        for row in Claim.objects.filter(pk__in=alone).values(
            "pk", "public_id", "document_id", "statement"
        )
    }
    for lane in lanes:
        _bucketed(lane, by_source[lane.source_id], window, params, singles)
    lane_of = {lane.source_id: lane for lane in lanes}
    conflicts, conflict_count = _conflicts(_dated_links(topic, sources), window, lane_of)
    unit = axis_unit(window)
    zoom_params = {k: v for k, v in params.items() if k not in ("start", "end")}
    out = zoomed_out(window)
    return Timeline(
        window=window,
        unit=unit,
        lanes=lanes,
        ticks=ticks(window, unit, zoom_params),
        conflicts=conflicts,
        conflict_count=conflict_count,
        rows=_rows(lanes),
        dated=sum(group.count for group in groups),
        zoom_out=None
        if out == window
        else urlencode({**zoom_params, "start": day_text(out.start), "end": day_text(out.end - 1)}),
        whole=urlencode(zoom_params) if ("start" in params or "end" in params) else None,
        outside=outside,
        all_dates=None
        if not outside
        else urlencode(
            {**zoom_params, "start": day_text(all_dates.start), "end": day_text(all_dates.end - 1)}
        ),  # fmt: skip
        height=AXIS_HEIGHT + len(lanes) * LANE_HEIGHT + BOTTOM,
    )


def _alone(groups: list[DateGroup]) -> list[int]:
    """The claims of a group of one: each gets its own mark or table row with its address."""
    return [group.first_pk for group in groups if group.count == 1]


def _rows(lanes: list[Lane]) -> list[Row]:
    """The figure as a table: each mark, in date order (then by source), with its claim
    (one) or a zoom to its claims (several)."""
    marks = sorted(((m.x, lane.name, m) for lane in lanes for m in lane.marks),
                   key=lambda item: (item[0], item[1].casefold()))  # fmt: skip
    return [Row(name, m.date, m.claim_id, m.count, m.href, m.statement) for _, name, m in marks]


def _escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def _mark_svg(mark: Mark) -> str:
    """A mark as SVG: a link holding a dot (filled, or hollow for "about") or a numbered
    cluster, with its tooltip; the date's span as a bar under a dot."""
    label = _escape(mark.label)
    bar = ""
    if mark.bar:
        bar = (f'<rect x="{mark.bar[0]}" y="{mark.y + 6}" width="{mark.bar[1]}" height="3" '
               f'fill="#8fb3dc"/>')  # fmt: skip
    if mark.count == 1:
        fill = "#ffffff" if mark.approximate else "#1f5fa8"
        shape = (f'<circle cx="{mark.x}" cy="{mark.y}" r="5" fill="{fill}" stroke="#1f5fa8" '
                 f'stroke-width="2"/>')  # fmt: skip
        claim = f' data-claim="{mark.claim_id}"'
    else:
        shape = (f'<circle cx="{mark.x}" cy="{mark.y}" r="9" fill="#dbe7f5" stroke="#1f5fa8" '
                 f'stroke-width="1.5"/><text x="{mark.x}" y="{mark.y + 4}" text-anchor="middle" '
                 f'font-size="10" fill="#0d2a4d">{mark.count}</text>')  # fmt: skip
        claim = ""
    return (f'{bar}<a href="{_escape(mark.href)}" aria-label="{label}"{claim}>{shape}'
            f"<title>{label}</title></a>\n")  # fmt: skip


def _row_html(row: Row) -> str:
    if row.count == 1:
        what = _escape(shorten(row.statement, 160))
    else:
        what = f"Zoom to these {row.count} claims"
    return (f"<tr><td>{_escape(row.label)}</td><td>{_escape(row.source)}</td>"
            f'<td class="num">{row.count}</td><td><a href="{_escape(row.href)}">{what}</a></td>'
            "</tr>\n")  # fmt: skip


def _svg(t: Timeline, standalone: bool) -> str:
    e = _escape
    title = f"Timeline: {t.summary}" + (f", {t.window_label}" if t.window else "")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else "",
           f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-figure" '
           f'viewBox="0 0 {WIDTH} {t.height}" width="{WIDTH}" height="{t.height}" role="group" '
           f'aria-labelledby="timeline-figure-title" font-family="system-ui, sans-serif" '
           f'font-size="12">\n<title id="timeline-figure-title">{e(title)}</title>\n'
           f'<rect x="0" y="0" width="{WIDTH}" height="{t.height}" fill="#ffffff"/>\n'
           '<g class="lanes">\n']  # fmt: skip
    for index, lane in enumerate(t.lanes):
        fill = "#f4f6f9" if index % 2 == 0 else "#ffffff"
        about = f"{lane.name} ({lane.kind}): {plural(lane.count, 'dated claim')}"
        out.append(f'<rect x="0" y="{lane.y - LANE_HEIGHT // 2}" width="{WIDTH}" '
                   f'height="{LANE_HEIGHT}" fill="{fill}"/><text x="8" y="{lane.y + 4}" '
                   f'fill="#1b1f24"><title>{e(about)}</title>'
                   f"{e(lane.short_name)}</text>\n")  # fmt: skip
    axis = AXIS_HEIGHT - 8
    out.append(f'</g>\n<g class="axis">\n<line x1="{PLOT_LEFT}" y1="{axis}" x2="{PLOT_RIGHT}" '
               f'y2="{axis}" stroke="#57606a"/>\n')  # fmt: skip
    for tick in t.ticks:
        out.append(f'<line x1="{tick.x}" y1="{axis - 4}" x2="{tick.x}" y2="{t.height - BOTTOM}" '
                   'stroke="#d0d7de" stroke-dasharray="2 3"/>')  # fmt: skip
        text = f'<text x="{tick.x}" y="24" text-anchor="middle"'
        if tick.zoom and not standalone:
            out.append(f'<a href="?{e(tick.zoom)}" aria-label="{e(tick.zoom_label)}">{text} '
                       f'fill="#0b57a4" text-decoration="underline">{e(tick.label)}'
                       "</text></a>\n")  # fmt: skip
        else:
            out.append(f'{text} fill="#1b1f24">{e(tick.label)}</text>\n')
    out.append('</g>\n<g class="conflicts">\n')
    for conflict in t.conflicts:
        if not conflict.drawn:
            continue
        left, right = conflict.left, conflict.right
        says = (f"Date conflict: {left.source} says {left.label}, "
                f"{right.source} says {right.label}")  # fmt: skip
        out.append(f'<line class="conflict-line" x1="{left.x}" y1="{left.y}" x2="{right.x}" '
                   f'y2="{right.y}" stroke="#b3261e" stroke-width="2" stroke-dasharray="6 3">'
                   f"<title>{e(says)}</title></line>\n")  # fmt: skip
    out.append('</g>\n<g class="marks">\n')
    out.extend(_mark_svg(mark) for lane in t.lanes for mark in lane.marks)
    out.append("</g>\n</svg>\n")
    return "".join(out)


def _side_html(side: Side) -> str:
    statement = _escape(shorten(side.statement, 140))
    return (f"<td><strong>{_escape(side.label)}</strong> — {_escape(side.source)}<br>"
            f'<a href="{_escape(side.href)}">{statement}</a></td>')  # fmt: skip


def _conflict_html(conflict: Conflict) -> str:
    return (f"<tr>{_side_html(conflict.left)}{_side_html(conflict.right)}"
            f'<td><a href="{_escape(conflict.link_url)}">{_escape(conflict.relation.capitalize())}'
            f'</a><br><span class="help">{_escape(conflict.state)}</span></td></tr>\n')  # fmt: skip
