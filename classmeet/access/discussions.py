"""Discussions live in a course: its staff and enrolled students read and post in them.

The course's staff (teacher and assistants) moderate (pin, lock, delete any post, mark the answer). Authors edit and delete
their own posts.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from classmeet.access.courses import (
    can_manage_course,
    can_view_course,
    remember_viewer,
    with_viewer,
)
from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.courses.models import Course
from classmeet.discussions.models import Comment, Discussion


def _discussion_of(post: Discussion | Comment) -> Discussion:
    return post.discussion if isinstance(post, Comment) else post


def can_view_discussion(*, user: AnyUser, discussion: Discussion) -> bool:
    return can_view_course(user=user, course=discussion.course)


def can_start_discussion(*, user: AnyUser, course: Course) -> bool:
    return can_view_course(user=user, course=course)


def can_moderate_discussion(*, user: AnyUser, discussion: Discussion) -> bool:
    """Pin, lock, delete any post, mark an answer: the course's staff."""
    return can_manage_course(user=user, course=discussion.course)


def can_comment(*, user: AnyUser, discussion: Discussion) -> bool:
    """Members comment until the discussion is locked or deleted; its teacher may still answer."""
    if discussion.deleted_at is not None or not can_view_discussion(
        user=user, discussion=discussion
    ):
        return False
    return not discussion.is_locked or can_moderate_discussion(user=user, discussion=discussion)


def can_upvote(*, user: AnyUser, discussion: Discussion) -> bool:
    return discussion.deleted_at is None and can_view_discussion(user=user, discussion=discussion)


def post_actions(
    *, user: AnyUser, post: Discussion | Comment, member: bool, moderator: bool
) -> tuple[bool, bool]:
    """Return (may edit, may delete) for a post, given whether the user is a member of its course
    and its moderator. Lets a page decide for many posts without a query per post."""
    if not member or post.deleted_at is not None or not is_authenticated(user):
        return False, False
    own = post.author_id is not None and post.author_id == user.pk
    return own, own or moderator


def can_edit_post(*, user: AnyUser, post: Discussion | Comment) -> bool:
    """Only the author edits their own post, while it is not deleted and they are in the course."""
    discussion = _discussion_of(post)
    member = can_view_discussion(user=user, discussion=discussion)
    return post_actions(user=user, post=post, member=member, moderator=False)[0]


def can_delete_post(*, user: AnyUser, post: Discussion | Comment) -> bool:
    """The author deletes their own post; the course's staff delete any post in the course."""
    discussion = _discussion_of(post)
    member = can_view_discussion(user=user, discussion=discussion)
    moderator = can_moderate_discussion(user=user, discussion=discussion)
    return post_actions(user=user, post=post, member=member, moderator=moderator)[1]


def access_discussion(*, user: AnyUser, discussion_id: int) -> Discussion:
    """Return the discussion, or raise Http404 if it is missing or hidden from the user."""
    discussions = Discussion.objects.select_related("course", "course__teacher", "author")
    discussion = with_viewer(
        discussions.filter(pk=discussion_id), user=user, course_field="course_id"
    ).first()
    if discussion is not None:
        remember_viewer(row=discussion, course=discussion.course, user=user)
    if discussion is None or not can_view_discussion(user=user, discussion=discussion):
        raise Http404
    return discussion


def access_discussion_for_moderation(*, user: AnyUser, discussion_id: int) -> Discussion:
    """Return the discussion for its course's staff; 404 to outsiders, 403 to students."""
    discussion = access_discussion(user=user, discussion_id=discussion_id)
    if not can_moderate_discussion(user=user, discussion=discussion):
        raise PermissionDenied
    return discussion


def access_comment(*, user: AnyUser, comment_id: int) -> Comment:
    """Return the comment, or raise Http404 if it is missing or its course is hidden from the user."""
    comments = Comment.objects.select_related(
        "discussion", "discussion__course", "discussion__course__teacher", "author"
    ).filter(pk=comment_id)
    comment = with_viewer(comments, user=user, course_field="discussion__course_id").first()
    if comment is not None:
        remember_viewer(row=comment, course=comment.discussion.course, user=user)
    if comment is None or not can_view_discussion(user=user, discussion=comment.discussion):
        raise Http404
    return comment
