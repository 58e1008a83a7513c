from django.urls import path

from claims import api, revision_views, views
from crosscheck.api import endpoint_urls

app_name = "claims"

urlpatterns = [
    # The annotation page, at the document's address under /corpus/ (Document.get_absolute_url).
    path("corpus/documents/<int:pk>/", views.document_detail, name="document"),
    # Revisions: a corrected text, its re-anchoring and history; the orphan queue.
    path(
        "corpus/documents/<int:pk>/revise/", revision_views.document_revise, name="document-revise"
    ),
    path(
        "corpus/documents/<int:pk>/revisions/",
        revision_views.document_revisions,
        name="document-revisions",
    ),
    path("corpus/documents/<int:pk>/orphans/", revision_views.orphan_list, name="document-orphans"),
    path("orphans/", revision_views.orphan_list, name="orphans"),
    path("orphans/<uuid:public_id>/", revision_views.orphan_detail, name="orphan"),
    path(
        "orphans/<uuid:public_id>/accept/", revision_views.orphan_accept_view, name="orphan-accept"
    ),
    path("orphans/<uuid:public_id>/place/", revision_views.orphan_place_view, name="orphan-place"),
    path("orphans/<uuid:public_id>/keep/", revision_views.orphan_keep_view, name="orphan-keep"),
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
