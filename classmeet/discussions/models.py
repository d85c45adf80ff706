"""Course discussions: a thread per topic, comments one level deep, and upvotes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classmeet.core.links import id_url


class Discussion(models.Model):
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="discussions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="discussions"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), help_text=_("Markdown."))
    # The sanitized HTML of `body`, rendered once when the body is saved.
    body_html = models.TextField(blank=True, editable=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-is_pinned", "-last_activity_at", "-id")
        indexes = [models.Index(fields=("course", "-last_activity_at"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return id_url("discussions:discussion-detail", "discussion_id", self.pk)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Comment(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One level of threading: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(_("comment"), help_text=_("Markdown."))
    body_html = models.TextField(blank=True, editable=False)
    is_answer = models.BooleanField(_("answer"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=("discussion", "created_at"))]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.discussion_id}"

    def get_absolute_url(self) -> str:
        url = id_url("discussions:discussion-detail", "discussion_id", self.discussion_id)
        return f"{url}#comment-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Vote(models.Model):
    """One person's upvote of a discussion or a comment.

    Un-voting keeps the row (is_active=False) so that voting again does not notify the author twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    discussion = models.ForeignKey(
        Discussion, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(discussion__isnull=False, comment__isnull=True)
                    | models.Q(discussion__isnull=True, comment__isnull=False)
                ),
                name="vote_has_one_target",
            ),
            models.UniqueConstraint(
                fields=("user", "discussion"),
                condition=models.Q(discussion__isnull=False),
                name="unique_discussion_vote",
            ),
            models.UniqueConstraint(
                fields=("user", "comment"),
                condition=models.Q(comment__isnull=False),
                name="unique_comment_vote",
            ),
        ]

    def __str__(self) -> str:
        target = (
            f"discussion {self.discussion_id}"
            if self.discussion_id
            else f"comment {self.comment_id}"
        )
        return f"{self.user_id} upvotes {target}"
