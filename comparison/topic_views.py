"""Every topic with its number of claims (/compare/topics/), each leading to its claims side
by side (/compare/topics/<topic>/, ``map_views.compare_topic``, which counts its sources and
links). Two queries whatever the number of topics (``topic_page``): the topics matching the
filter counted, and one page of them with their claims counted (the order by claims needs
every topic's count, read from the claims' topics index alone).

Sources and links across sources per topic were measured here too and left to the topic
page: at 100× the seeds they cost 130 and 90 ms of a request (every tagged claim and its
document read), the page 170–270 ms against 26–31 ms without them."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.models import Claim, Topic, topic_key

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 200  # as the other lists' searches (corpus.filters)

# The index's orders by the "sort" field's value; the key (the name case-folded) and the pk
# break ties, so that pages never repeat or skip a topic.
TOPIC_ORDERS = {
    "claims": ("-claim_count", "key", "pk"),
    "name": ("key", "pk"),
}


class TopicIndexForm(forms.Form):
    q = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH, label="Name contains")
    sort = forms.ChoiceField(
        choices=[("claims", "Most claims first"), ("name", "Name (A–Z)")],
        required=False,
        label="Sort by",
    )

    def wanted(self) -> tuple[str, str]:
        """The search and the order asked for; those that are not valid are left out (the
        form says why)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("q", ""), data.get("sort") or "claims"


def topics_listed(search: str = "", sort: str = "claims") -> QuerySet[Topic]:
    """The topics whose name contains ``search`` (ignoring case Unicode-wide: the key and
    the search are both case-folded), with ``claim_count``, in the order ``sort`` names."""
    # Counted in the claims' topics table alone, each topic through its index (COUNT(*)
    # reads no row): a fourth of the time of Count("claims"), which joins every claim row.
    tagged = Claim.topics.through.objects.filter(topic=OuterRef("pk")).order_by()
    counted = tagged.values("topic").values(n=Count("*"))
    topics = Topic.objects.annotate(claim_count=Coalesce(Subquery(counted), 0))
    if search:
        topics = topics.filter(key__contains=topic_key(search))
    return topics.order_by(*TOPIC_ORDERS[sort])


@dataclass(frozen=True)
class TopicRow:
    topic: Topic
    claims: int


def topic_page(search: str, sort: str, number: str | int | None) -> tuple[Page, list[TopicRow]]:
    """One page of the topics matching ``search`` and its rows. Two queries, whatever the
    number of topics: the count and the page."""
    # The paginator's count leaves the claim counts out (Django drops unused annotations).
    page = Paginator(topics_listed(search, sort), PAGE_SIZE).get_page(number)
    rows = [TopicRow(topic, topic.claim_count) for topic in page.object_list]
    return page, rows


@require_GET
def topic_index(request: HttpRequest) -> HttpResponse:
    """Every topic with its number of claims, most claims first."""
    form = TopicIndexForm(request.GET or None)
    search, sort = form.wanted()
    page, rows = topic_page(search, sort, request.GET.get("page"))
    context = {"filter": {"form": form}, "page": page, "rows": rows}
    return render(request, "comparison/topics.html", context)
