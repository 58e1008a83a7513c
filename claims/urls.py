from django.urls import path

from claims import api, views

app_name = "claims"

urlpatterns = [
    path("claims/", views.claim_list, name="list"),
    path(
        "api/documents/<int:document_id>/claims/", api.document_claims, name="api-document-claims"
    ),
    path("api/claims/<uuid:public_id>/", api.claim_detail, name="api-claim"),
]
