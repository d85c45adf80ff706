"""A deleted course takes its coursework's stored files with it (courses.signals.course_deleting)."""

import pytest
from django.core.files.base import ContentFile

from classmeet.courses.models import Course
from classmeet.courses.services import course_delete
from classmeet.coursework.models import AssignmentAttachment, SubmissionFile
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.grading_factories import SubmissionFactory

pytestmark = pytest.mark.django_db


def test_attachments_handed_in_and_returned_files_go_with_the_course(
    course: Course, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory.create(course=course)
    attachment = AssignmentAttachment(
        assignment=assignment, original_name="brief.pdf", content_type="application/pdf", size=9
    )
    attachment.file.save("brief", ContentFile(b"%PDF-1.4\n"))
    submission = SubmissionFactory.create(assignment=assignment)
    handed_in = SubmissionFile(
        attempt=submission.attempts.get(),
        original_name="essay.pdf",
        content_type="application/pdf",
        size=9,
    )
    handed_in.file.save("essay", ContentFile(b"%PDF-1.4\n"))
    submission.returned_file.save("marked", ContentFile(b"%PDF-1.4\n"))
    stored = [attachment.file, handed_in.file, submission.returned_file]
    assert all(f.storage.exists(f.name) for f in stored)

    other = AssignmentFactory.create()  # another course's attachment stays
    kept = AssignmentAttachment(
        assignment=other, original_name="keep.pdf", content_type="application/pdf", size=9
    )
    kept.file.save("keep", ContentFile(b"%PDF-1.4\n"))

    with django_capture_on_commit_callbacks(execute=True):
        course_delete(course=course)

    assert not any(f.storage.exists(f.name) for f in stored)
    assert kept.file.storage.exists(kept.file.name)
