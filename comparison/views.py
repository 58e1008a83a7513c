from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from comparison.forms import TimelineForm
from comparison.timeline import Timeline, timeline_build

# The parameters the timeline's links carry on (the filters; start and end are the zoom).
_TIMELINE_PARAMS = ("topic", "start", "end")


def _timeline_of(request: HttpRequest) -> tuple[TimelineForm, Timeline]:
    """The filter form and the timeline it selects; filters that are not valid are left
    out (the form says why)."""
    form = TimelineForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    params: dict[str, str | list[str]] = {
        name: request.GET[name] for name in _TIMELINE_PARAMS if data.get(name)
    }
    if data.get("source"):
        params["source"] = [str(source.pk) for source in data["source"]]
    built = timeline_build(
        topic=data.get("topic"),
        sources=list(data.get("source") or []),
        start=data.get("start"),
        end=data.get("end"),
        params=params,
    )
    return form, built


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """Dated claims on a time axis, one lane per source, with date conflicts joined."""
    form, built = _timeline_of(request)
    return render(
        request,
        "comparison/timeline.html",
        # "filter": what the shared filter form (_filter_form.html) reads its fields from.
        {
            "filter": {"form": form},
            "form": form,
            "timeline": built,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def timeline_svg(request: HttpRequest) -> HttpResponse:
    """The figure of ``timeline`` with the same filters, as an SVG file to download."""
    _, built = _timeline_of(request)
    response = HttpResponse(built.svg(standalone=True), content_type="image/svg+xml; charset=utf-8")
    filename = f"crosscheck-timeline-{timezone.localdate().isoformat()}.svg"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
