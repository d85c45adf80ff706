"""config/asgi.py serves pages through SyncChainASGIHandler: the middleware chain and the view in
one sync call, with the same answer as Django's own handler (status, body, security headers)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import SyncToAsync, async_to_sync
from django.core.handlers.asgi import ASGIHandler
from django.db import connection
from django.test import Client

from classmeet.core.asgi import SyncChainASGIHandler
from tests.support import asgi_get

# The chain runs on the request's own thread: it must see committed rows, not the test's
# transaction.
pytestmark = pytest.mark.django_db(transaction=True)

# Per-request values: the request id, the CSRF cookie's token, the CSP nonce.
VARYING = {b"x-request-id", b"set-cookie", b"content-security-policy"}


async def serve(app: Any, path: str, cookie: str) -> tuple[int, dict[bytes, bytes], bytes]:
    sent = await asyncio.wait_for(asgi_get(app, path, cookie=cookie, host="testserver"), 30)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body


def test_the_application_serves_pages_through_one_sync_call():
    from config.asgi import django_asgi_app

    assert isinstance(django_asgi_app, SyncChainASGIHandler)
    chain = getattr(django_asgi_app, "_middleware_chain")  # noqa: B009 (untyped in Django)
    assert isinstance(chain, SyncToAsync)
    assert chain.func.__class__.__name__ != "AsyncToSync"


@pytest.mark.parametrize("path", ["/notifications/", "/api/v1/notifications/"])
def test_same_answer_as_djangos_handler(student, path):
    client = Client()
    client.force_login(student)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    ours = async_to_sync(serve)(SyncChainASGIHandler(), path, cookie)
    django = async_to_sync(serve)(ASGIHandler(), path, cookie)
    assert ours[0] == django[0]
    assert {k: v for k, v in ours[1].items() if k not in VARYING} == {
        k: v for k, v in django[1].items() if k not in VARYING
    }
    assert b"content-security-policy" in ours[1]
    assert ours[1][b"x-frame-options"] == django[1][b"x-frame-options"]
    # The page's body differs only by its per-request tokens (CSRF, CSP nonce).
    assert len(ours[2]) == len(django[2])
    assert ours[0] == 200  # signed in: both pages send strangers away


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")
def test_a_page_that_raises_gives_its_connection_back(student):
    """A view's 404 becomes the 404 page on the request's thread, which returns its connection
    at the end of the request. (Django's async chain renders it on a thread of the loop's
    executor that never ends a request: its connection stayed taken, one per such thread.)"""
    client = Client()
    client.force_login(student)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    pool = getattr(connection, "pool", None)
    assert pool is not None
    app = SyncChainASGIHandler()
    async_to_sync(serve)(app, "/notifications/", cookie)
    taken = pool.get_stats()["pool_size"] - pool.get_stats()["pool_available"]
    for path in ["/nowhere/", "/meetings/999999/"]:
        status, _, body = async_to_sync(serve)(app, path, cookie)
        assert status == 404
        assert b"<html" in body  # the product's 404 page, rendered with the navbar
    stats = pool.get_stats()
    assert stats["pool_size"] - stats["pool_available"] == taken
