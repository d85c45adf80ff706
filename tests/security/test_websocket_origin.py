"""Cross-site WebSocket hijacking: a page on another site can make the victim's browser open our
sockets with the victim's session cookie; only the Origin header tells. Every socket must refuse
a foreign (or missing) Origin even with a valid session cookie, and accept our own.

Two layers: channels' WebsocketCommunicator over config.asgi.application, and a real uvicorn
server with the `websockets` client (the handshake is refused with HTTP 403).
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

FOREIGN_ORIGINS = [
    "http://evil.example",
    "https://evil.example",
    "http://127.0.0.1.evil.example",
    "http://127.0.0.1@evil.example",
    "http://localhost.evil.example:8000",
    "null",
    "file://",
    "chrome-extension://abcdefghijklmnop",
]
OWN_ORIGIN = "http://127.0.0.1"


def cookie_of(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def websocket_routes() -> list[str]:
    """Every route of the project's WebSocket URLRouter (found through its middleware)."""
    from channels.routing import URLRouter

    from config.asgi import application

    app: Any = application.application_mapping["websocket"]
    while not isinstance(app, URLRouter):
        app = getattr(app, "application", None) or app.inner
    return [str(route.pattern) for route in app.routes]


def socket_paths(meeting: Any) -> list[str]:
    """A concrete path for every WebSocket route (ids are the live meeting's)."""
    import re

    paths = []
    for route in websocket_routes():
        path = re.sub(r"<(?:\w+:)?\w+>", str(meeting.pk), route)
        path = re.sub(r"\(\?P<\w+>[^)]*\)", str(meeting.pk), path)
        paths.append("/" + path.lstrip("^").rstrip("$").lstrip("/"))
    return paths


def test_every_socket_route_is_covered():
    routes = websocket_routes()
    assert any("meeting" in r for r in routes)
    assert any("notifications" in r for r in routes)


async def communicator_connects(path: str, cookie: str, origin: str | None) -> bool:
    from config.asgi import application

    headers = [(b"cookie", cookie.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect(timeout=5)
    if connected:
        await communicator.disconnect()
    return bool(connected)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("origin", [*FOREIGN_ORIGINS, None])
async def test_asgi_app_refuses_foreign_origin_with_a_valid_cookie(
    origin, live_meeting, enrollment
):
    cookie = await database_sync_to_async(cookie_of)(enrollment.student)
    for path in socket_paths(live_meeting):
        assert not await communicator_connects(path, cookie, origin), (path, origin)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("origin", [OWN_ORIGIN, "http://localhost:8000", "https://127.0.0.1"])
async def test_asgi_app_accepts_our_own_origin(origin, live_meeting, enrollment):
    """Control: the same cookie from our own site connects, so the refusals are the Origin."""
    cookie = await database_sync_to_async(cookie_of)(enrollment.student)
    for path in socket_paths(live_meeting):
        assert await communicator_connects(path, cookie, origin), (path, origin)


def handshake_status(url: str, cookie: str, origin: str | None) -> int:
    headers = {"Cookie": cookie}
    if origin is not None:
        headers["Origin"] = origin
    try:
        with connect(url, additional_headers=headers, open_timeout=5, origin=None) as ws:
            ws.close()
            return 101
    except InvalidStatus as error:
        return error.response.status_code


@pytest.mark.django_db(transaction=True)
def test_real_server_refuses_foreign_origins_and_accepts_its_own(
    live_server_url,
    live_meeting,
    enrollment,
):
    ws_base = live_server_url.replace("http://", "ws://")
    own = live_server_url  # http://127.0.0.1:<port>
    cookie = cookie_of(enrollment.student)
    results: dict[tuple[str, str | None], int] = {}
    for path in socket_paths(live_meeting):
        for origin in [*FOREIGN_ORIGINS, None, own]:
            results[(path, origin)] = handshake_status(ws_base + path, cookie, origin)
    refused = {k: v for k, v in results.items() if k[1] != own}
    assert set(refused.values()) == {403}, refused
    assert {results[(p, own)] for p in socket_paths(live_meeting)} == {101}
