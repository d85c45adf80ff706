"""The notifications socket: each signed-in tab joins its user's group and receives new ones."""

import asyncio
import contextlib
import json
import logging
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from classmeet import access

from . import presence
from .services import user_group_name

logger = logging.getLogger(__name__)


# Error frames, as the room socket's (classmeet/rooms/protocol.py ErrorCode, docs/protocol.md).
BAD_JSON = "bad-json"
BAD_MESSAGE = "bad-message"


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Server-to-browser only: JSON objects from the browser are ignored, anything else (binary,
    not JSON, a JSON array or scalar) is answered with an `error` frame; the socket stays open."""

    group_name: str | None = None
    presence_task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Accept, then close: the browser then sees 4401 and stops reconnecting.
            await self.accept()
            await self.close(code=access.rooms.RoomEntry.ANONYMOUS.value)
            return
        self.group_name = user_group_name(user.pk)
        # Online first: fan-outs push only to users with a socket open (presence.py).
        await presence.mark_online(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        self.presence_task = asyncio.create_task(self.stay_online(user.pk))
        await self.accept()

    async def stay_online(self, user_id: int) -> None:
        while True:
            await asyncio.sleep(presence.refresh_seconds())
            try:
                await presence.mark_online(user_id)
            except Exception:  # Redis restarting: the next refresh (within the TTL) repairs it
                logger.warning("notifications: presence refresh failed", exc_info=True)

    async def disconnect(self, code: int) -> None:
        if self.presence_task is not None:
            self.presence_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.presence_task
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is None:
            await self.send_error(BAD_JSON, _("Send JSON text frames."))
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep
            await self.send_error(BAD_JSON, _("That frame is not valid JSON."))
            return
        if not isinstance(content, dict):
            await self.send_error(BAD_MESSAGE, _("A frame is a JSON object."))

    async def send_error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    async def notification_created(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread": event["unread"],
            }
        )

    async def notification_read(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "unread", "unread": event["unread"]})
