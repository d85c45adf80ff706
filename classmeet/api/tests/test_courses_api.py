"""Courses, enrollment and materials through the API: the same rules as the HTML pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from classmeet.courses.models import Course, Enrollment, Material
from classmeet.courses.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_teacher_creates_a_course_and_sees_its_join_code(token_client, teacher):
    client = token_client(teacher)
    response = client.post(
        reverse("api:course-create"), {"title": "  Chemistry ", "description": "Labs"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    course = Course.objects.get(pk=body["id"])
    assert body["title"] == "Chemistry"  # the form's rule: stripped
    assert body["join_code"] == course.join_code
    assert body["is_teacher"] is True
    assert body["teacher"]["id"] == teacher.pk


def test_students_cannot_create_courses(token_client, student):
    response = token_client(student).post(reverse("api:course-create"), {"title": "Mine"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Course.objects.exists()


def test_course_create_validation_errors_name_the_field(token_client, teacher):
    response = token_client(teacher).post(reverse("api:course-create"), {"title": "   "})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "title" in body["errors"]


def test_course_list_shows_only_my_courses_without_duplicates(
    token_client, teacher, student, course, enrollment
):
    CourseFactory.create(title="Someone else's")
    from classmeet.courses.tests.factories import EnrollmentFactory

    EnrollmentFactory.create(course=course)  # a second student must not duplicate the row
    teacher_titles = [
        c["title"] for c in token_client(teacher).get(reverse("api:course-list")).json()["results"]
    ]
    assert teacher_titles == ["Physics 101"]
    body = token_client(student).get(reverse("api:course-list")).json()
    assert body["count"] == 1
    assert body["results"][0]["join_code"] is None  # students don't see the code
    assert body["results"][0]["is_teacher"] is False


def test_course_list_role_filter_and_bad_filter(token_client, teacher, course):
    client = token_client(teacher)
    assert client.get(reverse("api:course-list"), {"role": "attending"}).json()["count"] == 0
    assert client.get(reverse("api:course-list"), {"role": "teaching"}).json()["count"] == 1
    bad = client.get(reverse("api:course-list"), {"role": "boss"})
    assert bad.status_code == 400
    assert "role" in bad.json()["errors"]


def test_course_update_changes_only_given_fields(token_client, teacher, course):
    response = token_client(teacher).patch(
        reverse("api:course-update", kwargs={"course_id": course.pk}), {"description": "New"}
    )
    assert response.status_code == 200, response.content
    course.refresh_from_db()
    assert (course.title, course.description) == ("Physics 101", "New")


def test_course_delete(token_client, teacher, course):
    response = token_client(teacher).delete(
        reverse("api:course-delete", kwargs={"course_id": course.pk})
    )
    assert response.status_code == 204
    assert not Course.objects.filter(pk=course.pk).exists()


def test_student_joins_by_code_once(token_client, student, course):
    client = token_client(student)
    url = reverse("api:course-join")
    first = client.post(url, {"code": course.join_code.lower()})
    assert first.status_code == 201, first.content
    assert first.json()["id"] == course.pk
    again = client.post(url, {"code": course.join_code})
    assert again.status_code == 200
    assert Enrollment.objects.filter(course=course, student=student).count() == 1


def test_join_with_a_wrong_or_disabled_code_is_400(token_client, student, course):
    client = token_client(student)
    assert client.post(reverse("api:course-join"), {"code": "NOPE2345"}).status_code == 400
    course.joining_enabled = False
    course.save()
    response = client.post(reverse("api:course-join"), {"code": course.join_code})
    assert response.status_code == 400
    assert "code" in response.json()["errors"]


def test_teachers_cannot_join_by_code(token_client, other_teacher, course):
    response = token_client(other_teacher).post(
        reverse("api:course-join"), {"code": course.join_code}
    )
    assert response.status_code == 403


def test_teacher_adds_lists_and_removes_students(token_client, teacher, course, outsider):
    client = token_client(teacher)
    added = client.post(
        reverse("api:enrollment-create", kwargs={"course_id": course.pk}),
        {"identifier": outsider.username},
    )
    assert added.status_code == 201, added.content
    roster = client.get(reverse("api:enrollment-list", kwargs={"course_id": course.pk})).json()
    assert [e["student"]["username"] for e in roster["results"]] == [outsider.username]
    removed = client.delete(
        reverse("api:enrollment-delete", kwargs={"course_id": course.pk, "student_id": outsider.pk})
    )
    assert removed.status_code == 204
    assert not Enrollment.objects.filter(course=course, student=outsider).exists()
    # The removed student no longer sees the course.
    gone = token_client(outsider).get(reverse("api:course-detail", kwargs={"course_id": course.pk}))
    assert gone.status_code == 404


def test_adding_a_teacher_or_unknown_user_is_400(token_client, teacher, other_teacher, course):
    client = token_client(teacher)
    url = reverse("api:enrollment-create", kwargs={"course_id": course.pk})
    assert client.post(url, {"identifier": other_teacher.username}).status_code == 400
    assert client.post(url, {"identifier": "nobody-here"}).status_code == 400


def test_material_upload_list_and_download(token_client, teacher, student, course, enrollment):
    upload = SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf")
    response = token_client(teacher).post(
        reverse("api:material-create", kwargs={"course_id": course.pk}),
        {"title": "Notes", "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "application/pdf"
    assert body["original_name"] == "notes.pdf"
    client = token_client(student)
    listed = client.get(reverse("api:material-list", kwargs={"course_id": course.pk})).json()
    assert [m["id"] for m in listed["results"]] == [body["id"]]
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert download["Content-Type"] == "application/pdf"


def test_material_upload_checks_the_content(token_client, teacher, course):
    fake = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = token_client(teacher).post(
        reverse("api:material-create", kwargs={"course_id": course.pk}),
        {"title": "Evil", "file": fake},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert not Material.objects.exists()


def test_material_upload_without_a_file_is_400(token_client, teacher, course):
    response = token_client(teacher).post(
        reverse("api:material-create", kwargs={"course_id": course.pk}), {"title": "x"}
    )
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert not Material.objects.exists()


STORED: list[int] = []  # bytes of each upload chunk that reached the storing handlers


class StoredBytes(FileUploadHandler):
    """Sits in front of Django's memory and disk handlers and notes every byte they are given."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        STORED.append(len(raw_data))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@pytest.fixture
