"""Uploading, listing, downloading and deleting materials through the pages."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from classmeet.courses.models import Course, Material
from classmeet.courses.tests import files
from classmeet.courses.tests.factories import CourseFactory, MaterialFactory
from tests.support import ClientResponse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def create_url(course: Course) -> str:
    return reverse("courses:material-create", kwargs={"course_id": course.pk})


def download_url(material: Material) -> str:
    return reverse(
        "courses:material-download",
        kwargs={"course_id": material.course_id, "material_id": material.pk},
    )


def upload(
    client: Client, course: Course, name: str, data: bytes, title: str = "Week 1", **extra: Any
) -> ClientResponse:
    return client.post(
        create_url(course), {"title": title, "file": SimpleUploadedFile(name, data)}, **extra
    )


def test_teacher_uploads_pdf_and_student_downloads_it(
    client, course, teacher, enrollment, media_root
):
    client.force_login(teacher)
    response = upload(client, course, "notes.pdf", files.PDF)
    assert response.status_code == 302
    material = Material.objects.get(course=course)
    assert (material.title, material.original_name) == ("Week 1", "notes.pdf")
    assert (material.content_type, material.size) == ("application/pdf", len(files.PDF))
    assert material.uploaded_by == teacher
    stored = Path(material.file.path)
    assert stored.is_relative_to(media_root / "materials" / str(course.pk))
    assert "notes" not in stored.name

    client.force_login(enrollment.student)
    detail = client.get(course.get_absolute_url())
    assert download_url(material) in detail.content.decode()
    response = client.get(download_url(material))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="notes.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_upload_by_script_gets_json(client, course, teacher):
    client.force_login(teacher)
    response = upload(
        client, course, "notes.pdf", files.PDF, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "redirect": course.get_absolute_url() + "#materials"}

    response = upload(
        client, course, "notes.pdf", files.ELF, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["ok"] is False
    assert "not allowed" in body["errors"]["file"][0]


def test_oversize_upload_is_refused_with_message(client, course, teacher, settings):
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 1024
    client.force_login(teacher)
    response = upload(client, course, "big.pdf", files.PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    assert not Material.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.pdf", files.ELF),
        ("notes.pdf", files.PE),
        ("slides.docx", files.PE),
        ("a.exe", files.PE),
    ],
)
def test_renamed_executable_is_refused_with_message(
    client, course, teacher, name, data, media_root
):
    client.force_login(teacher)
    response = upload(client, course, name, data)
    assert response.status_code == 400
    assert "This type of file is not allowed" in response.content.decode()
    assert not Material.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_content_that_disagrees_with_extension_is_refused(client, course, teacher):
    client.force_login(teacher)
    response = upload(client, course, "essay.docx", files.PDF)
    assert response.status_code == 400
    assert "content is PDF" in response.content.decode()


@pytest.mark.parametrize(
    ("raw_name", "stored_name"),
    [
        (b"../../../etc/passwd.txt", "passwd.txt"),
        (b"..\\..\\boot.ini\\evil.txt", "evil.txt"),
        (b"/tmp/abs.txt", "abs.txt"),
        (("\u00e9t\u00e9" * 100 + ".txt").encode(), None),
    ],
)
def test_path_tricks_in_file_names_never_reach_the_disk(
    client, course, teacher, media_root, raw_name, stored_name
):
    client.force_login(teacher)
    response = files.post_multipart(
        client,
        create_url(course),
        fields={"title": "Tricky"},
        file_field="file",
        filename=raw_name,
        data=b"hello\n",
    )
    assert response.status_code == 302, response.content.decode()
    material = Material.objects.get()
    if stored_name:
        assert material.original_name == stored_name
    assert len(material.original_name) <= 120
    assert material.original_name.endswith(".txt")
    assert "/" not in material.original_name
    assert "\\" not in material.original_name
    stored = Path(material.file.path).resolve()
    assert stored.is_relative_to(media_root.resolve() / "materials")
    assert [p for p in media_root.rglob("*") if p.is_file()] == [stored]


def test_file_name_made_only_of_dots_is_refused(client, course, teacher):
    client.force_login(teacher)
    response = files.post_multipart(
        client,
        create_url(course),
        fields={"title": "Dots"},
        file_field="file",
        filename=b"...",
        data=b"hello\n",
    )
    assert response.status_code == 400
    assert not Material.objects.exists()


def test_non_ascii_name_download_header(client, course, teacher):
    material = MaterialFactory.create(course=course, original_name="Übung 1 — Lösung.pdf")
    client.force_login(teacher)
    response = client.get(download_url(material))
    assert response["Content-Disposition"] == (
        'attachment; filename="Ubung 1 Losung.pdf"; '
        "filename*=UTF-8''%C3%9Cbung%201%20%E2%80%94%20L%C3%B6sung.pdf"
    )


def test_outsider_guessing_download_url_gets_404(client, course, outsider):
    material = MaterialFactory.create(course=course)
    client.force_login(outsider)
    assert client.get(download_url(material)).status_code == 404


def test_material_of_another_course_is_404_through_this_course(client, course, enrollment):
    other = MaterialFactory.create(course=CourseFactory.create())
    client.force_login(enrollment.student)
    url = reverse(
        "courses:material-download", kwargs={"course_id": course.pk, "material_id": other.pk}
    )
    assert client.get(url).status_code == 404


def test_missing_material_and_missing_file_are_404(client, course, teacher):
    material = MaterialFactory.create(course=course)
    Path(material.file.path).unlink()
    client.force_login(teacher)
    assert client.get(download_url(material)).status_code == 404
    url = reverse(
        "courses:material-download", kwargs={"course_id": course.pk, "material_id": 999_999}
    )
    assert client.get(url).status_code == 404


def test_media_is_not_served_publicly(client, course, teacher):
    material = MaterialFactory.create(course=course)
    client.force_login(teacher)
    assert client.get("/media/" + material.file.name).status_code == 404
    assert client.get(material.file.url).status_code == 404


def test_teacher_deletes_material_after_confirming(
    client, course, teacher, django_capture_on_commit_callbacks
):
    material = MaterialFactory.create(course=course)
    path = Path(material.file.path)
    url = reverse(
        "courses:material-delete", kwargs={"course_id": course.pk, "material_id": material.pk}
    )
    client.force_login(teacher)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert material.title in confirm.content.decode()
    assert Material.objects.filter(pk=material.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists()
    assert not path.exists()


def test_student_cannot_upload(client, course, enrollment):
    client.force_login(enrollment.student)
    assert upload(client, course, "notes.pdf", files.PDF).status_code == 403
    assert not Material.objects.exists()


def test_oversize_file_is_dropped_while_it_arrives(client, course, teacher, settings):
    """The size-limit upload handler skips the file; the page still names the real reason."""
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 100_000
    client.force_login(teacher)
    response = upload(
        client, course, "big.txt", b"x" * 300_000, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["The file is too large. The limit is 97.7\xa0KB."]
    assert not Material.objects.exists()


def test_upload_without_csrf_token_is_refused(course, teacher):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    response = upload(client, course, "notes.pdf", files.PDF)
    assert response.status_code == 403
    assert not Material.objects.exists()
