import django_filters
from django.db.models import Q

from corpus.models import Document, Source, SourceKind
from crosscheck.filters import quick_select_filter

# The longest search a list takes (a longer one is refused with a form error): SQLite
# refuses LIKE patterns over 50,000 bytes, and no title or name is near this long.
SEARCH_MAX_LENGTH = 200


def source_filter(label: str = "Source", **options) -> django_filters.ModelChoiceFilter:
    """A filter choosing one source by name (``options`` as ``quick_select_filter``'s)."""
    return quick_select_filter(Source.objects.all(), label, **options)


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label="Title contains", max_length=SEARCH_MAX_LENGTH
    )
    source = source_filter()
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
    q = django_filters.CharFilter(
        method="search",
        label="Name, author or publisher contains",
        max_length=SEARCH_MAX_LENGTH,
    )
    kind = django_filters.ChoiceFilter(choices=SourceKind.choices, label="Kind")

    class Meta:
        model = Source
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(author__icontains=value) | Q(publisher__icontains=value)
        )
