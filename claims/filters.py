import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from claims.models import Claim, Topic
from corpus.models import Document, Source


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
    annotator = django_filters.ModelChoiceFilter(
        field_name="created_by",
        queryset=get_user_model()
        .objects.filter(claims__isnull=False)
        .distinct()
        .order_by("username"),
        label="Annotator",
    )

    class Meta:
        model = Claim
        fields = ["q", "source", "document", "topic", "annotator"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(quote__icontains=value) | Q(statement__icontains=value))
