"""The content checks and name rules of classmeet.courses.uploads, without HTTP."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from classmeet.courses import uploads
from classmeet.courses.tests import files


def kind_of(data: bytes, name: str) -> uploads.Kind:
    return uploads.detect_material_kind(file=io.BytesIO(data), name=name)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (files.PDF, "notes.pdf", uploads.PDF),
        (files.ooxml("word"), "essay.docx", uploads.DOCX),
        (files.ooxml("xl"), "grades.xlsx", uploads.XLSX),
        (files.odt(), "essay.odt", uploads.ODT),
        (files.zip_bytes({"a.txt": "hello"}), "bundle.zip", uploads.ZIP),
        (files.image_bytes("PNG"), "diagram.png", uploads.PNG),
        (files.image_bytes("JPEG"), "photo.jpeg", uploads.JPEG),
        (files.image_bytes("WEBP"), "photo.webp", uploads.WEBP),
        (files.image_bytes("GIF"), "anim.gif", uploads.GIF),
        (files.MP3, "lecture.mp3", uploads.MP3),
        ("Plain text ✓\n".encode(), "readme.txt", uploads.TEXT),
        (b"# Title\n\n*notes*\n", "notes.md", uploads.MARKDOWN),
        (b"name,grade\nAda,A\n", "grades.csv", uploads.CSV),
    ],
)
def test_detect_material_kind_accepts_allowed_content(data, name, expected):
    assert kind_of(data, name) == expected


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (files.ELF, "notes.pdf"),
        (files.PE, "notes.pdf"),
        (files.ELF, "notes.txt"),
        (files.PE, "setup.exe"),
        (b"\xff\xfe l\x00a\x00t\x00i\x00n\x00", "notes.txt"),  # not UTF-8
        (b"caf\xe9 au lait\n", "menu.csv"),  # Latin-1, not UTF-8
        (b"#!/bin/sh\nrm -rf /\n", "script.sh"),  # text, but not an allowed extension
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "x.svg"),
    ],
)
def test_detect_material_kind_refuses_other_content(data, name):
    with pytest.raises(ValidationError) as info:
        kind_of(data, name)
    assert info.value.code == "bad_type"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (files.PDF, "notes.docx"),
        (files.zip_bytes({"a.txt": "x"}), "fake.docx"),  # a zip without Office parts
        (files.image_bytes("PNG"), "photo.jpg"),
        (files.ooxml("word"), "essay.zip"),
    ],
)
def test_detect_material_kind_refuses_name_that_disagrees_with_content(data, name):
    with pytest.raises(ValidationError) as info:
        kind_of(data, name)
    assert info.value.code == "extension_mismatch"


def test_detect_material_kind_refuses_damaged_zip():
    data = files.zip_bytes({"a.txt": "x" * 100})[:-30]
    with pytest.raises(ValidationError):
        kind_of(data, "bundle.zip")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\ada\\notes.pdf", "notes.pdf"),
        ("/absolute/path/notes.pdf", "notes.pdf"),
        ("no\x00tes.pdf", "notes.pdf"),
        ("tab\tand\nnewline.pdf", "tabandnewline.pdf"),
        ('quote"s<and>pipes|.pdf', "quotesandpipes.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("résumé.pdf", "résumé.pdf"),
    ],
)
def test_sanitize_filename_keeps_only_a_safe_base_name(raw, clean):
    assert uploads.sanitize_filename(raw) == clean


def test_sanitize_filename_shortens_long_names_and_keeps_extension():
    name = uploads.sanitize_filename("a" * 300 + ".pdf")
    assert len(name) == uploads.MAX_NAME_LENGTH
    assert name.endswith(".pdf")


@pytest.mark.parametrize("raw", ["..", ".", "../", "\x00", "  ", "dir/"])
def test_sanitize_filename_refuses_names_with_nothing_left(raw):
    with pytest.raises(ValidationError):
        uploads.sanitize_filename(raw)


def test_content_disposition_ascii_name():
    assert uploads.content_disposition("notes.pdf") == 'attachment; filename="notes.pdf"'


def test_content_disposition_non_ascii_name_uses_rfc_5987():
    header = uploads.content_disposition("résumé été.pdf")
    assert header == (
        'attachment; filename="resume ete.pdf"; '
        "filename*=UTF-8''r%C3%A9sum%C3%A9%20%C3%A9t%C3%A9.pdf"
    )


def test_content_disposition_never_lets_quotes_or_semicolons_through():
    header = uploads.content_disposition('a";b=c.pdf')
    assert header.startswith('attachment; filename="a__b_c.pdf"')
    assert "filename*=UTF-8''a%22%3Bb%3Dc.pdf" in header


def test_validate_material_file_refuses_oversize(settings):
    settings.CLASSMEET_MATERIAL_MAX_BYTES = 100
    upload = SimpleUploadedFile("notes.pdf", files.PDF + b"x" * 200)
    with pytest.raises(ValidationError) as info:
        uploads.validate_material_file(upload)
    assert info.value.code == "too_large"


def test_validate_material_file_refuses_empty_file():
    with pytest.raises(ValidationError) as info:
        uploads.validate_material_file(SimpleUploadedFile("notes.txt", b""))
    assert info.value.code == "empty"
