from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claims.dashboard import dashboard_figures
from claims.errors import ClaimError, ClaimPermissionDenied
from claims.exports import DATASETS, csv_chunks, export_filename, filtered
from claims.filters import ClaimFilter, LinkFilter
from claims.models import Claim, ClaimLink, Evidence
from claims.reviewing import (
    ERROR_NOT_REVIEWER,
    can_review,
    can_review_link,
    queue_neighbours,
    review_queue,
    review_submit,
)

PAGE_SIZE = 50
COUNT_LIMIT = 1000
LAST_PAGE_NUMBER = 10**7  # higher page numbers mean the last page, as Django's paginator does


class CappedPaginator(Paginator):
    """A paginator that counts rows only as far as the pages need.

    An exact COUNT over 100,000 claims or links costs more than the page itself (every
    row is read, and in the review queue checked against the user's reviews), and a
    reader cannot use the difference between 37,412 and 37,413. So the count stops at the
    first multiple of ``COUNT_LIMIT`` past the page shown: below it the total is exact
    ("37 claims", "Page 1 of 1"); above it ``more`` is True and ``count`` is that multiple,
    a lower bound the pages show as "More than 1000 claims", "Page 2 of more than 20".
    The count comes first: it also decides how the page's rows are read (``get_page``).
    """

    more = False

    def __init__(self, object_list, per_page, *, to_count=None) -> None:
        super().__init__(object_list, per_page)
        # The same rows, written to count fast (CountableFilterSet.qs_gathered).
        self.to_count = object_list if to_count is None else to_count

    def get_page(self, number) -> Page:
        try:
            number = min(max(int(number), 1), LAST_PAGE_NUMBER)
        except (TypeError, ValueError):
            number = 1
        offset = (number - 1) * self.per_page
        limit = -(-(offset + self.per_page) // COUNT_LIMIT) * COUNT_LIMIT
        counted = self.to_count.order_by()[: limit + 1].count()  # any limit + 1 rows
        self.more = counted > limit
        self.count = min(counted, limit)  # replaces the cached property
        if offset >= self.count > 0:  # past the end: show the last page
            number = self.num_pages
            offset = (number - 1) * self.per_page
        # Many matching rows: walking the ordering index finds a page of them at once. Few
        # (a source among a hundred, say): walking would test every row, so gather them
        # through their own indexes, as the count did, and sort them.
        rows_from = self.object_list if self.more else self.to_count
        rows = list(rows_from[offset : offset + self.per_page])
        return self._get_page(rows, number, self)


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    filterset = ClaimFilter(request.GET, queryset=Claim.objects.order_by("-created_at", "-pk"))
    page = page_by_ids(request, filterset, Claim.objects.listing().filter)
    return render(request, "claims/claim_list.html", {"filter": filterset, "page": page})


def page_by_ids(request: HttpRequest, filterset, load) -> Page:
    """The page of the filterset's rows that the request asks for, paged through ids alone
    (an index holds them; reading whole rows, SQLite took 400 ms to skip to page 100 of
    100,000 claims), then ``load(pk__in=ids)`` reads that page's objects with what they
    show."""
    ids = filterset.qs.values_list("pk", flat=True)
    counted = filterset.qs_gathered().values_list("pk", flat=True)
    page = CappedPaginator(ids, PAGE_SIZE, to_count=counted).get_page(request.GET.get("page"))
    by_id = {obj.pk: obj for obj in load(pk__in=list(page.object_list))}
    page.object_list = [by_id[pk] for pk in page.object_list]
    return page


CONTEXT_CHARACTERS = 300


def _in_context(claim: Claim) -> dict:
    """The claim's quote with up to ``CONTEXT_CHARACTERS`` of its document either side."""
    text = claim.document.text
    start = max(0, claim.start - CONTEXT_CHARACTERS)
    end = min(len(text), claim.end + CONTEXT_CHARACTERS)
    return {
        "claim": claim,
        "before": ("…" if start > 0 else "") + text[start : claim.start],
        "after": text[claim.end : end] + ("…" if end < len(text) else ""),
    }


def _pair_context(link: ClaimLink) -> dict:
    """Both claims in context with their evidence, the link's evidence and its reviews."""
    evidence = (
        Evidence.objects.filter(Q(link=link) | Q(claim__in=[link.left_id, link.right_id]))
        .select_related("document", "created_by")
        .defer("document__text")
    )
    by_target = {"link": [], link.left_id: [], link.right_id: []}
    for item in evidence:
        by_target["link" if item.link_id else item.claim_id].append(item)
    sides = [
        _in_context(link.left) | {"evidence": by_target[link.left_id]},
        _in_context(link.right) | {"evidence": by_target[link.right_id]},
    ]
    reviews = list(link.reviews.select_related("reviewer").order_by("-created_at", "-pk"))
    current = [review for review in reviews if review.is_current]
    tally = Counter(review.get_verdict_display() for review in current)
    return {
        "link": link,
        "sides": sides,
        "link_evidence": by_target["link"],
        "current_reviews": current,
        "earlier_reviews": [review for review in reviews if not review.is_current],
        "tally": sorted(tally.items()),
    }


def _get_link(public_id) -> ClaimLink:
    return get_object_or_404(
        ClaimLink.objects.select_related(
            "left__document__source", "right__document__source", "left__created_by",
            "right__created_by", "created_by",
        ),
        public_id=public_id,
    )  # fmt: skip


def _queue_for(request: HttpRequest) -> LinkFilter:
    return LinkFilter(request.GET, queryset=review_queue(request.user))


@require_GET
def link_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The claim pair page; for a reviewer in the queue, with verdicts and queue steps."""
    link = _get_link(public_id)
    context = _pair_context(link)
    context["can_review"] = can_review_link(request.user, link)
    context["my_review"] = next(
        (review for review in context["current_reviews"] if review.reviewer_id == request.user.pk),
        None,
    )
    if "queue" in request.GET and can_review(request.user):
        previous, following = queue_neighbours(_queue_for(request).qs, link)
        context |= {"in_queue": True, "previous": previous, "following": following,
                    "queue_query": request.GET.urlencode()}  # fmt: skip
    return render(request, "claims/link_detail.html", context)


@require_POST
def link_review(request: HttpRequest, public_id) -> HttpResponse:
    """Record a verdict, then open the next pair of the queue (with the same filters)."""
    link = _get_link(public_id)
    try:
        review = review_submit(
            link=link,
            verdict=request.POST.get("verdict"),
            note=request.POST.get("note", ""),
            user=request.user,
        )
    except ClaimPermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except ClaimError as error:
        messages.error(request, str(error))
        return redirect(_with_query(link.get_absolute_url(), request.GET))
    messages.success(request, f"Recorded: {review.get_verdict_display()}.")
    _, following = queue_neighbours(_queue_for(request).qs, link)
    if following is None:
        return redirect(_with_query(reverse("claims:review-queue"), request.GET))
    return redirect(_with_query(following.get_absolute_url(), request.GET))


def _with_query(url: str, query) -> str:
    return f"{url}?{query.urlencode()}" if query else url


@require_GET
def review_queue_page(request: HttpRequest) -> HttpResponse:
    if not can_review(request.user):
        raise PermissionDenied(ERROR_NOT_REVIEWER)
    filterset = _queue_for(request)
    # Paged through ids: joined in one query, SQLite sorted all 100,000 links before
    # taking fifty (9 s; see bench/review_queue.py).
    page = page_by_ids(request, filterset, ClaimLink.objects.queue_rows().filter)
    query = request.GET.copy()
    query.pop("page", None)
    query["queue"] = "1"
    return render(
        request,
        "claims/review_queue.html",
        {"filter": filterset, "page": page, "queue_query": query.urlencode()},
    )


@require_GET
def review_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/review_dashboard.html", dashboard_figures())


@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    """Choose a dataset and its filters; the form downloads from ``export_download``."""
    forms = [(dataset, _export_form(dataset, None)) for dataset in DATASETS.values()]
    return render(request, "claims/export.html", {"forms": forms})


def _export_form(dataset, data):
    filterset = filtered(dataset, data)
    filterset.form.auto_id = f"id_{dataset.name}_%s"  # three forms on one page
    return filterset


@require_GET
def export_download(request: HttpRequest) -> HttpResponse:
    """The chosen dataset as streamed CSV, filtered like its list page."""
    dataset = DATASETS.get(request.GET.get("dataset", ""))
    if dataset is None:
        raise Http404("No such dataset.")
    filterset = filtered(dataset, request.GET)
    if not filterset.is_valid():
        forms = [
            (other, _export_form(other, request.GET if other is dataset else None))
            for other in DATASETS.values()
        ]
        return render(request, "claims/export.html", {"forms": forms}, status=400)
    chunks = csv_chunks(dataset, filterset.qs_gathered(), excel=request.GET.get("excel") == "1")
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(dataset)}"'
    return response
