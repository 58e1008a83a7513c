"""The contradiction map (/compare/, as SVG and CSV) and one topic's claims side by side
(/compare/topics/<topic>/)."""

import csv
import io

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from claims.models import Relation, Topic, topic_key
from comparison.matrix import RELATIONS, ContradictionMap, MapFilters, contradiction_map
from comparison.topics import topic_sides
from crosscheck.dates import MAX_YEAR, MIN_YEAR
from crosscheck.spreadsheet import neutralise
from crosscheck.widgets import QuickSelect

ERROR_YEARS = "The first event year comes after the last."


class MapForm(forms.Form):
    """What the map counts. The names are the pair browser's, whose filters the cells
    carry on."""

    relation = forms.ChoiceField(
        choices=[*Relation.choices, ("", "all relations")],
        required=False,
        initial="contradicts",
        label="Relation shown",
    )
    state = forms.ChoiceField(
        choices=[("", "Any state"), ("confirmed", "Confirmed only")],
        required=False,
        label="Review state",
    )
    topic = forms.ModelChoiceField(
        Topic.objects.all(), required=False, empty_label="All topics",
        label="Topic (either claim)", widget=QuickSelect(label_field="name"),
    )  # fmt: skip
    event_year_min = forms.IntegerField(
        required=False, min_value=MIN_YEAR, max_value=MAX_YEAR,
        label="Event year from (either claim)",
    )  # fmt: skip
    event_year_max = forms.IntegerField(
        required=False, min_value=MIN_YEAR, max_value=MAX_YEAR,
        label="Event year to (either claim)",
    )  # fmt: skip

    def clean(self) -> dict:
        data = super().clean() or {}
        low, high = data.get("event_year_min"), data.get("event_year_max")
        if low is not None and high is not None and high < low:
            self.add_error("event_year_max", ERROR_YEARS)
        return data

    def filters(self) -> MapFilters:
        """The filters asked for; those that are not valid are left out (the form says
        why). The relation shown is contradicts unless another is asked for."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        relation = data.get("relation", "contradicts") if "relation" in self.data else "contradicts"
        return MapFilters(
            relation=relation if relation in RELATIONS else "",
            confirmed=data.get("state") == "confirmed",
            topic=data.get("topic"),
            year_from=data.get("event_year_min"),
            year_to=data.get("event_year_max"),
        )


def _map_of(request: HttpRequest) -> tuple[MapForm, ContradictionMap]:
    form = MapForm(request.GET or None)
    return form, contradiction_map(form.filters())


@require_GET
def compare_map(request: HttpRequest) -> HttpResponse:
    """Which sources contradict (corroborate, qualify) which: a matrix of counts."""
    form, built = _map_of(request)
    context = {"filter": {"form": form}, "form": form, "map": built,
               "query": request.GET.urlencode()}  # fmt: skip
    return render(request, "comparison/map.html", context)


def _attachment(response: HttpResponse, extension: str) -> HttpResponse:
    filename = f"crosscheck-map-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def compare_map_svg(request: HttpRequest) -> HttpResponse:
    """The map's figure with the same filters, as an SVG file."""
    _, built = _map_of(request)
    svg = render_to_string("comparison/_map.svg", {"map": built, "standalone": True}, request)
    return _attachment(HttpResponse(svg, content_type="image/svg+xml; charset=utf-8"), "svg")


CSV_COLUMNS = ["source", "source_kind", "other_source", "other_source_kind", *RELATIONS, "total"]


def map_csv_rows(built: ContradictionMap) -> list[list[str | int]]:
    """The map's figures, every source pair with links (also those the figure leaves out),
    names neutralised for spreadsheets."""
    rows: list[list[str | int]] = [list(CSV_COLUMNS)]
    for pair in built.pairs:
        rows.append([
            neutralise(pair.first.name), pair.first.kind, neutralise(pair.second.name),
            pair.second.kind, *(pair.counts.get(r, 0) for r in RELATIONS), pair.total,
        ])  # fmt: skip
    return rows


@require_GET
def compare_map_csv(request: HttpRequest) -> HttpResponse:
    """The map's figures with the same filters, as CSV (one row per source pair)."""
    _, built = _map_of(request)
    out = io.StringIO()
    csv.writer(out).writerows(map_csv_rows(built))
    return _attachment(HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8"), "csv")


@require_GET
def compare_topic(request: HttpRequest, name: str) -> HttpResponse:
    """One topic's claims side by side, a column per source, links marked across."""
    topic = Topic.objects.filter(key=topic_key(name)).first()
    if topic is None:
        raise Http404("No such topic.")
    chosen = [
        int(value) for value in request.GET.getlist("source") if value.isdigit() and len(value) < 19
    ]
    sides = topic_sides(topic, chosen)
    return render(request, "comparison/topic.html", {"sides": sides})


def topic_page_url(name: str) -> str:
    """The address of the topic ``name``'s claims side by side (claims.extensions)."""
    return reverse("comparison:topic", args=[name])
