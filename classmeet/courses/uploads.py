"""Checks on uploaded files: what a material or a thumbnail really contains, and safe names.

Types are decided by the bytes, never by the name alone: a renamed executable is refused, and the
name's extension has to agree with the content.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_NAME_LENGTH = 120
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    """One allowed type of material: its MIME type, a label and the extensions it may carry."""

    mime: str
    label: str
    extensions: frozenset[str]


def _kind(mime: str, label: str, *extensions: str) -> Kind:
    return Kind(mime=mime, label=label, extensions=frozenset(extensions))


PDF = _kind("application/pdf", "PDF", "pdf")
JPEG = _kind("image/jpeg", "JPEG", "jpg", "jpeg")
PNG = _kind("image/png", "PNG", "png")
GIF = _kind("image/gif", "GIF", "gif")
WEBP = _kind("image/webp", "WebP", "webp")
MP3 = _kind("audio/mpeg", "MP3", "mp3")
MP4 = _kind("video/mp4", "MP4", "mp4", "m4v")
WEBM = _kind("video/webm", "WebM", "webm")
ZIP = _kind("application/zip", "ZIP", "zip")
DOCX = _kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word", "docx"
)
XLSX = _kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel", "xlsx")
PPTX = _kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint",
    "pptx",
)
ODT = _kind("application/vnd.oasis.opendocument.text", gettext_noop("OpenDocument text"), "odt")
ODS = _kind(
    "application/vnd.oasis.opendocument.spreadsheet",
    gettext_noop("OpenDocument spreadsheet"),
    "ods",
)
ODP = _kind(
    "application/vnd.oasis.opendocument.presentation",
    gettext_noop("OpenDocument presentation"),
    "odp",
)
TEXT = _kind("text/plain", gettext_noop("text"), "txt", "text")
MARKDOWN = _kind("text/markdown", "Markdown", "md", "markdown")
CSV = _kind("text/csv", "CSV", "csv")

# What the sniffer (filetype) reports, mapped to the kinds we accept. Anything else is refused.
_SNIFFED: dict[str, Kind] = {
    "application/pdf": PDF,
    "image/jpeg": JPEG,
    "image/png": PNG,
    "image/gif": GIF,
    "image/webp": WEBP,
    "audio/mpeg": MP3,
    "video/mp4": MP4,
    "video/x-m4v": MP4,
    "video/webm": WEBM,
}
_ODF = {k.mime: k for k in (ODT, ODS, ODP)}
_TEXT_BY_EXTENSION = {"txt": TEXT, "text": TEXT, "md": MARKDOWN, "markdown": MARKDOWN, "csv": CSV}
ALLOWED_KINDS: tuple[Kind, ...] = (
    *(PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, JPEG, PNG, GIF, WEBP),
    *(TEXT, MARKDOWN, CSV, ZIP, MP3, MP4, WEBM),
)
ALLOWED_EXTENSIONS = sorted({ext for kind in ALLOWED_KINDS for ext in kind.extensions})

# MPO is how Pillow names the JPEG files of many phone cameras (a JPEG with extra frames).
THUMBNAIL_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
THUMBNAIL_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
}


# Names --------------------------------------------------------------------------------------

_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def sanitize_filename(name: str) -> str:
    """Return a display name safe for headers and disks: no folders, controls or huge lengths.

    Raise ValidationError when nothing usable is left (e.g. the name was ``..`` or only a NUL).
    """
    name = unicodedata.normalize("NFC", name)
    # Keep only the last path component whatever the separator (POSIX or Windows).
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE_CHARS.sub("", name)
    name = name.strip().lstrip(".").strip()
    if not name:
        raise ValidationError(_("The file name is not valid."), code="bad_name")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = f"{stem[: MAX_NAME_LENGTH - len(ext) - 1]}.{ext}"
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def extension_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def content_disposition(filename: str) -> str:
    """Return an ``attachment`` header with an ASCII fallback and the RFC 5987 UTF-8 name."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._ ()\-]", "_", ascii_name)
    ascii_name = re.sub(r" +", " ", ascii_name).strip() or "download"
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


# Materials ----------------------------------------------------------------------------------


def _head(file: IO[bytes], size: int = 8192) -> bytes:
    file.seek(0)
    data = file.read(size)
    file.seek(0)
    return data


# Zip bombs: the sniffer opens archives, so it must never inflate more than it needs, and never
# parse a central directory of millions of entries (Python builds one object per entry).
MAX_ZIP_ENTRIES = 10_000
_ZIP_MEMBER_READ = 1_000_000
_EOCD = b"PK\x05\x06"