def stored_bytes(settings, tmp_path):
    """Uploads over 1 KB go to temporary files in tmp_path; returns the bytes they were given."""
    settings.FILE_UPLOAD_HANDLERS = [
        f"{__name__}.StoredBytes",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    STORED.clear()
    return STORED


def test_material_upload_drops_an_oversized_file_while_it_arrives(
    token_client, teacher, course, settings, stored_bytes
):
    """The page's size-limit handler runs for the API too: the file is dropped while it arrives."""
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 100_000
    big = SimpleUploadedFile("big.txt", b"x" * 1_000_000, content_type="text/plain")
    response = token_client(teacher).post(
        reverse("api:material-create", kwargs={"course_id": course.pk}),
        {"title": "Big", "file": big},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    # Storing stopped at the chunk that passed the limit: not the 1 MB body (stored before).
    assert 0 < sum(stored_bytes) <= settings.CLASSMEET_MATERIAL_MAX_BYTES
    assert response.json()["errors"]["file"] == ["The file is too large. The limit is 97.7\xa0KB."]
    assert not Material.objects.exists()


def test_material_upload_under_the_limit_is_stored(token_client, teacher, course, stored_bytes):
    upload = SimpleUploadedFile("notes.pdf", PDF + b"0" * 5000, content_type="application/pdf")
    response = token_client(teacher).post(
        reverse("api:material-create", kwargs={"course_id": course.pk}),
        {"title": "Notes", "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert sum(stored_bytes) == len(PDF) + 5000  # the counting handler does see a stored file


def test_unsupported_body_type_is_415(token_client, teacher):
    response = token_client(teacher).post(
        reverse("api:course-create"), b"<course/>", content_type="application/xml"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_session_auth_needs_the_csrf_token(teacher):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(teacher)
    refused = client.post(reverse("api:course-create"), {"title": "No CSRF"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["detail"]
    # With the cookie's token in the header, as the browser sends it, it goes through.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(teacher)
    browser.get(reverse("api:token-list"))  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    ok = browser.post(
        reverse("api:course-create"),
        {"title": "With CSRF"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert ok.status_code == 201, ok.content
    # Reads need no CSRF token.
    assert client.get(reverse("api:course-list")).status_code == 200
