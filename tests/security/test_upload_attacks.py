"""Hostile uploads through the real pages: zip bombs, decompression-bomb pictures, content that
lies about its type, and path-traversal names. Every one gets a form error (4xx/200 with the
message), nothing reaches the disk, and the server never inflates or decodes the payload."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from classmeet.courses.models import Course, Material
from classmeet.courses.tests import files
from tests.support import ClientResponse

pytestmark = pytest.mark.django_db

BOMB_INFLATED = 256 * 1024 * 1024  # what the zip bomb inflates to: 256 MiB of zeros


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _deflated_zeros_entry(archive: zipfile.ZipFile, name: str, size: int) -> None:
    chunk = b"\0" * (1024 * 1024)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as member:
        for _ in range(size // len(chunk)):
            member.write(chunk)


def zip_bomb_docx() -> bytes:
    """A .docx whose [Content_Types].xml inflates from ~250 KB to 256 MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<doc/>")
        _deflated_zeros_entry(archive, "[Content_Types].xml", BOMB_INFLATED)
    return buffer.getvalue()


def zip_bomb_odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _deflated_zeros_entry(archive, "mimetype", BOMB_INFLATED)
    return buffer.getvalue()


def many_entries_zip(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"{i}", b"")
    return buffer.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (the pixel data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def upload(client: Client, course: Course, name: str, data: bytes) -> ClientResponse:
    return client.post(
        reverse("courses:material-create", kwargs={"course_id": course.pk}),
        {"title": "Hostile", "file": SimpleUploadedFile(name, data)},
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refused_without_inflating(client, course, name: str, data: bytes) -> tuple[int, str, int]:
    tracemalloc.start()
    try:
        response = upload(client, course, name, data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response.status_code, response.content.decode(), peak


@pytest.mark.parametrize(
    ("name", "make"), [("bomb.docx", zip_bomb_docx), ("bomb.odt", zip_bomb_odt)]
)
def test_zip_bomb_is_sniffed_without_being_inflated(
    client, course, teacher, media_root, name, make
):
    data = make()
    assert len(data) < 2 * 1024 * 1024  # ratio > 100:1
    client.force_login(teacher)
    status, _body, peak = refused_without_inflating(client, course, name, data)
    # The sniffer reads at most 1 MB of a member: the 256 MiB never exist in memory.
    assert peak < 32 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB while checking a zip bomb"
    # Not an Office document (no matching content type): it is refused as a "zip" named .docx.
    assert status == 400
    assert not Material.objects.exists()
    assert stored_files(media_root) == []


def test_zip_with_too_many_entries_is_refused(client, course, teacher, media_root):
    data = many_entries_zip(10_001)
    client.force_login(teacher)
    response = upload(client, course, "many.zip", data)
    assert response.status_code == 400
    assert "too many files" in response.content.decode()
    assert not Material.objects.exists()
    assert stored_files(media_root) == []


def test_zip_within_the_entry_limit_is_accepted(client, course, teacher):
    client.force_login(teacher)
    assert upload(client, course, "ok.zip", many_entries_zip(50)).status_code == 302
    assert Material.objects.get().content_type == "application/zip"


@pytest.mark.parametrize("size", [(50_000, 50_000), (30_000, 1_000), (65_535, 65_535)])
def test_huge_dimension_thumbnail_is_refused_before_decoding(client, teacher, size):
    data = png_header_claiming(*size)
    assert len(data) < 200
    client.force_login(teacher)
    tracemalloc.start()
    try:
        response = client.post(
            reverse("courses:course-create"),
            {"title": "Optics", "thumbnail": SimpleUploadedFile("bomb.png", data, "image/png")},
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code in (200, 400)
    assert "too big" in response.content.decode() or "too many pixels" in response.content.decode()
    assert peak < 32 * 1024 * 1024
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("notes.pdf", b"<html><script>alert(1)</script></html>"),
        ("image.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("setup.pdf", files.PE),
        ("tool.zip", files.ELF),
        ("photo.jpg", files.image_bytes("PNG")),
        ("notes.txt", b"\xff\xfe\x00binary\x00\x01"),
        ("script.js", b"alert(1)"),
    ],
)
def test_content_that_lies_about_its_type_is_refused(
    client, course, teacher, media_root, name, data
):
    client.force_login(teacher)
    response = upload(client, course, name, data)
    assert response.status_code == 400
    assert not Material.objects.exists()
    assert stored_files(media_root) == []


def test_html_as_text_is_served_as_an_inert_attachment(client, course, teacher):
    """Text is allowed, so HTML in a .txt is stored: it must download, never render."""
    client.force_login(teacher)
    assert upload(client, course, "page.txt", b"<script>alert(1)</script>").status_code == 302
    material = Material.objects.get()
    response = client.get(
        reverse(
            "courses:material-download",
            kwargs={"course_id": course.pk, "material_id": material.pk},
        )
    )
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize(
    "raw",
    [
        b"../../../../tmp/owned.txt",
        b"..%2f..%2fowned.txt",
        b"C:\\Windows\\System32\\owned.txt",
        b"/etc/cron.d/owned.txt",
        b"owned.txt\x00.pdf",
        b"\xe2\x80\xaeowned\xe2\x80\xadtxt.exe.txt",
    ],
)
def test_path_traversal_names_stay_inside_the_media_folder(
    client, course, teacher, media_root, raw
):
    client.force_login(teacher)
    response = files.post_multipart(
        client,
        reverse("courses:material-create", kwargs={"course_id": course.pk}),
        fields={"title": "Tricky"},
        file_field="file",
        filename=raw,
        data=b"hello\n",
    )
    assert response.status_code in (302, 400)
    for path in stored_files(media_root):
        assert path.resolve().is_relative_to(Path(media_root).resolve() / "materials")
    for material in Material.objects.all():
        assert "/" not in material.original_name
        assert "\\" not in material.original_name
        assert "\x00" not in material.original_name
        assert not material.original_name.startswith(".")  # no hidden or parent names
    assert not Path("/tmp/owned.txt").exists()
