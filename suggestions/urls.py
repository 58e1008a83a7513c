from django.urls import path

from crosscheck.api import endpoint_urls
from suggestions import api, views

app_name = "suggestions"

urlpatterns = [
    path("suggestions/", views.queue_page, name="queue"),
    path("suggestions/refresh/", views.refresh, name="refresh"),
    path("suggestions/index/", views.index, name="index"),
    path(
        "suggestions/claims/<uuid:public_id>/counterpart/", views.counterpart, name="counterpart"
    ),  # fmt: skip
    path("suggestions/claims/<uuid:public_id>/dismiss/", views.dismiss, name="dismiss"),
    # The JSON endpoints (api-document-suggestions, api-claim-suggestions, …): their paths,
    # methods and names are declared on suggestions.api.router.
    *endpoint_urls(api.router),
]
