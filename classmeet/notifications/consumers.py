"""The notifications socket: each signed-in tab joins its user's group and receives new ones."""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from classmeet.core.policy import RoomEntry

from .services import user_group_name


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Server-to-browser only: frames from the browser are ignored."""

    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Accept, then close: the browser then sees 4401 and stops reconnecting.
            await self.accept()
            await self.close(code=RoomEntry.ANONYMOUS.value)
            return
        self.group_name = user_group_name(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        return None

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
