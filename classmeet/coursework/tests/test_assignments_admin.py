"""The coursework admin: every model listed, read-only; an assignment deleted with its files."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from classmeet.courses.tests import files
from classmeet.coursework.models import Assignment, Grade, GradeItem, Submission
from classmeet.coursework.services.assignments import submission_create
from classmeet.coursework.services.grades import grade_record
from classmeet.coursework.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def graded_submission(course, enrollment) -> Submission:
    assignment = AssignmentFactory.create(course=course)
    submission_create(
        assignment=assignment,
        student=enrollment.student,
        text="",
        files=[SimpleUploadedFile("essay.pdf", files.PDF)],
        client_token="",
    )
    grade_record(item=assignment.grade_item, student=enrollment.student, points=Decimal(4), by=None)
    return Submission.objects.get()


def test_every_model_is_listed_and_opens_read_only(client, staff, graded_submission):
    client.force_login(staff)
    for model in apps.get_app_config("coursework").get_models():
        name = f"admin:coursework_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, name
        assert client.get(reverse(f"{name}_add")).status_code == 403, name
    for obj in (graded_submission, graded_submission.assignment, Grade.objects.get()):
        name = f"admin:coursework_{obj._meta.model_name}_change"
        page = client.get(reverse(name, args=[obj.pk]))
        assert page.status_code == 200
        assert 'type="submit" value="Save"' not in page.content.decode()


def test_deleting_an_assignment_takes_its_files(
    client, staff, graded_submission, media_root, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    assignment = graded_submission.assignment
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:coursework_assignment_delete", args=[assignment.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Assignment.objects.exists()
    assert not GradeItem.objects.exists()
    assert [p for p in media_root.rglob("*") if p.is_file()] == []
