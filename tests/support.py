"""Helpers shared by tests and benchmarks: a free loopback port, and the "required in CI" rule.

Import them (`from tests.support import free_port, require_service`); never `from conftest import`.
"""

from __future__ import annotations

import os
import random
import socket
from typing import TYPE_CHECKING

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
