"""Bytes of real (tiny) files of each kind, and a raw multipart poster for hostile file names."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.test import Client
from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"PE\x00\x00"
    + b"\x00" * 200
)
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 15 + b"\xff\xfb\x90\x64" + b"\x00" * 400
WORD_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SHEET_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zip_bytes(entries: dict[str, bytes | str], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first is not None:
            archive.writestr(
                zipfile.ZipInfo(stored_first), entries[stored_first], zipfile.ZIP_STORED
            )
        for name, data in entries.items():
            if name != stored_first:
                archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ooxml(kind: str = "word") -> bytes:
    mime = {"word": WORD_MIME, "xl": SHEET_MIME}[kind]
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/{kind}/document.xml" ContentType="{mime}.main+xml"/>'
        "</Types>"
    )
    return zip_bytes(
        {"[Content_Types].xml": content_types, f"{kind}/document.xml": "<doc/>", "_rels/.rels": ""}
    )


def odt() -> bytes:
    return zip_bytes(
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"},
        stored_first="mimetype",
    )


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (32, 18), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color=0 if mode == "1" else (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def post_multipart(
    client: Client,
    url: str,
    *,
    fields: dict[str, str],
    file_field: str,
    filename: bytes,
    data: bytes,
) -> Any:
    """POST a multipart body by hand, so the file name reaches the server exactly as given."""
    boundary = b"----classmeet-test-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(
            b"--"
            + boundary
            + b'\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"\r\n\r\n'
            + value.encode()
            + b"\r\n"
        )
    parts.append(
        b"--"
        + boundary
        + b'\r\nContent-Disposition: form-data; name="'
        + file_field.encode()
        + b'"; filename="'
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + b"--" + boundary + b"--\r\n"
    return client.generic(
        "POST", url, body, content_type="multipart/form-data; boundary=" + boundary.decode()
    )
