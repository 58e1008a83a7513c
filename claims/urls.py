from django.urls import path

from claims import api, views
from crosscheck.api import endpoint_urls

app_name = "claims"

urlpatterns = [
    # The annotation page, at the document's address under /corpus/ (Document.get_absolute_url).
    path("corpus/documents/<int:pk>/", views.document_detail, name="document"),
    path("claims/", views.claim_list, name="list"),
    path("links/", views.link_list, name="links"),
    path("links/<uuid:public_id>/", views.link_detail, name="link"),
    path("links/<uuid:public_id>/review/", views.link_review, name="link-review"),
    path("links/<uuid:public_id>/direction/", views.link_direction, name="link-direction"),
    path("review/", views.review_queue_page, name="review-queue"),
    path("review/mine/", views.my_verdicts, name="my-verdicts"),
    path("reviews/<uuid:public_id>/withdraw/", views.review_withdraw_view, name="review-withdraw"),
    path("export/", views.export_page, name="export"),
    path("export/download/", views.export_download, name="export-download"),
    path("export/prepare/", views.export_prepare, name="export-prepare"),
    path("review/dashboard/", views.review_dashboard, name="review-dashboard"),
    # The JSON endpoints (api-document-claims, api-claim, api-claim-search, …): their
    # paths, methods and names are declared on claims.api.router.
    *endpoint_urls(api.router),
]
