from django.urls import path

from interchange import import_views, views

app_name = "interchange"

urlpatterns: list = [
    # Export: the Web Annotation Protocol's read-only containers and annotations, the
    # Crosscheck JSON-LD context and vocabulary, the corpus as one file (interchange.views).
    path("annotations/", views.container_view, name="container"),
    path(
        "documents/<int:pk>/annotations/", views.document_container_view, name="document-container"
    ),  # fmt: skip
    path("annotations/claims/<uuid:public_id>", views.claim_view, name="claim"),
    path("annotations/links/<uuid:public_id>", views.link_view, name="link"),
    path("annotations/evidence/<uuid:public_id>", views.evidence_view, name="evidence"),
    path("annotations/download/", views.download_view, name="download"),
    path("annotations/prepare/", views.prepare_view, name="prepare"),
    path("ns/crosscheck.jsonld", views.context_view, name="context"),
    path("ns/crosscheck", views.vocabulary_view, name="vocabulary"),
    # Import of an annotation file onto a document: upload, preview, confirm.
    path(
        "corpus/documents/<int:pk>/annotations/import/",
        import_views.import_start,
        name="import",
    ),
    path(
        "corpus/documents/<int:pk>/annotations/import/<uuid:public_id>/",
        import_views.import_preview,
        name="import-preview",
    ),
    path(
        "corpus/documents/<int:pk>/annotations/import/<uuid:public_id>/confirm/",
        import_views.import_confirm,
        name="import-confirm",
    ),
]
