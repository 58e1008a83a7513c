"""What the apps' filter sets (django-filter) share."""

import django_filters
from django.db.models import QuerySet

from crosscheck.widgets import QuickSelect


def quick_select_filter(
    queryset: QuerySet, label: str, *, label_field: str = "name", **options
) -> django_filters.ModelChoiceFilter:
    """A filter choosing one of ``queryset``, drawn as a ``QuickSelect`` whose options show
    each object's ``label_field``; ``options`` go to ``ModelChoiceFilter`` (``field_name``,
    ``method``)."""
    return django_filters.ModelChoiceFilter(
        widget=QuickSelect(label_field=label_field), queryset=queryset, label=label, **options
    )
