"""Helpers shared by tests and benchmarks: a free loopback port, and the "required in CI" rule.

Import them (`from tests.support import free_port, require_service`); never `from conftest import`.
"""

from __future__ import annotations

import os
import random
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

    # What django.test.Client returns: an HttpResponse plus .context, .templates, .json().
    ClientResponse = _MonkeyPatchedWSGIResponse
else:  # the stubs' name exists only for mypy
    from django.http import HttpResponseBase as ClientResponse  # noqa: F401

# In CI every service must be there: a test that needs one fails instead of skipping.
REQUIRE_SERVICES = (
    os.environ.get("CLASSMEET_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"
)


def require_service(available: bool, missing: str, *, required: str | None = None) -> None:
    """Return if the service is there; else fail under CLASSMEET_REQUIRE_SERVICES/CI, skip otherwise.

    `missing` is the skip reason; `required` the failure message (default: `missing`).
    """
    if available:
        return
    import pytest  # here, not at the top: benchmarks import this module without pytest

    if REQUIRE_SERVICES:
        pytest.fail(required or missing)
    pytest.skip(missing)


def free_port(*, udp: bool = False) -> int:
    """A port free on 127.0.0.1 for TCP (and for UDP too when `udp`: a TURN server listens on both)."""
    if not udp:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port
    for _ in range(50):
        port = random.randint(20000, 40000)
        with (
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp_sock,
        ):
            try:
                tcp.bind(("127.0.0.1", port))
                udp_sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


async def asgi_get(
    app: Any, path: str, *, cookie: str = "", host: str = "127.0.0.1"
) -> list[dict[str, Any]]:
    """GET `path` from an ASGI app in this process; return the messages it sent.

    The client stays connected until the app is done (receive waits; the handler cancels it).
    """
    import asyncio

    sent: list[dict[str, Any]] = []
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host.encode()), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 40000),
        "server": (host, 80),
    }
    await app(scope, receive, send)
    return sent


def write_catalog(
    locale_dir: Any, language: str, messages: dict[Any, str | tuple[str, ...]]
) -> None:
    """Write `<locale_dir>/<language>/LC_MESSAGES/django.mo` holding these translations.

    For tests that need a string translated before the real catalogs have it (they must not
    depend on the translators' progress). A plural message is keyed by its (singular, plural)
    pair and translated by a tuple of forms (French's rule: n > 1). The GNU .mo layout, as
    CPython's Tools/i18n/msgfmt.py writes it.
    """
    import struct
    from pathlib import Path

    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n"
    catalog = {"": header}
    for key, value in messages.items():
        msgid = "\0".join(key) if isinstance(key, tuple) else key
        catalog[msgid] = "\0".join(value) if isinstance(value, tuple) else value
    keys = sorted(catalog)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        msgid, msgstr = key.encode(), catalog[key].encode()
        offsets.append((len(ids), len(msgid), len(strs), len(msgstr)))
        ids += msgid + b"\0"
        strs += msgstr + b"\0"
    start = 7 * 4 + 16 * len(keys)  # the header, then the two tables of (length, offset)
    id_table: list[int] = []
    str_table: list[int] = []
    for id_offset, id_length, str_offset, str_length in offsets:
        id_table += [id_length, start + id_offset]
        str_table += [str_length, start + len(ids) + str_offset]
    data = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    data += struct.pack(f"{len(id_table)}i", *id_table)
    data += struct.pack(f"{len(str_table)}i", *str_table)
    path = Path(locale_dir) / language / "LC_MESSAGES" / "django.mo"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data + ids + strs)
