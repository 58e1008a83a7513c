from django.urls import path

from discussion import views

app_name = "discussion"

urlpatterns = [
    path("links/<uuid:public_id>/comments/", views.comment_post_view, name="comment-post"),
    path("comments/<uuid:public_id>/edit/", views.comment_edit_view, name="comment-edit"),
    path("comments/<uuid:public_id>/delete/", views.comment_delete_view, name="comment-delete"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox-read-all"),
    path("inbox/<uuid:public_id>/read/", views.inbox_read, name="inbox-read"),
]
