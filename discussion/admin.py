"""The editors' admin of comments: a read-only list with the history of each. Comments
are written, edited and deleted on the claim pair page (``discussion.services``)."""

from django.contrib import admin

from claims.admin import link_summary, one_line
from crosscheck.admin import ViewOnlyAdmin
from crosscheck.history_admin import ReadOnlyHistoryAdmin
from discussion.models import Comment


@admin.register(Comment)
class CommentAdmin(ViewOnlyAdmin, ReadOnlyHistoryAdmin):
    list_display = ("text_short", "link_display", "created_by", "created_at", "version")
    list_filter = (("created_by", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("text", "created_by__username")
    list_select_related = ("link__left", "link__right", "created_by")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    fields = ("link", "link_display", "created_by", "text", "version", "created_at",
              "updated_at")  # fmt: skip
    readonly_fields = fields

    @admin.display(description="pair")
    def link_display(self, obj: Comment) -> str:
        return link_summary(obj.link)

    @admin.display(description="text", ordering="text")
    def text_short(self, obj: Comment) -> str:
        return one_line(obj.text)
