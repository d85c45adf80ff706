"""What coursework does when a lower app announces something (connected in CourseworkConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage

from classmeet.courses.models import Course

from .models import AssignmentAttachment, Submission, SubmissionFile


def course_files_collect(
    *, course: Course, files: list[tuple[Storage, str]], **kwargs: Any
) -> None:
    """A deleted course takes its coursework's files with it: attachments, handed-in files and
    the graders' returned copies (removed once the deletion commits)."""
    for attachment in AssignmentAttachment.objects.filter(assignment__course=course).only("file"):
        files.append((attachment.file.storage, attachment.file.name))
    for handed_in in SubmissionFile.objects.filter(
        attempt__submission__assignment__course=course
    ).only("file"):
        files.append((handed_in.file.storage, handed_in.file.name))
    for submission in (
        Submission.objects.filter(assignment__course=course)
        .exclude(returned_file="")
        .only("returned_file")
    ):
        files.append((submission.returned_file.storage, submission.returned_file.name))
