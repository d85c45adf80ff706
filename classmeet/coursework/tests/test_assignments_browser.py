"""Submitting an assignment in real Chromium: several files through the upload script (progress,
JSON answer), the attempt listed after; an oversized file stopped before uploading."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page

from classmeet.accounts.models import User
from classmeet.courses.tests import files
from classmeet.coursework.models import Assignment, SubmissionFile
from classmeet.coursework.tests.factories import AssignmentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def open_submit_form(
    new_page: Callable[..., Page], student: User, assignment: Assignment
) -> tuple[Page, Locator]:
    page = new_page(student, sign_in="cookie")
    page.goto(assignment.get_absolute_url())
    form = page.locator("form.submission-form[data-upload]")
    form.wait_for(state="visible")
    return page, form


def test_student_submits_two_files_through_the_script(new_page, course, enrollment, tmp_path):
    assignment = AssignmentFactory.create(course=course, title="Lab report")
    page, form = open_submit_form(new_page, enrollment.student, assignment)
    report = tmp_path / "report.pdf"
    report.write_bytes(files.PDF)
    data = tmp_path / "data.csv"
    data.write_text("t,x\n0,1\n" * 20_000)
    form.locator("input[type=file]").set_input_files([str(report), str(data)])
    with page.expect_response(lambda r: "/submit/" in r.url) as answer:
        form.locator("[data-upload-submit]").click()
    response = answer.value
    assert response.request.headers.get("x-requested-with") == "XMLHttpRequest"
    assert response.status == 200  # the JSON answer: the script made the POST
    page.wait_for_load_state("load")
    attempt = page.locator("#submission [data-attempt='1']")
    attempt.get_by_text("report.pdf").wait_for()
    assert "data.csv" in attempt.inner_text()
    assert sorted(SubmissionFile.objects.values_list("original_name", flat=True)) == [
        "data.csv",
        "report.pdf",
    ]


def test_an_oversized_file_is_named_before_uploading(
    new_page, course, enrollment, tmp_path, settings
):
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 1000
    assignment = AssignmentFactory.create(course=course)
    page, form = open_submit_form(new_page, enrollment.student, assignment)
    small = tmp_path / "small.pdf"
    small.write_bytes(files.PDF)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    form.locator("input[type=file]").set_input_files([str(small), str(big)])
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/submit/" in r.url else None)
    form.locator("[data-upload-submit]").click()
    error = form.locator("[data-upload-error]")
    error.wait_for(state="visible")
    assert "big.txt: The file is too large" in error.inner_text()
    assert requests == []
    assert not SubmissionFile.objects.exists()
