import django_filters
from django.contrib.auth import get_user_model
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
)
from claims.search import claim_holds, claims_matching, either_claim_holds
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

    def qs_counted(self) -> list[QuerySet]:
        """Querysets without a row in common that together hold the rows of ``qs``, to
        count up to a limit, each on its own (``claims.views.CappedPaginator`` adds their
        counts): by default ``qs_gathered()`` alone. A filter that matches rows in either
        of two ways (``EitherClaimSearch``) counts faster as two parts, each of which the
        database can read through its own index and stop at the limit."""
        return [self.qs_gathered()]


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


# The pair browser's orders by the "sort" filter's value; none means newest first. The pk
# breaks ties, so that pages never repeat or skip a pair.
PAIR_ORDERS = {
    "oldest": ("created_at", "pk"),
    "relation": ("relation", "-created_at", "-pk"),
    "state": ("review_state", "-created_at", "-pk"),
}


class EitherClaimSearch(CountableFilterSet):
    """The ``q`` filter of lists of claim pairs (or of rows pointing at one through the
    field ``link``, as reviews do): every word in the left claim, or every word in the
    right one (as the claims list's search).

    Each reading of the rows gets its own shape (``CountableFilterSet``):

    - listing (``qs``): each row in the list's order is tested by its two claims, and a
      page is found after a few hundred rows, however common the words;
    - counting (``qs_counted``): two parts, the rows whose left claim holds the words and
      those whose right claim does and left one does not, each read from the claims that
      hold the words (SQLite's search index, PostgreSQL's trigram index) through that
      side's index, so that each stops at the count limit. As one condition, "left holds
      or right holds" across two joins can use neither index: counting a common word
      then tested thousands of pairs (SQLite 24 ms, PostgreSQL 115 ms at 100,000 links),
      and a rare one every pair;
    - gathering (``qs_gathered``, the rows of a short list): the claims holding the words,
      then their pairs through each side's index.

    Rows that are few whatever the words (``from_claims`` False) are tested one by one for
    all three.
    """

    q = django_filters.CharFilter(
        method="either_text", label="Either claim contains", max_length=SEARCH_MAX_LENGTH
    )

    link_field = "pk"  # the rows' link: the row itself, or the field pointing at it
    from_claims = True  # whether counting and gathering start from the matching claims
    side: str | None = None  # while ``qs_counted`` builds a part: "left" or "right"

    @property
    def through(self) -> str:
        """The field path from a row to its link, for lookups."""
        return "" if self.link_field == "pk" else f"{self.link_field}__"

    def either_text(self, queryset, name, value):
        words = search_words(value)
        if not words:
            return queryset
        left, right = f"{self.through}left__", f"{self.through}right__"
        if self.side == "left":
            return claims_matching(queryset, words, through=left)
        if self.side == "right":  # not the left: each row in one part only
            return claims_matching(queryset, words, through=right).filter(
                ~claim_holds(words, through=left)
            )
        if not (self.counting and self.from_claims):
            return queryset.filter(either_claim_holds(words, through=self.through))
        matching = claims_matching(Claim.objects.order_by(), words).values("pk")
        # A union, each side through its own index: as "left IN (…) OR right IN (…)"
        # PostgreSQL read all 100,000 links to find a few (24 ms, against 2 ms).
        links = ClaimLink.objects.order_by()
        on_left = links.filter(left__in=matching).values("pk")
        on_right = links.filter(right__in=matching).values("pk")
        return queryset.filter(**{f"{self.link_field}__in": on_left.union(on_right)})

    def qs_counted(self) -> list[QuerySet]:
        if self.is_bound:
            self.is_valid()  # cleans the form, as ``qs`` does
        searched = self.is_bound and search_words(self.form.cleaned_data.get("q") or "")
        if not (searched and self.from_claims):
            return super().qs_counted()
        parts = []
        for side in ("left", "right"):
            self.side = side
            try:
                parts.append(self.qs_gathered())
            finally:
                self.side = None
        return parts


class EventYearInputs(django_filters.widgets.RangeWidget):
    """Two year inputs, each with its own accessible name."""

    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "numeric", "size": 6})
        self.widgets[0].attrs["aria-label"] = "Event year from"
        self.widgets[1].attrs["aria-label"] = "Event year to"


class PairFilter(EitherClaimSearch, LinkFilter):
    """Filters of the claim pair browser: those of the review queue, words in either claim,
    and the order of the list; and those the contradiction map's cells lead to (the pairs
    between two sources, the event year of either claim)."""

    versus = source_filter("Other side's source", method="between_sources")
    event_year = django_filters.RangeFilter(
        method="either_dated", label="Event year (either claim)", widget=EventYearInputs()
    )

    sort = django_filters.ChoiceFilter(
        choices=[("oldest", "Oldest first"), ("relation", "Relation"), ("state", "State")],
        empty_label="Newest first",
        method="ordered",
        label="Sort by",
    )

    class Meta(LinkFilter.Meta):
        fields = ["q", "relation", "state", "source", "versus", "topic", "annotator",
                  "proposed", "event_year", "sort"]  # fmt: skip

    def ordered(self, queryset, name, value):
        return queryset.order_by(*PAIR_ORDERS[value])

    def between_sources(self, queryset, name, value):
        """With "source": the pairs with one claim of each source (both of one source when
        they are the same); alone, the pairs with a claim of ``value`` on either side."""
        source = self.form.cleaned_data.get("source")
        if source is None:
            return self.either_source(queryset, name, value)
        return queryset.filter(
            Q(left__document__source=source, right__document__source=value)
            | Q(left__document__source=value, right__document__source=source)
        )

    def either_dated(self, queryset, name, value):
        """The pairs with either claim's event year within the range (a bound may be left
        out)."""
        bounds = {}
        if value.start is not None:
            bounds["event_year__gte"] = value.start
        if value.stop is not None:
            bounds["event_year__lte"] = value.stop
        if not bounds:
            return queryset
        on_left = {f"left__{key}": year for key, year in bounds.items()}
        on_right = {f"right__{key}": year for key, year in bounds.items()}
        return queryset.filter(Q(**on_left) | Q(**on_right))


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
    versus = None  # the contradiction map's filters lead to the pair browser only
    event_year = None

    class Meta(LinkFilter.Meta):
        fields = ["q", *LinkFilter.Meta.fields]


class MyVerdictFilter(EitherClaimSearch):
    """Filters of a reviewer's own current verdicts (the My verdicts page)."""

    relation = django_filters.ChoiceFilter(
        field_name="link__relation", choices=Relation.choices, label="Relation"
    )
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label="My verdict")
    state = django_filters.ChoiceFilter(
        field_name="link__review_state", choices=ReviewState.choices, label="State of the pair"
    )

    link_field = "link"
    # A reviewer's verdicts are a few thousand at most: each is tested through its link's
    # claims, newest first (review_current_recent_idx), and a page or the count is found
    # within them. Started from the claims, a common word led SQLite through 8,600 claims
    # to find 2,300 verdicts' pairs (100 ms at 100× the seeds); testing them takes 20 ms.
    from_claims = False

    class Meta:
        model = Review
        fields = ["q", "relation", "verdict", "state"]
