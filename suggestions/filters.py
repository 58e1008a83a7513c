import django_filters
from django.db.models import Exists, OuterRef

from claims.filters import SEARCH_MAX_WORDS, CountableFilterSet
from claims.models import Claim, Topic
from claims.search import claims_matching
from corpus.filters import SEARCH_MAX_LENGTH, source_filter
from corpus.models import Document
from crosscheck.filters import quick_select_filter
from suggestions.models import SuggestedPair


class SuggestedPairFilter(CountableFilterSet):
    """Filters of the Suggested pairs queue: the source of either the claim or the
    passage, a topic of the claim, words of the claim's quote or statement."""

    q = django_filters.CharFilter(
        method="search", label="Claim contains", max_length=SEARCH_MAX_LENGTH
    )
    source = source_filter("Source (either side)", method="either_source")
    topic = quick_select_filter(Topic.objects.all(), "Topic of the claim", method="of_topic")

    class Meta:
        model = SuggestedPair
        fields = ["q", "source", "topic"]

    def either_source(self, queryset, name, value):
        of_source = Document.objects.filter(source=value).values("pk")
        return queryset.filter(
            Exists(Claim.objects.filter(pk=OuterRef("claim"), document__in=of_source))
            | Exists(Document.objects.filter(pk=OuterRef("passage__document"), source=value))
        )

    def of_topic(self, queryset, name, value):
        return queryset.filter(claim__topics=value)

    def search(self, queryset, name, value):
        words = value.replace("\x00", "").split()[:SEARCH_MAX_WORDS]
        if not words:
            return queryset
        return queryset.filter(claim__in=claims_matching(Claim.objects.all(), words).values("pk"))
