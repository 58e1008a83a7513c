import json

import django_filters
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from claims.models import (
    Bearing,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceKind,
    Relation,
    Review,
    ReviewState,
    Topic,
    Verdict,
    search_key,
)
from claims.search import claims_matching, either_claim_holds
from corpus.filters import SEARCH_MAX_LENGTH, source_filter
from corpus.models import Document
from crosscheck.filters import quick_select_filter

# The most words a search of claims matches (the list's and the typeahead's): each word is
# one more condition, and SQLite refuses expressions deeper than about a thousand.
SEARCH_MAX_WORDS = 8


def _author_filter(model, label: str) -> django_filters.ModelChoiceFilter:
    """Filter by who created the objects, choosing among the users who created any."""
    # EXISTS per user (an index probe on created_by) rather than joining every object and
    # taking DISTINCT users: at 100,000 claims the join took 300 ms on PostgreSQL.
    created = model.objects.filter(created_by=OuterRef("pk"))
    authors = get_user_model().objects.filter(Exists(created)).order_by("username")
    return quick_select_filter(
        authors, label, label_field=get_user_model().USERNAME_FIELD, field_name="created_by"
    )


class CountableFilterSet(django_filters.FilterSet):
    """A filterset whose ``qs_gathered()`` holds the same rows as ``qs``, written the way
    a database reads all of them fastest (to count them, or to export them).

    A list page wants its first rows in order: the database should walk the ordering
    index and test each row with an EXISTS probe, stopping after a page. A count or an
    export wants every match: the database should gather the matching rows through their
    own indexes (IN, or a join). SQLite's planner picks its plan from the SQL alone, so a
    filter whose best shape differs writes both, reading ``self.counting``: at 100,000
    links, a topic on either side of a pair took SQLite 43 ms to list written as IN and
    50 ms to count written as EXISTS, against 5 ms and 11 ms the right way round.
    """

    counting = False

    def qs_gathered(self):
        """The rows of ``qs``, to read all of them (see the class docstring)."""
        self.counting = True
        try:
            queryset = self.queryset.all()
            if self.is_bound:
                self.is_valid()  # cleans the form, as ``qs`` does
                queryset = self.filter_queryset(queryset)
            return queryset
        finally:
            self.counting = False


class ClaimFilter(CountableFilterSet):
    q = django_filters.CharFilter(
        method="search", label="Quote or statement contains", max_length=SEARCH_MAX_LENGTH
    )
    source = source_filter(method="of_source")
    document = quick_select_filter(Document.objects.defer("text"), "Document", label_field="title")
    topic = quick_select_filter(Topic.objects.all(), "Topic", field_name="topics")
    annotator = _author_filter(Claim, "Annotator")

    class Meta:
        model = Claim
        fields = ["q", "source", "document", "topic", "annotator"]

    def of_source(self, queryset, name, value):
        # Listing, a probe of each claim's document: joined, SQLite collected every claim
        # of the source and sorted them all for one page (350 ms at 100,000 claims).
        if self.counting:
            return queryset.filter(document__source=value)
        return queryset.filter(Exists(Document.objects.filter(pk=OuterRef("document"),
                                                              source=value)))  # fmt: skip

    def search(self, queryset, name, value):
        """Every word (the first ``SEARCH_MAX_WORDS``) in the quote or statement, ignoring
        case (Unicode-wide)."""
        words = value.replace("\x00", "").split()[:SEARCH_MAX_WORDS]
        # The list lists (rather than gathers) only past its count limit, when testing each
        # row in the list's order finds a page at once; counting and the rest gather the
        # matches through SQLite's search index (claims.search).
        return claims_matching(queryset, words, use_index=self.counting)


class DateRangeInputs(django_filters.widgets.DateRangeWidget):
    """Two date inputs, each with its own accessible name."""

    def __init__(self) -> None:
        super().__init__(attrs={"type": "date"})
        self.widgets[0].attrs["aria-label"] = "Proposed on or after"
        self.widgets[1].attrs["aria-label"] = "Proposed on or before"


