import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from claims.models import (
    Bearing,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceKind,
    Relation,
    ReviewState,
    Topic,
    search_key,
)
from corpus.models import Document, Source


def _author_filter(related_name: str, label: str) -> django_filters.ModelChoiceFilter:
    """Filter by who created the objects, choosing among the users who created any."""
    authors = get_user_model().objects.filter(**{f"{related_name}__isnull": False})
    return django_filters.ModelChoiceFilter(
        field_name="created_by", queryset=authors.distinct().order_by("username"), label=label
    )


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Quote or statement contains")
    source = django_filters.ModelChoiceFilter(
        field_name="document__source", queryset=Source.objects.all(), label="Source"
    )
    document = django_filters.ModelChoiceFilter(
        queryset=Document.objects.defer("text").select_related("source"), label="Document"
    )
    topic = django_filters.ModelChoiceFilter(
        field_name="topics", queryset=Topic.objects.all(), label="Topic"
    )
    annotator = _author_filter("claims", "Annotator")

    class Meta:
        model = Claim
        fields = ["q", "source", "document", "topic", "annotator"]

    def search(self, queryset, name, value):
        """Every word in the quote or statement, ignoring case (Unicode-wide)."""
        for word in value.replace("\x00", "").split():
            queryset = queryset.filter(search_text__contains=search_key(word))
        return queryset


class DateRangeInputs(django_filters.widgets.DateRangeWidget):
    """Two date inputs, each with its own accessible name."""

    def __init__(self) -> None:
        super().__init__(attrs={"type": "date"})
        self.widgets[0].attrs["aria-label"] = "Proposed on or after"
        self.widgets[1].attrs["aria-label"] = "Proposed on or before"


class LinkFilter(django_filters.FilterSet):
    """Filters of claim links (the review queue, the pairs export); "source" and "topic"
    match either side of the pair."""

    relation = django_filters.ChoiceFilter(choices=Relation.choices, label="Relation")
    state = django_filters.ChoiceFilter(
        field_name="review_state", choices=ReviewState.choices, label="State"
    )
    source = django_filters.ModelChoiceFilter(
        queryset=Source.objects.all(), method="either_source", label="Source (either side)"
    )
    topic = django_filters.ModelChoiceFilter(
        queryset=Topic.objects.all(), method="either_topic", label="Topic (either side)"
    )
    annotator = _author_filter("claim_links", "Proposed by")
    proposed = django_filters.DateFromToRangeFilter(
        field_name="created_at",
        label="Proposed between",
        widget=DateRangeInputs(),
    )

    class Meta:
        model = ClaimLink
        fields = ["relation", "state", "source", "topic", "annotator", "proposed"]

    # Claims as an IN (subquery) rather than joins through both sides: the database
    # finds the matching claims once (bench/review_queue.py: 575 ms → see RESULTS.md).
    def either_source(self, queryset, name, value):
        return self._either_side(queryset, Claim.objects.filter(document__source=value))

    def either_topic(self, queryset, name, value):
        return self._either_side(queryset, Claim.objects.filter(topics=value))

    @staticmethod
    def _either_side(queryset, claims):
        ids = claims.values("pk")
        return queryset.filter(Q(left__in=ids) | Q(right__in=ids))


class EvidenceFilter(django_filters.FilterSet):
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
        queryset=Source.objects.all(), method="of_source", label="Source of the claim(s)"
    )
    added_by = _author_filter("evidence", "Added by")

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
