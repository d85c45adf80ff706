"""Write discussions, comments and votes; each event notifies the right course members."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classmeet.accounts.models import User
from classmeet.courses.models import Course
from classmeet.notifications.models import Notification
from classmeet.notifications.selectors import course_member_ids
from classmeet.notifications.services import notifications_create

from .models import Comment, Discussion, Vote
from .rendering import markdown_to_text, render_markdown
from .selectors import discussion_participant_ids


def _excerpt(text: str, length: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


@transaction.atomic
def discussion_create(*, course: Course, author: User, title: str, body: str) -> Discussion:
    """Start a discussion and notify the course's members except the author."""
    now = timezone.now()
    discussion = Discussion(
        course=course,
        author=author,
        title=title.strip(),
        body=body,
        body_html=render_markdown(body),
        created_at=now,
        last_activity_at=now,
    )
    discussion.full_clean()
    discussion.save()
    notifications_create(
        recipient_ids=course_member_ids(course=course),
        kind=Notification.Kind.DISCUSSION_CREATED,
        title=lambda: (
            _('%(name)s started a new discussion: "%(title)s"')
            % {"name": author.display_name, "title": discussion.title}
        ),
        body=_excerpt(markdown_to_text(body)),
        url=discussion.get_absolute_url(),
        actor=author,
        course=course,
    )
    return discussion


@transaction.atomic
def discussion_update(*, discussion: Discussion, title: str, body: str) -> Discussion:
    discussion.title = title.strip()
    discussion.body = body
    discussion.body_html = render_markdown(body)
    discussion.edited_at = timezone.now()
    discussion.full_clean()
    discussion.save(update_fields=["title", "body", "body_html", "edited_at"])
    return discussion


@transaction.atomic
def post_delete(*, post: Discussion | Comment, by: User) -> Discussion | Comment:
    """Soft-delete a discussion or a comment: its place in the thread (title, replies, comments)
    stays readable, its text is gone. A deleted discussion takes no new comments; a deleted
    comment is no longer pinned/the answer."""
    post.deleted_at = timezone.now()
    post.deleted_by = by
    post.body = ""
    post.body_html = ""
    demoted = "is_pinned" if isinstance(post, Discussion) else "is_answer"
    setattr(post, demoted, False)
    post.save(update_fields=["deleted_at", "deleted_by", "body", "body_html", demoted])
    return post


@transaction.atomic
def discussion_set_pinned(*, discussion: Discussion, pinned: bool) -> Discussion:
    discussion.is_pinned = pinned
    discussion.save(update_fields=["is_pinned"])
    return discussion


@transaction.atomic
def discussion_set_locked(*, discussion: Discussion, locked: bool) -> Discussion:
    discussion.is_locked = locked
    discussion.save(update_fields=["is_locked"])
    return discussion


@transaction.atomic
def comment_create(
    *, discussion: Discussion, author: User, body: str, parent: Comment | None = None
) -> Comment:
    """Comment (or reply to a top-level comment) and notify the discussion's participants.

    Replying to a reply attaches to that reply's parent: threads stay one level deep.
    """
    if parent is not None:
        if parent.discussion_id != discussion.pk:
            raise ValueError("The parent comment belongs to another discussion.")
        if parent.parent_id is not None:
            parent = parent.parent
    recipients = discussion_participant_ids(discussion=discussion)
    now = timezone.now()
    comment = Comment(
        discussion=discussion,
        author=author,
        parent=parent,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
    )
    comment.full_clean()
    comment.save()
    Discussion.objects.filter(pk=discussion.pk).update(last_activity_at=now)
    notifications_create(
        recipient_ids=recipients,
        kind=Notification.Kind.COMMENT_CREATED,
        title=lambda: (
            _('%(name)s commented on "%(title)s"')
            % {"name": author.display_name, "title": discussion.title}
        ),
        body=_excerpt(markdown_to_text(body)),
        url=comment.get_absolute_url(),
        actor=author,
        course=discussion.course,
    )
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, body: str) -> Comment:
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited_at = timezone.now()
    comment.full_clean()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


@transaction.atomic
def comment_set_answer(*, comment: Comment, is_answer: bool) -> Comment:
    """Mark (or unmark) the comment as the discussion's answer; there is at most one answer."""
    if is_answer:
        Comment.objects.filter(discussion_id=comment.discussion_id, is_answer=True).exclude(
            pk=comment.pk
        ).update(is_answer=False)
    comment.is_answer = is_answer
    comment.save(update_fields=["is_answer"])
    return comment


@transaction.atomic
def vote_toggle(
    *, user: User, discussion: Discussion | None = None, comment: Comment | None = None
) -> bool:
    """Upvote or take back an upvote; return whether the user now upvotes the post.

    The author is notified the first time each person upvotes, never again after an un-vote.
    """
    if (discussion is None) == (comment is None):
        raise ValueError("Upvote exactly one discussion or comment.")
    target: dict[str, Discussion | Comment | None] = (
        {"discussion": discussion} if discussion is not None else {"comment": comment}
    )
    vote = Vote.objects.select_for_update().filter(user=user, **target).first()
    if vote is not None:
        vote.is_active = not vote.is_active
        vote.save(update_fields=["is_active"])
        return vote.is_active
    try:
        with transaction.atomic():
            Vote.objects.create(user=user, **target)
    except IntegrityError:
        # A concurrent first vote from the same user (double click): that one won.
        return True
    post: Discussion | Comment = discussion if discussion is not None else comment  # type: ignore[assignment]
    thread = discussion if discussion is not None else comment.discussion  # type: ignore[union-attr]
    if post.author_id is not None:
        of_discussion = discussion is not None
        notifications_create(
            recipient_ids=[post.author_id],
            kind=Notification.Kind.UPVOTE,
            title=lambda: (
                _('%(name)s upvoted %(what)s in "%(title)s"')
                % {
                    "name": user.display_name,
                    "what": _("your discussion") if of_discussion else _("your comment"),
                    "title": thread.title,
                }
            ),
            url=post.get_absolute_url(),
            actor=user,
            course=thread.course,
        )
    return True
