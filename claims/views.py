import uuid
from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Func, IntegerField, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claims.dashboard import dashboard_figures
from claims.errors import ClaimError, ClaimPermissionDenied
from claims.exports import DATASETS, csv_chunks, export_filename, export_formats, filtered
from claims.extensions import document_page_parts, topic_url
from claims.filters import ClaimFilter, MyVerdictFilter, PairFilter, ReviewQueueFilter
from claims.models import Bearing, Claim, ClaimLink, Evidence, Relation, Review, Topic
from claims.reviewing import (
    ERROR_NOT_REVIEWER,
    queue_neighbours,
    review_queue,
    review_submit,
    review_withdraw,
    withdrawn_ids,
)
from claims.services import link_update
from claims.tasks import export_dataset
from corpus.models import Document
from corpus.text import text_html
from crosscheck.permissions import can_annotate, can_change, can_review, can_review_link
from crosscheck.text import shorten
from jobs.models import Job
from jobs.services import job_start

PAGE_SIZE = 50
COUNT_LIMIT = 1000
LAST_PAGE_NUMBER = 10**7  # higher page numbers mean the last page, as Django's paginator does
# Endpoint addresses handed to the annotation page's scripts, which put the real id in place
# of this.
ID_PLACEHOLDER = uuid.UUID(int=0)


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

    def __init__(self, object_list, per_page, *, gathered=None, to_count=None) -> None:
        super().__init__(object_list, per_page)
        # The same rows, written to be read all (CountableFilterSet.qs_gathered) ...
        self.gathered = object_list if gathered is None else gathered
        # ... and to be counted: querysets without a row in common that together hold
        # them, each counted up to the limit (CountableFilterSet.qs_counted).
        self.to_count = [self.gathered] if to_count is None else list(to_count)

    def get_page(self, number) -> Page:
        try:
            number = min(max(int(number), 1), LAST_PAGE_NUMBER)
        except (TypeError, ValueError):
            number = 1
        offset = (number - 1) * self.per_page
        limit = -(-(offset + self.per_page) // COUNT_LIMIT) * COUNT_LIMIT
        counted = 0
        for part in self.to_count:  # any limit + 1 rows; each part counted (a fixed number)
            counted += part.order_by()[: max(1, limit + 1 - counted)].count()
        self.more = counted > limit
        self.count = min(counted, limit)  # replaces the cached property
        if offset >= self.count > 0:  # past the end: show the last page
            number = self.num_pages
            offset = (number - 1) * self.per_page
        # Many matching rows: walking the ordering index finds a page of them at once. Few
        # (a source among a hundred, say): walking would test every row, so gather them
        # through their own indexes, as the count did, and sort them.
        rows_from = self.object_list if self.more else self.gathered
        rows = list(rows_from[offset : offset + self.per_page])
        # Paginator's hook that makes a page (overridable, so used); django-stubs omits it.
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The reading and annotating page: the text with every claim highlighted. The claims
    come from their own endpoint (``claims:api-document-claims``), which the page preloads:
    at 2,000 claims, building them took longer than the rest of the page, and the browser
    can lay out the text while they are made."""
    document = get_object_or_404(Document.objects.select_related("source", "imported_by"), pk=pk)
    context = {
        "document": document,
        "text_html": text_html(document.text),
        "annotate_config": {
            "documentId": document.pk,
            "claimsUrl": reverse("claims:api-document-claims", args=[document.pk]),
            "claimUrl": _url_template("claims:api-claim"),
            "claimLinksUrl": _url_template("claims:api-claim-links"),
            "claimEvidenceUrl": _url_template("claims:api-claim-evidence"),
            "linkUrl": _url_template("claims:api-link"),
            "linkEvidenceUrl": _url_template("claims:api-link-evidence"),
            "evidenceUrl": _url_template("claims:api-evidence"),
            "searchUrl": reverse("claims:api-claim-search"),
            # The page about a topic (an app registers it, claims.extensions; None when
            # none does), the topic's name in place of the id placeholder.
            "topicUrl": topic_url(str(ID_PLACEHOLDER)),
            "idPlaceholder": str(ID_PLACEHOLDER),
            "relations": Relation.choices,
            "bearings": Bearing.choices,
            # An older revision is read only: new claims go on the current text.
            "canAnnotate": can_annotate(request.user) and document.is_current,
            "topics": list(Topic.objects.values_list("name", flat=True)[:500]),
        },
        # What the feature apps add to the page (claims.extensions).
        "page_parts": document_page_parts(request, document),
    }
    return render(request, "claims/document_detail.html", context)


def _url_template(name: str) -> str:
    return reverse(name, args=[ID_PLACEHOLDER])


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    filterset = ClaimFilter(request.GET, queryset=Claim.objects.order_by("-created_at", "-pk"))
    page = page_by_ids(request, filterset, _claims_with_counts().filter)
    return render(request, "claims/claim_list.html", {"filter": filterset, "page": page})


def _count(queryset: QuerySet) -> Subquery:
    """The number of ``queryset``'s rows, as a subquery of each row of an outer query."""
    counted = queryset.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
    return Subquery(counted.values("n"), output_field=IntegerField())


def _claims_with_counts() -> QuerySet[Claim]:
    """Claims for the list, each with the number of its links and of the evidence on it:
    counted in the query that loads the page's claims, by an index probe per claim (the
    links' two pair indexes, the evidence's claim index), so the page makes no more
    queries for them however many claims or links there are."""
    return Claim.objects.listing().annotate(
        link_count=_count(ClaimLink.objects.filter(left=OuterRef("pk")))
        + _count(ClaimLink.objects.filter(right=OuterRef("pk"))),
        evidence_count=_count(Evidence.objects.filter(claim=OuterRef("pk"))),
    )


@require_GET
def link_list(request: HttpRequest) -> HttpResponse:
    """Every claim pair, for anyone signed in: filtered as the review queue is, searched,
    sorted (newest first unless asked otherwise); paged and counted as the claims list."""
    filterset = PairFilter(request.GET, queryset=ClaimLink.objects.order_by("-created_at", "-pk"))
    page = page_by_ids(request, filterset, _pair_rows().filter)
    return render(request, "claims/link_list.html", {"filter": filterset, "page": page})


def _pair_rows() -> QuerySet[ClaimLink]:
    """What a row of the pair browser shows, and nothing more (as ``queue_rows``): each
    side's statement, source and place in its document, the relation and its direction,
    the state and the proposer."""
    sides = [
        f"{side}__{name}"
        for side in ("left", "right")
        for name in ("public_id", "statement", "start", "end",
                     "document__title", "document__source__name")
    ]  # fmt: skip
    return ClaimLink.objects.select_related(
        "left__document__source", "right__document__source", "created_by"
    ).only(
        "public_id", "relation", "direction", "review_state", "created_at",
        "created_by__username", *sides,
    )  # fmt: skip


def page_by_ids(request: HttpRequest, filterset, load) -> Page:
    """The page of the filterset's rows that the request asks for, paged through ids alone
    (an index holds them; reading whole rows, SQLite took 400 ms to skip to page 100 of
    100,000 claims), then ``load(pk__in=ids)`` reads that page's objects with what they
    show."""
    ids = filterset.qs.values_list("pk", flat=True)
    gathered = filterset.qs_gathered().values_list("pk", flat=True)
    counted = [part.values_list("pk", flat=True) for part in filterset.qs_counted()]
    paginator = CappedPaginator(ids, PAGE_SIZE, gathered=gathered, to_count=counted)
    page = paginator.get_page(request.GET.get("page"))
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
    evidence = Evidence.objects.listing().attached_to(
        claims=[link.left_id, link.right_id], links=[link]
    )
    by_target: dict[str | int, list[Evidence]] = {"link": [], link.left_id: [], link.right_id: []}
    for item in evidence:
        by_target["link" if item.link_id else item.claim_id].append(item)
    # As "first <relation> second" reads: the qualifying claim first when that is known.
    sides = [
        _in_context(claim) | {"evidence": by_target[claim.pk], "role": _side_role(link, claim)}
        for claim in link.in_reading_order()
    ]
    reviews = list(link.reviews.select_related("reviewer").order_by("-created_at", "-pk"))
    current = [review for review in reviews if review.is_current]
    tally = Counter(review.get_verdict_display() for review in current)
    # Asked by a subquery, so the page runs the same queries with or without earlier ones.
    withdrawn = withdrawn_ids(link.reviews.filter(is_current=False).values("pk"))
    earlier = [review for review in reviews if not review.is_current]
    for review in earlier:
        review.withdrawn = review.pk in withdrawn
    return {
        "link": link,
        "sides": sides,
        "link_evidence": by_target["link"],
        "current_reviews": current,
        "earlier_reviews": earlier,
        "tally": sorted(tally.items()),
    }


def _side_role(link: ClaimLink, claim: Claim) -> str:
    """What a claim of a qualifies link with a known direction does in it; else ""."""
    qualifier = link.qualifier
    if qualifier is None:
        return ""
    return SIDE_QUALIFIES if qualifier.pk == claim.pk else SIDE_QUALIFIED


SIDE_QUALIFIES = "Qualifies (narrows) the other claim"
SIDE_QUALIFIED = "Qualified (narrowed) by the other claim"
DIRECTION_RECORDED = "Direction recorded: {first} qualifies {second}"


def _get_link(public_id) -> ClaimLink:
    return get_object_or_404(ClaimLink.objects.with_sides(texts=True), public_id=public_id)


def _queue_for(request: HttpRequest) -> ReviewQueueFilter:
    return ReviewQueueFilter(request.GET, queryset=review_queue(request.user))


@require_GET
def link_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The claim pair page; for a reviewer in the queue, with verdicts and queue steps."""
    link = _get_link(public_id)
    context = _pair_context(link)
    context["can_review"] = can_review_link(request.user, link)
    context["can_set_direction"] = not link.is_symmetric and can_change(request.user, link)
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
def link_direction(request: HttpRequest, public_id) -> HttpResponse:
    """Record which claim of a qualifies link narrows the other (its author or an editor),
    then back to the claim pair page."""
    link = _get_link(public_id)
    try:
        link_update(
            link=link, relation=link.relation, rationale=link.rationale,
            version=_version(request.POST.get("version")),
            qualifier=request.POST.get("qualifier") or "", user=request.user,
        )  # fmt: skip
    except ClaimPermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except ClaimError as error:
        messages.error(request, str(error))
    else:
        first, second = (f"“{shorten(claim.statement, 80)}”" for claim in link.in_reading_order())
        messages.success(request, DIRECTION_RECORDED.format(first=first, second=second))
    return redirect(_with_query(link.get_absolute_url(), request.GET))


def _version(value: str | None) -> object:
    """A form's version field as the services take it: a whole number, else as given."""
    return int(value) if value and value.isdigit() else value


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
    messages.success(request, f"Recorded: {review.get_verdict_display()}.", extra_tags=UNDO_TAG)
    # The message's Undo button (base.html) posts here.
    withdraw = reverse("claims:review-withdraw", args=[review.public_id])
    request.session[UNDO_SESSION_KEY] = _with_query(withdraw, request.GET)
    _, following = queue_neighbours(_queue_for(request).qs, link)
    if following is None:
        return redirect(_with_query(reverse("claims:review-queue"), request.GET))
    return redirect(_with_query(following.get_absolute_url(), request.GET))


def _with_query(url: str, query) -> str:
    return f"{url}?{query.urlencode()}" if query else url


# A "Recorded" message carries this tag, and the session the address of its Undo button.
UNDO_TAG = "undo"
UNDO_SESSION_KEY = "review_undo_url"


@require_POST
def review_withdraw_view(request: HttpRequest, public_id) -> HttpResponse:
    """Withdraw one's verdict (the Undo of the "Recorded" message, or the key u) and go
    back to its pair, in the queue when it was given there."""
    review = get_object_or_404(Review.objects.select_related("link"), public_id=public_id)
    try:
        restored = review_withdraw(review=review, user=request.user)
    except ClaimPermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    except ClaimError as error:
        messages.error(request, str(error))
    else:
        request.session.pop(UNDO_SESSION_KEY, None)
        withdrawn = f"Withdrawn: your verdict “{review.get_verdict_display()}”."
        if restored is not None:
            withdrawn += f" Your earlier verdict, “{restored.get_verdict_display()}”, counts again."
        messages.success(request, withdrawn)
    return redirect(_with_query(review.link.get_absolute_url(), request.GET))


@require_GET
def my_verdicts(request: HttpRequest) -> HttpResponse:
    """The pairs the reviewer has a current verdict on, newest verdict first, filterable,
    each linking to its pair to revisit (and change the verdict)."""
    if not can_review(request.user):
        raise PermissionDenied(ERROR_NOT_REVIEWER)
    mine = Review.objects.current().filter(reviewer=request.user).order_by("-created_at", "-pk")
    filterset = MyVerdictFilter(request.GET, queryset=mine)
    rows = Review.objects.select_related(
        "link__left__document__source", "link__right__document__source"
    ).defer("link__left__document__text", "link__right__document__text")
    page = page_by_ids(request, filterset, rows.filter)
    return render(request, "claims/my_verdicts.html", {"filter": filterset, "page": page})


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
    """Choose a dataset and its filters; the form downloads from ``export_download`` or
    prepares a file as a job (``export_prepare``), whose progress ``?job=`` shows here."""
    forms = [(dataset, _export_form(dataset, None)) for dataset in DATASETS.values()]
    job = Job.objects.visible_to(request.user).filter(
        public_id__in=_uuids(request.GET.getlist("job"))
    ).select_related("requested_by").first()  # fmt: skip
    formats = export_formats().values()  # registered by the apps above (claims.exports)
    return render(request, "claims/export.html", {"forms": forms, "job": job, "formats": formats})


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


def _export_form(dataset, data):
    filterset = filtered(dataset, data)
    filterset.form.auto_id = f"id_{dataset.name}_%s"  # three forms on one page
    return filterset


@require_GET
def export_download(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
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


@require_POST
def export_prepare(request: HttpRequest) -> HttpResponse:
    """The same CSV as ``export_download``, written by a job to a file to download later
    (for exports too large to wait for); back to the Export page, which follows it."""
    dataset = DATASETS.get(request.POST.get("dataset", ""))
    if dataset is None:
        raise Http404("No such dataset.")
    filterset = filtered(dataset, request.POST)
    if not filterset.is_valid():
        forms = [
            (other, _export_form(other, request.POST if other is dataset else None))
            for other in DATASETS.values()
        ]
        return render(request, "claims/export.html", {"forms": forms}, status=400)
    ignored = {"csrfmiddlewaretoken", "dataset", "excel"}
    filters = {key: request.POST.getlist(key) for key in request.POST if key not in ignored}
    job = job_start(
        task=export_dataset, user=request.user, label=f"{dataset.label} as CSV",
        request_id=getattr(request, "request_id", ""), dataset=dataset.name,
        filters=filters,
        excel=request.POST.get("excel") == "1",
    )  # fmt: skip
    return redirect(f"{reverse('claims:export')}?job={job.public_id}")
