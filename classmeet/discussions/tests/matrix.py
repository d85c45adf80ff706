"""URL factories for the discussions and notifications rows of tests/test_authorization_matrix.py.

Each takes the matrix's World (a course taught by `owner`, assisted by `assistant` — who moderates
like the owner —, `student` enrolled) and creates, once
per test, a discussion and a comment written by the student, and a notification for the student.
"""

from typing import Any

from django.urls import reverse

from classmeet.discussions.models import Comment, Discussion
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.notifications.models import Notification


def discussion(w: Any) -> Discussion:
    if "discussion" not in w.extra:
        w.extra["discussion"] = DiscussionFactory.create(course=w.course, author=w.student)
    found: Discussion = w.extra["discussion"]
    return found


def comment(w: Any) -> Comment:
    if "comment" not in w.extra:
        w.extra["comment"] = CommentFactory.create(discussion=discussion(w), author=w.student)
    found: Comment = w.extra["comment"]
    return found


def discussion_url(name: str) -> Any:
    return lambda w: reverse(f"discussions:{name}", kwargs={"discussion_id": discussion(w).pk})


def comment_url(name: str) -> Any:
    return lambda w: reverse(f"discussions:{name}", kwargs={"comment_id": comment(w).pk})


def create_url(w: Any) -> str:
    return reverse("discussions:discussion-create", kwargs={"course_id": w.course.pk})


def course_list_url(w: Any) -> str:
    return reverse("discussions:discussion-list") + f"?course={w.course.pk}"


def notification_read_url(w: Any) -> str:
    notification = Notification.objects.create(
        recipient=w.student, kind=Notification.Kind.UPVOTE, title="Upvoted", url="/discussions/"
    )
    return reverse("notifications:notification-read", kwargs={"notification_id": notification.pk})
