from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Comments on claim pairs and each person's inbox: an app above ``claims``, which it
    reads and never changes. Verdicts reach the inbox through ``claims.signals``; the
    confirmation of a pair's delete counts its comments, and restoring the pair brings back
    those deleted with it, through ``claims.extensions``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "discussion"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from claims.extensions import register_link_dependents
        from claims.signals import link_state_changed
        from discussion.deletion import COMMENTS
        from discussion.models import Comment
        from discussion.receivers import comment_pre_delete_mark, link_state_changed_notify

        link_state_changed.connect(
            link_state_changed_notify, dispatch_uid="discussion_link_state_changed"
        )
        # Deleting a pair deletes its comments: the delete's confirmation counts them, their
        # deletion records say they went with the pair, and restoring it brings them back.
        register_link_dependents(COMMENTS)
        pre_delete.connect(
            comment_pre_delete_mark, sender=Comment, dispatch_uid="discussion_comment_pre_delete"
        )
