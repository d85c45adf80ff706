"""ASGI helpers shared by every WebSocket route."""

from __future__ import annotations

import logging
from typing import Any

from channels.middleware import BaseMiddleware
from django.utils import translation

from classmeet.core.recipients import language_for_scope

logger = logging.getLogger(__name__)


class ClientGoneMiddleware(BaseMiddleware):
    """Drop what a consumer sends after the client has closed its socket, instead of raising.

    A client may leave at any moment, for example right after `join` while the server is still
    answering it. uvicorn then raises `ClientDisconnected` (an OSError) from `send`, in whatever
    handler was sending, which logged an ERROR traceback for a normal disconnect. The server has
    already queued `websocket.disconnect`, so the consumer still runs its `disconnect()` next.
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        async def send_while_connected(message: dict[str, Any]) -> None:
            try:
                await send(message)
            except OSError:
                logger.debug(
                    "websocket %s: client gone, %s dropped", scope["path"], message["type"]
                )

        return await super().__call__(scope, receive, send_while_connected)


class SocketLanguageMiddleware(BaseMiddleware):
    """Run each socket in its user's language: the profile's, else the browser's Accept-Language.

    Inside AuthMiddlewareStack (it reads scope["user"]). Django's active language lives in an
    asgiref Local, a context variable: set here around the whole connection, it holds for every
    handler of the consumer (channels' per-message tasks and the room consumer's readers copy
    this context when they start, and `database_sync_to_async` carries it to the database
    thread), and each connection runs in a context of its own, so it never leaks to another.
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        with translation.override(language_for_scope(scope)):
            return await super().__call__(scope, receive, send)
