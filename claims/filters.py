import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from claims.models import (
    Bearing,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceKind,
    Relation,
    ReviewState,
    Topic,
)
from claims.search import claims_matching
from corpus.filters import SEARCH_MAX_LENGTH
from corpus.models import Document, Source
from crosscheck.widgets import QuickSelect

# The most words a search of claims matches (the list's and the typeahead's): each word is
# one more condition, and SQLite refuses expressions deeper than about a thousand.
SEARCH_MAX_WORDS = 8


def _author_filter(model, label: str) -> django_filters.ModelChoiceFilter:
    """Filter by who created the objects, choosing among the users who created any."""
    # EXISTS per user (an index probe on created_by) rather than joining every object and
    # taking DISTINCT users: at 100,000 claims the join took 300 ms on PostgreSQL.
    created = model.objects.filter(created_by=OuterRef("pk"))
    authors = get_user_model().objects.filter(Exists(created)).order_by("username")
    return django_filters.ModelChoiceFilter(
        widget=QuickSelect(label_field=get_user_model().USERNAME_FIELD),
        field_name="created_by",
        queryset=authors,
        label=label,
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
    source = django_filters.ModelChoiceFilter(
        widget=QuickSelect(label_field="name"),
        queryset=Source.objects.all(),
        method="of_source",
        label="Source",
    )
    document = django_filters.ModelChoiceFilter(
        widget=QuickSelect(label_field="title"),
        queryset=Document.objects.defer("text"),
        label="Document",
    )
    topic = django_filters.ModelChoiceFilter(
        widget=QuickSelect(label_field="name"),
        field_name="topics",
        queryset=Topic.objects.all(),
        label="Topic",
    )
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
    source = django_filters.ModelChoiceFilter(
        widget=QuickSelect(label_field="name"),
        queryset=Source.objects.all(),
        method="either_source",
        label="Source (either side)",
    )
    topic = django_filters.ModelChoiceFilter(
        widget=QuickSelect(label_field="name"),
        queryset=Topic.objects.all(),
        method="either_topic",
        label="Topic (either side)",
    )
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
    source = django_filters.ModelChoiceFilter(
        widget=QuickSelect(label_field="name"),
        queryset=Source.objects.all(),
        method="of_source",
        label="Source of the claim(s)",
    )
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