class LinkFilter(CountableFilterSet):
    """Filters of claim links (the review queue, the pairs export); "source" and "topic"
    match either side of the pair."""

    relation = django_filters.ChoiceFilter(choices=Relation.choices, label="Relation")
    state = django_filters.ChoiceFilter(
        field_name="review_state", choices=ReviewState.choices, label="State"
    )
    source = source_filter("Source (either side)", method="either_source")
    topic = quick_select_filter(Topic.objects.all(), "Topic (either side)", method="either_topic")
    annotator = _author_filter(ClaimLink, "Proposed by")
    proposed = django_filters.DateFromToRangeFilter(
        field_name="created_at",
        label="Proposed between",
        widget=DateRangeInputs(),
    )

    class Meta:
        model = ClaimLink
        fields = ["relation", "state", "source", "topic", "annotator", "proposed"]

    # Listing wants the oldest links first: the database should walk the links in order
    # and test each; counting wants the matching links gathered through the claim
    # indexes ("left IN (claims) OR right IN (claims)"). At 100,000 links, listing written
    # that second way took SQLite 180 ms and PostgreSQL 150 ms (it hashed every claim of
    # the source twice), against 3 ms and 11 ms written as below.
    def either_source(self, queryset, name, value):
        if self.counting:
            return self._either_side(queryset, Claim.objects.filter(document__source=value))
        return queryset.filter(Q(left__document__source=value) | Q(right__document__source=value))

    def either_topic(self, queryset, name, value):
        # The claims-topics table alone: joined to claims, PostgreSQL read every claim.
        tagged = Claim.topics.through.objects.filter(topic=value)
        if self.counting:
            return self._either_side(queryset, tagged.values("claim"))
        # EXISTS rather than joins, which would list a link tagged on both sides twice.
        on_left, on_right = (
            tagged.filter(claim=OuterRef("left")),
            tagged.filter(claim=OuterRef("right")),
        )
        return queryset.filter(Exists(on_left) | Exists(on_right))

    @staticmethod
    def _either_side(queryset, claims):
        return queryset.filter(Q(left__in=claims) | Q(right__in=claims))


# Words in at least this many claims make a wide search of pairs (PairFilter.either_text):
# where, at 100,000 claims, testing the pairs one by one overtakes gathering the claims
# (a word in 8,600 claims: gathering 60 ms, testing 180 ms on PostgreSQL; in 26,000: 210
# against 24 ms).
WIDE_SEARCH = 12_000


def estimated_count(queryset: QuerySet, *, at_most: int) -> int:
    """How many rows ``queryset`` holds, up to ``at_most``. One query: on PostgreSQL the
    planner's estimate, which reads no row (counting the claims that hold a common word
    reads and tests each of them); on SQLite a count that stops at ``at_most`` (its search
    index lists the matches fast)."""
    if connections[queryset.db].vendor == "postgresql":
        plan = json.loads(queryset.explain(format="json"))
        return min(at_most, int(plan[0]["Plan"]["Plan Rows"]))
    return queryset[:at_most].count()


# The pair browser's orders by the "sort" filter's value; none means newest first. The pk
# breaks ties, so that pages never repeat or skip a pair.
PAIR_ORDERS = {
    "oldest": ("created_at", "pk"),
    "relation": ("relation", "-created_at", "-pk"),
    "state": ("review_state", "-created_at", "-pk"),
}


class PairFilter(LinkFilter):
    """Filters of the claim pair browser: those of the review queue, words in either claim,
    and the order of the list."""

    q = django_filters.CharFilter(
        method="either_text", label="Either claim contains", max_length=SEARCH_MAX_LENGTH
    )
    sort = django_filters.ChoiceFilter(
        choices=[("oldest", "Oldest first"), ("relation", "Relation"), ("state", "State")],
        empty_label="Newest first",
        method="ordered",
        label="Sort by",
    )

    class Meta(LinkFilter.Meta):
        fields = ["q", *LinkFilter.Meta.fields, "sort"]

    wide: bool | None = None  # whether the search is wide (see either_text), once asked

    def either_text(self, queryset, name, value):
        """The pairs one of whose claims holds every word (as the claims list's search).

        Counting a narrow search, the claims holding the words are gathered through the
        search index, then their links through each side's index. A wide one (a word in a
        quarter of 100,000 claims) would gather 26,000 claims first (210 ms on either
        database); the list, and the count of a wide search, test instead each link in the
        list's order by its two claims, and reach a page or the count limit after a few
        thousand. Telling the two apart costs one query (``estimated_count``)."""
        words = search_words(value)
        if not words:
            return queryset
        if self.counting and not self._is_wide(words):
            matching = claims_matching(Claim.objects.order_by(), words).values("pk")
            # A union, each side through its own index: as "left IN (…) OR right IN (…)"
            # PostgreSQL read all 100,000 links to find a few (24 ms, against 2 ms).
            links = ClaimLink.objects.order_by()
            on_left = links.filter(left__in=matching).values("pk")
            on_right = links.filter(right__in=matching).values("pk")
            return queryset.filter(pk__in=on_left.union(on_right))
        keys = [search_key(word) for word in words]
        left_has = Q(*[Q(left__search_text__contains=key) for key in keys])
        right_has = Q(*[Q(right__search_text__contains=key) for key in keys])
        return queryset.filter(left_has | right_has)

    def _is_wide(self, words: list[str]) -> bool:
        if self.wide is None:
            matching = claims_matching(Claim.objects.order_by(), words).values("pk")
            self.wide = estimated_count(matching, at_most=WIDE_SEARCH) >= WIDE_SEARCH
        return self.wide

    def ordered(self, queryset, name, value):
        return queryset.order_by(*PAIR_ORDERS[value])


