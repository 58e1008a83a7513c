from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from claims.filters import ClaimFilter
from claims.models import Claim, ClaimLink, Evidence

PAGE_SIZE = 50


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    filterset = ClaimFilter(
        request.GET, queryset=Claim.objects.listing().order_by("-created_at", "-pk")
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "claims/claim_list.html", {"filter": filterset, "page": page})


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


@require_GET
def link_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The claim pair page: both claims in context, side by side, with all evidence."""
    link = get_object_or_404(
        ClaimLink.objects.select_related(
            "left__document__source", "right__document__source", "left__created_by",
            "right__created_by", "created_by",
        ),
        public_id=public_id,
    )  # fmt: skip
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
    context = {"link": link, "sides": sides, "link_evidence": by_target["link"]}
    return render(request, "claims/link_detail.html", context)
