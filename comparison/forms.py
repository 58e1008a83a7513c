"""The filters of the comparison pages."""

from django import forms

from claims.models import Topic
from comparison.timeline import ERROR_BOUND, ERROR_ORDER, Span, parse_bound
from corpus.models import Source


class TimelineForm(forms.Form):
    """Which dated claims the timeline shows: a topic, sources, and a time span (the zoom),
    each optional."""

    topic = forms.ModelChoiceField(
        Topic.objects.order_by("name"), required=False, empty_label="All topics"
    )
    source = forms.ModelMultipleChoiceField(
        Source.objects.order_by("name"),
        required=False,
        label="Sources",
        help_text="None chosen: every source.",
    )
    start = forms.CharField(
        required=False, label="From (year, year-month or day)", max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "1934-12", "inputmode": "numeric"}),
    )  # fmt: skip
    end = forms.CharField(
        required=False, label="To (year, year-month or day)", max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "1934-12-31", "inputmode": "numeric"}),
    )  # fmt: skip

    def _clean_bound(self, name: str) -> Span | None:
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        span = parse_bound(text)
        if span is None:
            raise forms.ValidationError(ERROR_BOUND)
        return span

    def clean_start(self) -> Span | None:
        return self._clean_bound("start")

    def clean_end(self) -> Span | None:
        return self._clean_bound("end")

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end.end <= start.start:
            self.add_error("end", ERROR_ORDER)
        return data
