"""Courses, who is enrolled in them, and their private materials."""

import secrets
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in class


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


def thumbnail_path(instance: "Course", filename: str) -> str:
    return f"thumbnails/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


def material_path(instance: "Material", filename: str) -> str:
    # The stored name never contains the user's file name: no path tricks reach the disk.
    return f"materials/{instance.course_id}/{uuid.uuid4().hex}"


class Course(models.Model):
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taught_courses"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=thumbnail_path, blank=True)
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    invite_token = models.CharField(max_length=64, unique=True, default=new_invite_token)
    joining_enabled = models.BooleanField(
        default=True, help_text=_("When off, neither the join code nor the invite link works.")
    )
    students: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Enrollment", related_name="enrolled_courses"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: set by access.courses.access_course to (user id, enrolled?) for the user it
    # checked, so the page's includes that ask again need no query of their own.
    enrolled_viewer: tuple[int, bool] | None = None
    # The same for staff: (user id, teacher or assistant?), set by access.courses.is_course_staff.
    staff_viewer: tuple[int, bool] | None = None
    # The assistants (courses.selectors.StaffMember), when access.courses.access_course loaded them.
    assistants_shown: list[Any] | None = None
    # The course page's sections, planned and fetched together (courses.sections).
    section_plans: dict[str, Any] | None = None

    class Meta:
        ordering = ("title", "id")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course-detail", kwargs={"course_id": self.pk})


class Enrollment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("course_id", "student__username")
        constraints = [
            models.UniqueConstraint(fields=("course", "student"), name="unique_enrollment"),
        ]
        indexes = [models.Index(fields=("student", "course"))]

    def __str__(self) -> str:
        return f"{self.student_id} in {self.course_id}"


class CourseAssistant(models.Model):
    """A co-teacher of a course: does what its teacher does there, except delete the course or
    manage its staff (classmeet.access.courses decides)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assistants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assisted_courses"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("course_id", "user__username")
        constraints = [
            models.UniqueConstraint(fields=("course", "user"), name="unique_course_assistant"),
        ]
        # "Which courses does this user assist" (visibility, dashboard) starts from the user.
        indexes = [models.Index(fields=("user", "course"))]

    def __str__(self) -> str:
        return f"{self.user_id} assists {self.course_id}"


class Material(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=material_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("course", "-created_at"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "courses:material-download",
            kwargs={"course_id": self.course_id, "material_id": self.pk},
        )
