"""Writes of courses, enrollments and materials. Callers have already checked access."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from classmeet.accounts.models import User
from classmeet.courses.models import (
    Course,
    CourseAssistant,
    Enrollment,
    Material,
    new_invite_token,
    new_join_code,
)
from classmeet.courses.signals import (
    assistant_added,
    assistant_removed,
    course_deleting,
    enrollment_created,
    enrollment_removed,
)
from classmeet.courses.uploads import Kind

logger = logging.getLogger(__name__)


def files_delete_on_commit(files: list[tuple[Storage, str]]) -> None:
    """Remove stored files once the rows that point at them are gone for good."""

    def delete() -> None:
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("could not delete stored file %s", name)

    if files:
        transaction.on_commit(delete)


# Courses ------------------------------------------------------------------------------------


@transaction.atomic
def course_create(
    *, teacher: User, title: str, description: str = "", thumbnail: File[bytes] | None = None
) -> Course:
    course = Course(teacher=teacher, title=title, description=description)
    if thumbnail is not None:
        course.thumbnail = thumbnail
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def course_update(
    *,
    course: Course,
    title: str,
    description: str,
    thumbnail: File[bytes] | None = None,
    clear_thumbnail: bool = False,
) -> Course:
    old = course.thumbnail.name if course.thumbnail else ""
    course.title = title
    course.description = description
    if thumbnail is not None:
        course.thumbnail = thumbnail
    elif clear_thumbnail:
        course.thumbnail = ""
    course.full_clean()
    course.save(update_fields=["title", "description", "thumbnail", "updated_at"])
    if old and old != course.thumbnail.name:
        files_delete_on_commit([(course.thumbnail.storage, old)])
    return course


@transaction.atomic
def course_delete(*, course: Course) -> None:
    """Delete the course with its enrollments, materials and meetings, then their files (and
    those the apps above keep for it: `course_deleting`)."""
    files = [(m.file.storage, m.file.name) for m in course.materials.all() if m.file]
    if course.thumbnail:
        files.append((course.thumbnail.storage, course.thumbnail.name))
    course_deleting.send(sender=Course, course=course, files=files)
    course.delete()
    files_delete_on_commit(files)


def course_regenerate_join_code(*, course: Course) -> Course:
    """Give the course a new join code; the old one stops working at once."""
    course.join_code = _unique_value(Course, "join_code", new_join_code)
    course.save(update_fields=["join_code", "updated_at"])
    return course


def course_regenerate_invite_token(*, course: Course) -> Course:
    """Give the course a new invite link; the old link stops working at once."""
    course.invite_token = _unique_value(Course, "invite_token", new_invite_token)
    course.save(update_fields=["invite_token", "updated_at"])
    return course


def course_set_joining(*, course: Course, enabled: bool) -> Course:
    course.joining_enabled = enabled
    course.save(update_fields=["joining_enabled", "updated_at"])
    return course


def _unique_value(model: type[Course], field: str, make: Callable[[], str]) -> str:
    for _attempt in range(10):
        value = make()
        if not model.objects.filter(**{field: value}).exists():
            return value
    raise RuntimeError(f"could not find a free {field}")


# Enrollments --------------------------------------------------------------------------------


def enrollment_create(
    *, course: Course, student: User, added_by: User | None = None
) -> tuple[Enrollment, bool]:
    """Enroll the student; return the enrollment and whether it is new.

    Enrolling twice is harmless: the existing row comes back. A new one is announced with
    `enrollment_created` (notifications tells the student when a teacher added them).
    """
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(course=course, student=student)
    except IntegrityError:
        return Enrollment.objects.get(course=course, student=student), False
    enrollment_created.send(sender=Enrollment, enrollment=enrollment, added_by=added_by)
    return enrollment, True


@transaction.atomic
def enrollment_delete(*, enrollment: Enrollment, removed_by: User | None = None) -> None:
    """Remove the student from the course; every later request of theirs is refused.

    Once the removal commits, `enrollment_removed` tells the layers above (rooms closes the
    student's sockets in the course's open rooms).
    """
    _delete_then_announce(
        enrollment,
        enrollment_removed,
        course_id=enrollment.course_id,
        student_id=enrollment.student_id,
        removed_by_id=removed_by.pk if removed_by else None,
    )


def _delete_then_announce(row: Enrollment | CourseAssistant, signal: Signal, **ids: Any) -> None:
    """Delete the row, and send the signal (with these ids) once the deletion has committed."""
    row.delete()
    transaction.on_commit(lambda: signal.send(sender=type(row), **ids))


# Staff --------------------------------------------------------------------------------------
# Who may be an assistant: any active account (teacher or student role: a TA is often a student
# of another course) that is not the course's teacher, not already its assistant and not enrolled
# in it as a student (a student cannot grade themselves; remove the enrollment first).


def _already_assistant(user: User) -> ValidationError:
    return ValidationError(
        _("%(name)s is already an assistant of this course."),
        code="assistant",
        params={"name": user.username},
    )


def assistant_check(*, course: Course, user: User) -> None:
    """Raise ValidationError (with a code) if the user cannot become an assistant of the course."""
    if not user.is_active:
        raise ValidationError(
            _("%(name)s's account is not active."), code="inactive", params={"name": user.username}
        )
    if user.pk == course.teacher_id:
        raise ValidationError(
            _("%(name)s is the course's teacher already."),
            code="owner",
            params={"name": user.username},
        )
    if CourseAssistant.objects.filter(course=course, user=user).exists():
        raise _already_assistant(user)
    if Enrollment.objects.filter(course=course, student=user).exists():
        raise ValidationError(
            _(
                "%(name)s is enrolled in this course as a student; remove them from the roster first."
            ),
            code="student",
            params={"name": user.username},
        )


def assistant_add(*, course: Course, user: User, added_by: User | None = None) -> CourseAssistant:
    """Make the user an assistant of the course; ValidationError if they cannot be one.

    `assistant_added` announces it (notifications tells the new assistant).
    """
    with transaction.atomic():
        # The course row is locked so a concurrent enrollment or second add sees this one.
        Course.objects.select_for_update().filter(pk=course.pk).first()
        assistant_check(course=course, user=user)
        try:
            with transaction.atomic():
                assistant = CourseAssistant.objects.create(
                    course=course, user=user, added_by=added_by
                )
        except IntegrityError:
            raise _already_assistant(user) from None
        assistant_added.send(sender=CourseAssistant, assistant=assistant, added_by=added_by)
    return assistant


@transaction.atomic
def assistant_remove(*, assistant: CourseAssistant, removed_by: User | None = None) -> None:
    """Remove the assistant from the course's staff; every later request of theirs is refused.

    Once the removal commits, `assistant_removed` tells the layers above (rooms closes their
    sockets in the course's open rooms, where they had the teacher's controls).
    """
    _delete_then_announce(
        assistant,
        assistant_removed,
        course_id=assistant.course_id,
        user_id=assistant.user_id,
        removed_by_id=removed_by.pk if removed_by else None,
    )


# Materials ----------------------------------------------------------------------------------


@transaction.atomic
def material_create(
    *,
    course: Course,
    uploaded_by: User,
    title: str,
    file: UploadedFile,
    original_name: str,
    kind: Kind,
) -> Material:
    material = Material(
        course=course,
        title=title,
        original_name=original_name,
        content_type=kind.mime,
        size=file.size or 0,
        uploaded_by=uploaded_by,
    )
    material.file.save("upload", file, save=False)
    files = [(material.file.storage, material.file.name)]
    # If the row cannot be written, do not leave the stored file behind.
    try:
        material.full_clean()
        material.save()
    except Exception:
        for storage, name in files:
            storage.delete(name)
        raise
    return material


@transaction.atomic
def material_delete(*, material: Material) -> None:
    files = [(material.file.storage, material.file.name)] if material.file else []
    material.delete()
    files_delete_on_commit(files)
