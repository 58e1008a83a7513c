from django.urls import path

from claims import api, views

app_name = "claims"

urlpatterns = [
    path("claims/", views.claim_list, name="list"),
    path(
        "api/documents/<int:document_id>/claims/", api.document_claims, name="api-document-claims"
    ),
    path("links/<uuid:public_id>/", views.link_detail, name="link"),
    path("links/<uuid:public_id>/review/", views.link_review, name="link-review"),
    path("review/", views.review_queue_page, name="review-queue"),
    path("export/", views.export_page, name="export"),
    path("export/download/", views.export_download, name="export-download"),
    path("review/dashboard/", views.review_dashboard, name="review-dashboard"),
    path("api/claims/search/", api.claim_search, name="api-claim-search"),
    path("api/claims/<uuid:public_id>/", api.claim_detail, name="api-claim"),
    path("api/claims/<uuid:public_id>/links/", api.claim_links, name="api-claim-links"),
    path("api/claims/<uuid:public_id>/evidence/", api.claim_evidence, name="api-claim-evidence"),
    path("api/links/<uuid:public_id>/", api.link_detail, name="api-link"),
    path("api/links/<uuid:public_id>/evidence/", api.link_evidence, name="api-link-evidence"),
    path("api/evidence/<uuid:public_id>/", api.evidence_detail, name="api-evidence"),
]
