"""ASGI helpers shared by every WebSocket route."""

from __future__ import annotations

import logging
from typing import Any

from channels.middleware import BaseMiddleware

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
