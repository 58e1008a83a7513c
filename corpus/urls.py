from django.urls import path

from corpus import views

app_name = "corpus"

urlpatterns = [
    path("", views.document_list, name="documents"),
    path("sources/", views.source_list, name="sources"),
    path("documents/upload/", views.document_upload, name="upload"),
]
