"""Reads of assignments and submissions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from classmeet.courses.models import Enrollment

from ..models import Assignment, AssignmentStudent


def assigned_to_q(*, student_id: int, prefix: str = "") -> Q:
    """Assignments assigned to this student: to the whole course (no rows) or to them by name.

    Enrollment is the caller's part (a course the student sees)."""
    own = AssignmentStudent.objects.filter(assignment_id=OuterRef(f"{prefix}pk"))
    return ~Exists(own) | Exists(own.filter(student_id=student_id))


def is_assigned(*, assignment: Assignment, student_id: int) -> bool:
    """Whether the assignment is for this student: enrolled in its course, and assigned (to all
    or by name). One query."""
    return (
        Assignment.objects.filter(pk=assignment.pk)
        .filter(assigned_to_q(student_id=student_id))
        .filter(
            Exists(
                Enrollment.objects.filter(course_id=OuterRef("course_id"), student_id=student_id)
            )
        )
        .exists()
    )
