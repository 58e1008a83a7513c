from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_list, name="list"),
    path("jobs/<uuid:public_id>/", views.job_detail, name="detail"),
    path("jobs/<uuid:public_id>/cancel/", views.job_cancel_view, name="cancel"),
    path("jobs/<uuid:public_id>/download/", views.job_download, name="download"),
    path("api/jobs/<uuid:public_id>/", views.job_api, name="api-job"),
]
