"""Generated demo files: a one-page PDF and a PNG, the same bytes on every run."""

import io
import math
import zlib

from PIL import Image, ImageDraw


def slug(text: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return "-".join(words) or "file"


def demo_pdf(*, title: str, lines: list[str]) -> bytes:
    """Return a small valid one-page PDF showing title and lines in Helvetica."""

    def literal(text: str) -> str:
        ascii_text = text.encode("ascii", "replace").decode()
        return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = [f"BT /F1 22 Tf 72 760 Td ({literal(title)}) Tj ET"]
    for number, line in enumerate(lines):
        ops.append(f"BT /F1 12 Tf 72 {720 - 20 * number} Td ({literal(line)}) Tj ET")
    stream = zlib.compress("\n".join(ops).encode("ascii"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)


def demo_png(*, title: str, width: int = 640, height: int = 360) -> bytes:
    """Return a PNG with a sine wave and a caption; the same bytes every time."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    middle = height // 2
    draw.line([(0, middle), (width, middle)], fill=(200, 200, 200), width=1)
    points = [
        (x, middle - int(middle * 0.6 * math.sin(2 * math.pi * x / (width / 2))))
        for x in range(width)
    ]
    draw.line(points, fill=(13, 110, 253), width=4)
    draw.text((16, 16), title.encode("ascii", "replace").decode(), fill=(33, 37, 41))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
