"""Receivers of the hooks of the apps below notifications (connected in NotificationsConfig)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from classmeet.accounts.models import User
from classmeet.courses.models import CourseAssistant, Enrollment
from classmeet.notifications.models import Notification
from classmeet.notifications.services import notifications_create


def enrollment_created_notify(
    sender: type[Enrollment], *, enrollment: Enrollment, added_by: User | None, **kwargs: Any
) -> None:
    """Tell the student a teacher added them to the course (joining by code tells nobody)."""
    if added_by is None:
        return
    course = enrollment.course
    notifications_create(
        recipient_ids=[enrollment.student_id],
        kind=Notification.Kind.ENROLLED,
        title=lambda: _("You were added to %(course)s") % {"course": course.title},
        url=reverse("courses:course-detail", kwargs={"course_id": course.pk}),
        actor=added_by,
        course=course,
    )


def assistant_added_notify(
    sender: type[CourseAssistant],
    *,
    assistant: CourseAssistant,
    added_by: User | None,
    **kwargs: Any,
) -> None:
    """Tell the new assistant which course they now help teach."""
    course = assistant.course
    notifications_create(
        recipient_ids=[assistant.user_id],
        kind=Notification.Kind.ASSISTANT_ADDED,
        title=lambda: _("You were added as an assistant of %(course)s") % {"course": course.title},
        url=reverse("courses:course-detail", kwargs={"course_id": course.pk}),
        actor=added_by,
        course=course,
    )
