"""One topic's claims side by side (/compare/topics/<topic>/): a column per source with its
claims on the topic (statement, quote, a link to the claim in its document); on each claim
the links to claims of *other* sources on the topic, marked with the relation from that
claim's side (a qualifies link says which claim narrows which) and pointing at the other
claim's place in its column; and in each column, set apart, the claims that no other
source addresses (no link to another source's claim on the topic, rejected links left out).

What is read, whatever the number of claims (``topic_sides``; three queries): the claims on
the topic counted by source (which sources have columns), the links between claims on the
topic of two different sources with a side in a column (at most ``MAX_LINKS``), and the
columns' claims, at most ``CLAIMS_PER_COLUMN`` per source, those addressed by another
source first (a window over the sources, one query)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from claims.models import Claim, ClaimLink, Direction, Relation, ReviewState, Topic
from comparison.matrix import SourceHead
from crosscheck.text import plural

DEFAULT_COLUMNS = 4  # the sources shown when none are chosen: those with most claims
MAX_COLUMNS = 8
CLAIMS_PER_COLUMN = 60
MAX_LINKS = 1000


def passage_href(document_id: int, start: int, end: int, public_id: object) -> str:
    """The claim in its document (as ``claims.templatetags.passages.passage_url``)."""
    url = reverse("claims:document", args=[document_id])
    return f"{url}#span={start}-{end}&claim={public_id}"


@dataclass(frozen=True)
class Mark:
    """A link of a claim to a claim of another source, from the claim's side."""

    relation: str
    phrase: str  # "contradicts", "qualifies (narrows)", "is qualified (narrowed) by", ...
    other_source: str
    other_statement: str
    other_href: str  # its place in its column, or in its document when not shown
    other_shown: bool
    state: str
    link_url: str


@dataclass
class Entry:
    public_id: str
    statement: str
    quote: str
    href: str
    marks: list[Mark] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"cmp-{self.public_id}"


@dataclass
class Column:
    source: SourceHead
    count: int  # the source's claims on the topic
    addressed: list[Entry] = field(default_factory=list)
    alone: list[Entry] = field(default_factory=list)
    claims_url: str = ""

    @property
    def shown(self) -> int:
        return len(self.addressed) + len(self.alone)


@dataclass(frozen=True)
class SourceChoice:
    source: SourceHead
    count: int
    chosen: bool


@dataclass
class TopicSides:
    topic: Topic
    columns: list[Column]
    choices: list[SourceChoice]  # every source with claims on the topic
    links: int
    links_capped: bool

    @property
    def summary(self) -> str:
        """Every source's claims on the topic; the links those of the columns shown have
        (the only ones counted) and, when some sources are left out, that it says so."""
        claims = sum(choice.count for choice in self.choices)
        said = (
            f"{plural(claims, 'claim')} from {plural(len(self.choices), 'source')}, "
            f"{plural(self.links, 'link')} across sources"
        )
        if len(self.columns) < len(self.choices):
            said += f" for the {plural(len(self.columns), 'source')} shown"
        return said


def _phrase(relation: str, direction: str, on_left: bool) -> str:
    """The relation said from one claim's side of a link."""
    if relation != Relation.QUALIFIES:
        return relation
    if direction == Direction.UNKNOWN or direction == Direction.NONE:
        return "qualifies or is qualified by (direction not recorded)"
    narrows = (direction == Direction.LEFT_QUALIFIES_RIGHT) == on_left
    return "qualifies (narrows)" if narrows else "is qualified (narrowed) by"


_SIDE = ("id", "public_id", "statement", "document_id", "start", "end",
         "document__source_id", "document__source__name")  # fmt: skip


def _tagged(topic: Topic, side: str) -> Exists:
    return Exists(Claim.topics.through.objects.filter(topic=topic, claim=OuterRef(side)))


