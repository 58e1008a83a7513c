import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from claims.models import ClaimLink

COMMENT_MAX_LENGTH = 4000


class CommentQuerySet(models.QuerySet):
    def thread(self, link: ClaimLink) -> "CommentQuerySet":
        """A pair's comments, oldest first, with their authors: one query."""
        return self.filter(link=link).select_related("created_by").order_by("created_at", "pk")


class Comment(models.Model):
    """A comment in the discussion of a claim pair. Only ``discussion.services`` writes
    comments; every change is kept in the history (django-simple-history)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    link = models.ForeignKey(ClaimLink, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every edit; an edit based on an older one is refused."
    )

    objects = CommentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="comment_text_not_empty"),
        ]
        indexes = [
            # A pair's thread is read oldest first; the queue counts comments per pair.
            models.Index(fields=["link", "created_at"], name="comment_link_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return f"{self.link.get_absolute_url()}#comment-{self.public_id}"

    @property
    def edited(self) -> bool:
        return self.version > 1


class InboxKind(models.TextChoices):
    NEEDS_EVIDENCE = "needs_evidence", "your pair needs evidence"
    REJECTED = "rejected", "your pair was rejected"
    DISPUTED = "disputed", "reviewers disagree on your pair"
    COMMENT = "comment", "new comment"
    MENTION = "mention", "you were mentioned"


# The kinds an inbox item of a comment has; the others are about a pair's review state.
COMMENT_KINDS = (InboxKind.COMMENT, InboxKind.MENTION)


class InboxItemQuerySet(models.QuerySet):
    def unread_for(self, user) -> "InboxItemQuerySet":
        """The user's unread items: counted from the index ``inbox_unread_idx`` alone."""
        return self.filter(recipient=user.pk, read_at__isnull=True)

    def listing(self) -> "InboxItemQuerySet":
        """Items with what the inbox shows of each: the pair's two claims, who acted and
        the comment. One query when evaluated."""
        return self.select_related("link__left", "link__right", "actor", "comment").only(
            "public_id", "kind", "created_at", "read_at", "recipient_id",
            "link__public_id", "link__relation", "link__review_state",
            "link__left__statement", "link__right__statement",
            "actor__username", "comment__public_id", "comment__text",
        )  # fmt: skip


class InboxItem(models.Model):
    """Something one person should see: a pair they proposed needs evidence, was rejected or
    disputed; a new comment on a pair they proposed, reviewed or commented on; a comment
    mentioning them. Written by ``discussion.services`` as the change happens (one row per
    recipient), so that counting someone's unread items is one index lookup."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items"
    )
    kind = models.CharField(max_length=20, choices=InboxKind.choices)
    link = models.ForeignKey(ClaimLink, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="inbox_items"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = InboxItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "inbox item"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=InboxKind.values), name="inbox_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=COMMENT_KINDS, comment__isnull=False)
                | (~models.Q(kind__in=COMMENT_KINDS) & models.Q(comment__isnull=True)),
                name="inbox_comment_kinds_have_comment",
            ),
        ]
        indexes = [
            # The navigation counts the unread items of the signed-in person on every page.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="inbox_unread_idx",
            ),
            # The inbox lists a person's items newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="inbox_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on link {self.link_id}"
