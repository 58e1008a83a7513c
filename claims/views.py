from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claims.filters import ClaimFilter
from claims.models import Claim

PAGE_SIZE = 50


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    filterset = ClaimFilter(
        request.GET, queryset=Claim.objects.listing().order_by("-created_at", "-pk")
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "claims/claim_list.html", {"filter": filterset, "page": page})