class EvidenceFilter(CountableFilterSet):
    """Filters of evidence (the evidence export); "source" matches the claim it is attached
    to, or either claim of the link it is attached to."""

    kind = django_filters.ChoiceFilter(choices=EvidenceKind.choices, label="Kind")
    bearing = django_filters.ChoiceFilter(choices=Bearing.choices, label="Bearing")
    attached_to = django_filters.ChoiceFilter(
        choices=[("claim", "a claim"), ("pair", "a claim pair")],
        method="attached",
        label="Attached to",
    )
    source = source_filter("Source of the claim(s)", method="of_source")
    added_by = _author_filter(Evidence, "Added by")

    class Meta:
        model = Evidence
        fields = ["kind", "bearing", "attached_to", "source", "added_by"]

    def attached(self, queryset, name, value):
        """The values match the export's attached_to column: "claim" or "pair"."""
        return queryset.filter(**{"claim__isnull" if value == "claim" else "link__isnull": False})

    def of_source(self, queryset, name, value):
        claims = Claim.objects.filter(document__source=value).values("pk")
        return queryset.filter(
            Q(claim__in=claims) | Q(link__left__in=claims) | Q(link__right__in=claims)
        )


def search_words(value: str) -> list[str]:
    """The words of a search of claims: the first ``SEARCH_MAX_WORDS``."""
    return value.replace("\x00", "").split()[:SEARCH_MAX_WORDS]


class ReviewQueueFilter(PairFilter):
    """Filters of the review queue: the pair browser's, words in either claim among them,
    in the queue's own order (oldest first)."""

    sort = None  # django-filter leaves out a filter set to None

    class Meta(LinkFilter.Meta):
        fields = ["q", *LinkFilter.Meta.fields]


# My verdicts' search gathers the claims holding the words when they are fewer than this.
MY_VERDICTS_GATHER = 1000


class MyVerdictFilter(CountableFilterSet):
    """Filters of a reviewer's own current verdicts (the My verdicts page)."""

    q = django_filters.CharFilter(
        method="either_text", label="Either claim contains", max_length=SEARCH_MAX_LENGTH
    )
    relation = django_filters.ChoiceFilter(
        field_name="link__relation", choices=Relation.choices, label="Relation"
    )
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label="My verdict")
    state = django_filters.ChoiceFilter(
        field_name="link__review_state", choices=ReviewState.choices, label="State of the pair"
    )

    class Meta:
        model = Review
        fields = ["q", "relation", "verdict", "state"]

    many_claims: bool | None = None  # whether many claims hold the words, once asked

    def either_text(self, queryset, name, value):
        """Words in either claim of the pair. When fewer than ``MY_VERDICTS_GATHER``
        claims hold them, they are gathered through the search index; otherwise each
        verdict is tested (a reviewer's verdicts are a few thousand at most; at 100× the
        seeds, gathering a word in 8,600 claims took SQLite 200 ms, testing 2,300 verdicts
        50 ms)."""
        words = search_words(value)
        if not words:
            return queryset
        matching = claims_matching(Claim.objects.order_by(), words).values("pk")
        if self.many_claims is None:
            self.many_claims = matching[:MY_VERDICTS_GATHER].count() >= MY_VERDICTS_GATHER
        if self.many_claims:
            return queryset.filter(either_claim_holds(words, through="link__"))
        return queryset.filter(Q(link__left__in=matching) | Q(link__right__in=matching))