def _zip_entry_count(file: IO[bytes]) -> int:
    """Return the entry count of the zip's end-of-central-directory record (0xFFFF for zip64)."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    tail_size = min(size, 22 + 65_535)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(_EOCD)
    if at == -1 or len(tail) < at + 12:
        raise zipfile.BadZipFile("no end of central directory")
    return int.from_bytes(tail[at + 10 : at + 12], "little")


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """Inflate at most `limit` bytes of one member (never the whole of a bomb)."""
    with archive.open(name) as member:
        return member.read(limit)


def _zip_kind(file: IO[bytes]) -> Kind:
    """Tell an Office Open XML or OpenDocument file from a plain zip by what it holds inside."""
    try:
        if _zip_entry_count(file) > MAX_ZIP_ENTRIES:
            raise ValidationError(
                _("The archive holds too many files (more than %(n)s).") % {"n": MAX_ZIP_ENTRIES},
                code="zip_too_many_entries",
            )
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                content_types = _read_member(archive, "[Content_Types].xml", _ZIP_MEMBER_READ)
                for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
                    if any(n.startswith(prefix) for n in names) and kind.mime.encode() in (
                        content_types
                    ):
                        return kind
            if "mimetype" in names:
                mimetype = _read_member(archive, "mimetype", 100).decode("ascii", "replace").strip()
                if mimetype in _ODF:
                    return _ODF[mimetype]
    except ValidationError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError) as exc:
        raise ValidationError(_("The archive is damaged."), code="bad_zip") from exc
    finally:
        file.seek(0)
    return ZIP


def _is_utf8_text(file: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    file.seek(0)
    try:
        while chunk := file.read(_CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


def _refuse_type() -> ValidationError:
    return ValidationError(
        _("This type of file is not allowed. Allowed: %(types)s.")
        % {"types": ", ".join(ALLOWED_EXTENSIONS)},
        code="bad_type",
    )


def detect_material_kind(*, file: IO[bytes], name: str) -> Kind:
    """Return the allowed kind of the file from its content, or raise ValidationError."""
    guess = filetype.guess(_head(file))
    extension = extension_of(name)
    if guess is None:
        kind = _TEXT_BY_EXTENSION.get(extension)
        if kind is None or not _is_utf8_text(file):
            raise _refuse_type()
    elif (
        guess.mime == "application/zip"
        or guess.extension in {"docx", "xlsx", "pptx"}
        or guess.mime in _ODF
    ):
        kind = _zip_kind(file)
    elif guess.mime in _SNIFFED:
        kind = _SNIFFED[guess.mime]
    else:
        raise _refuse_type()
    if extension not in kind.extensions:
        raise ValidationError(
            _("The file's content is %(label)s but its name ends in “.%(ext)s”.")
            % {"label": _(kind.label), "ext": extension or ""},
            code="extension_mismatch",
        )
    return kind


def validate_material_file(file: UploadedFile) -> tuple[str, Kind]:
    """Check a material upload; return its sanitized name and kind, or raise ValidationError."""
    limit = settings.CLASSMEET_MATERIAL_MAX_BYTES
    if file.size is None or file.size > limit:
        raise ValidationError(too_large_message(file.size), code="too_large")
    if file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    name = sanitize_filename(file.name or "")
    return name, detect_material_kind(file=file, name=name)


class SizeLimitUploadHandler(FileUploadHandler):
    """Stop storing an uploaded file as soon as it passes the limit, instead of at the end.

    Put it first in ``request.upload_handlers``. The oversized file is skipped (never written to
    a temporary file); ``too_large`` then names it so the view can show the form error.
    """

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large: str | None = None

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)  # type: ignore[arg-type]
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = self.field_name
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def size_limit_install(request: HttpRequest) -> SizeLimitUploadHandler:
    """Put the material size limit first in the request's upload handlers and return it.

    Call it before anything reads the body (form, DRF parser or CSRF check): afterwards Django
    refuses new handlers. The page and the API install it the same way.
    """
    limiter = SizeLimitUploadHandler(request, limit=settings.CLASSMEET_MATERIAL_MAX_BYTES)
    request.upload_handlers = [limiter, *request.upload_handlers]
    return limiter


def too_large_message(size: int | None = None) -> str:
    limit = settings.CLASSMEET_MATERIAL_MAX_BYTES
    if size is None:
        return _("The file is too large. The limit is %(limit)s.") % {
            "limit": filesizeformat(limit)
        }
    return _("The file is too large (%(size)s). The limit is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


# Thumbnails ---------------------------------------------------------------------------------


THUMBNAIL_MAX_SIZE = (1280, 720)


def _reencoded(image: Image.Image, extension: str) -> ContentFile[bytes]:
    """Return the picture upright, at most 1280x720, without its metadata (GPS, camera...)."""
    image = ImageOps.exif_transpose(image)
    image.thumbnail(THUMBNAIL_MAX_SIZE)
    if extension == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    fmt = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[extension]
    options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    image.save(buffer, format=fmt, **options)
    return ContentFile(buffer.getvalue(), name=f"thumbnail.{extension}")


def validate_thumbnail(file: UploadedFile) -> tuple[str, File[bytes]]:
    """Check an uploaded course picture with Pillow; return its extension and what to store.

    The pixel count is checked from the header, before anything is decoded, so a tiny file
    that claims huge dimensions (a decompression bomb) is refused without using memory. Still
    pictures are re-encoded (upright, bounded, metadata dropped); GIFs are kept as they are so
    animations survive.
    """
    limit = settings.CLASSMEET_THUMBNAIL_MAX_BYTES
    if file.size is None or file.size > limit:
        raise ValidationError(
            _("The picture is too large. The limit is %(limit)s.")
            % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    invalid = ValidationError(
        _("Upload a valid image: JPEG, PNG, WebP or GIF."), code="invalid_image"
    )
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.format not in THUMBNAIL_FORMATS:
                raise invalid
            width, height = image.size
            if width * height > settings.CLASSMEET_THUMBNAIL_MAX_PIXELS:
                raise ValidationError(
                    _("The picture is too big (%(w)s x %(h)s pixels).") % {"w": width, "h": height},
                    code="too_many_pixels",
                )
            image.verify()
            extension = THUMBNAIL_FORMATS[image.format]
        file.seek(0)
        # verify() does not decode pixels; load() on a fresh handle catches truncated data.
        with Image.open(file) as image:
            image.load()
            if extension in ("jpg", "png", "webp"):
                return extension, _reencoded(image, extension)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The picture has too many pixels."), code="too_many_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise invalid from None
    finally:
        file.seek(0)
    file.name = f"thumbnail.{extension}"
    return extension, file
