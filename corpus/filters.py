import django_filters
from django.db.models import Q

from corpus.models import Document, Source, SourceKind


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Title contains")
    source = django_filters.ModelChoiceFilter(queryset=Source.objects.all(), label="Source")
    kind = django_filters.ChoiceFilter(
        field_name="source__kind", choices=SourceKind.choices, label="Kind of source"
    )
    language = django_filters.ChoiceFilter(choices=Document.Language.choices, label="Language")

    class Meta:
        model = Document
        fields = ["q", "source", "kind", "language"]

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value)


class SourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, author or publisher contains")
    kind = django_filters.ChoiceFilter(choices=SourceKind.choices, label="Kind")

    class Meta:
        model = Source
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(author__icontains=value) | Q(publisher__icontains=value)
        )