def topic_sides(topic: Topic, chosen: list[int] | None = None) -> TopicSides:
    """The columns of ``topic``: the sources ``chosen`` (ids; at most ``MAX_COLUMNS``) or
    by default the ``DEFAULT_COLUMNS`` with most claims on it. Three queries."""
    on_topic = Claim.objects.filter(topics=topic)
    counted = (
        on_topic.order_by()
        .values_list("document__source_id", "document__source__name", "document__source__kind")
        .annotate(n=Count("pk"))
    )
    counts = {pk: (SourceHead(pk, name, kind), n) for pk, name, kind, n in counted}
    if chosen:
        picked = [pk for pk in dict.fromkeys(chosen) if pk in counts][:MAX_COLUMNS]
    else:
        ranked = sorted(counts.values(), key=lambda item: (-item[1], item[0].order))
        picked = [head.pk for head, _ in ranked[:DEFAULT_COLUMNS]]
    heads = sorted((counts[pk][0] for pk in picked), key=lambda head: head.order)
    choices = [
        SourceChoice(head, n, head.pk in picked)
        for head, n in sorted(counts.values(), key=lambda item: item[0].order)
    ]
    if not heads:
        return TopicSides(topic, [], choices, 0, False)

    links = (
        ClaimLink.objects.filter(_tagged(topic, "left"), _tagged(topic, "right"))
        .exclude(review_state=ReviewState.REJECTED)
        .exclude(left__document__source=F("right__document__source"))
        .filter(Exists(Claim.objects.filter(pk=OuterRef("left"), document__source__in=picked))
                | Exists(Claim.objects.filter(pk=OuterRef("right"),
                                              document__source__in=picked)))  # fmt: skip
        .order_by("pk")
        .values_list("public_id", "relation", "direction", "review_state",
                     *(f"{side}__{name}" for side in ("left", "right") for name in _SIDE))
    )[: MAX_LINKS + 1]  # fmt: skip
    rows = list(links)
    capped = len(rows) > MAX_LINKS
    rows = rows[:MAX_LINKS]
    linked_ids = {values[4 + offset] for values in rows for offset in (0, len(_SIDE))}

    ranked_claims = (
        on_topic.filter(document__source__in=picked)
        .annotate(
            addressed=Case(When(pk__in=linked_ids, then=Value(1)), default=Value(0),
                           output_field=IntegerField()),
            place=Window(RowNumber(), partition_by=[F("document__source_id")],
                         order_by=[F("addressed").desc(), F("document_id"), F("start"), F("pk")]),
        )  # fmt: skip
        .filter(place__lte=CLAIMS_PER_COLUMN)
        .values_list("pk", "public_id", "statement", "quote", "document_id", "start", "end",
                     "document__source_id", "addressed", "place")
    )  # fmt: skip
    columns = {
        head.pk: Column(head, counts[head.pk][1], claims_url=_claims_url(topic, head.pk))
        for head in heads
    }
    entries: dict[int, Entry] = {}
    placed: dict[int, list[tuple[int, int, Entry]]] = defaultdict(list)
    for (
        pk,
        public_id,
        statement,
        quote,
        document_id,
        start,
        end,
        source_id,
        addressed,
        place,
    ) in ranked_claims:
        entry = Entry(str(public_id), statement, quote,
                      passage_href(document_id, start, end, public_id))  # fmt: skip
        entries[pk] = entry
        placed[source_id].append((place, addressed, entry))
    for source_id, items in placed.items():
        for _, addressed, entry in sorted(items, key=lambda item: item[0]):
            (columns[source_id].addressed if addressed else columns[source_id].alone).append(entry)

    width = len(_SIDE)
    for public_id, relation, direction, state, *values in rows:
        left, right = values[:width], values[width:]
        link_url = reverse("claims:link", args=[public_id])
        for this, other, on_left in ((left, right, True), (right, left, False)):
            marked = entries.get(this[0])
            if marked is None:
                continue
            other_entry = entries.get(other[0])
            marked.marks.append(
                Mark(
                    relation=relation,
                    phrase=_phrase(relation, direction, on_left),
                    other_source=other[7],
                    other_statement=other[2],
                    other_href=f"#{other_entry.anchor}" if other_entry else
                    passage_href(other[3], other[4], other[5], other[1]),
                    other_shown=other_entry is not None,
                    state=ReviewState(state).label,
                    link_url=link_url,
                )
            )  # fmt: skip
    return TopicSides(topic, [columns[head.pk] for head in heads], choices, len(rows), capped)


def _claims_url(topic: Topic, source_id: int) -> str:
    """The claims list of one source on the topic (every claim, past the column's)."""
    query = urlencode({"topic": topic.pk, "source": source_id})
    return f"{reverse('claims:list')}?{query}"
