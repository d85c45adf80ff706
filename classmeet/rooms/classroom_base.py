"""What every part of the classroom consumer shares: the joined peer, the staff check, sending.

Each part of the live class (classroom.py: chat, hands, media state, teacher controls; and the
parts built beside it) is a subclass of `ClassroomBase`; `ClassroomConsumer` combines them, so a
part's handlers find these helpers whatever the order of the bases. State a part keeps during a
class lives next to presence: in Redis with the Redis layer (`room_redis`), else in the process.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from classmeet import access
from classmeet.rooms import conf, presence, protocol
from classmeet.rooms.consumers import RoomConsumer
from classmeet.rooms.frames import frame_event
from classmeet.rooms.services.events import meeting_group_name

FORBIDDEN = protocol.ErrorCode.FORBIDDEN


def room_redis(meeting_id: int) -> tuple[Any, str] | None:
    """(client, key prefix) of a room's state in Redis, or None with the in-process store."""
    store = presence.get_store()
    if isinstance(store, presence.RedisPresenceStore):
        # Same server, prefix and per-loop client as presence.
        return store._client(), f"{store.prefix}:room.{meeting_id}"
    return None


def room_state_ttl() -> int:
    """Seconds a room's state outlives its last write (refreshed while the room is used)."""
    return int(conf.presence_ttl_seconds()) * 4


def _can_control(user: Any, meeting_id: int) -> bool:
    meeting = access.meetings.meeting_with_viewer(user=user, meeting_id=meeting_id)
    return meeting is not None and access.rooms.can_control_room(user=user, meeting=meeting)


class ClassroomBase(RoomConsumer):
    _can_control: bool | None = None
    # The room entry rule's answer for the `join` being handled, if a part already asked it.
    _entry_just_checked: access.rooms.RoomEntry | None = None

    # Helpers ------------------------------------------------------------------------------------

    async def _send_message(self, message: protocol.Message) -> None:
        await self.send(text_data=protocol.dump(message))

    async def _broadcast(self, message: protocol.Message, *, exclude_self: bool = False) -> None:
        await self.channel_layer.group_send(
            meeting_group_name(self.meeting_id),
            frame_event(protocol.dump(message), exclude=self.channel_name if exclude_self else ""),
        )

    async def _joined(self) -> presence.Peer | None:
        if self.peer is None:
            await self.send_error(protocol.ErrorCode.NOT_JOINED, _("Send `join` first."))
        return self.peer

    async def _is_staff(self) -> bool:
        """Whether this socket's user is staff (the teacher or an assistant): asked once."""
        if self._can_control is None:
            self._can_control = await database_sync_to_async(_can_control)(
                self.scope.get("user"), self.meeting_id
            )
        return self._can_control

    async def _teacher(self) -> presence.Peer | None:
        """This socket's peer if it is staff (the teacher or an assistant); otherwise an error."""
        peer = await self._joined()
        if peer is None:
            return None
        if not await self._is_staff():
            await self.send_error(FORBIDDEN, _("Only the teacher can do that."))
            return None
        return peer

    async def _target(self, peer_id: str) -> presence.Peer | None:
        target = await presence.lookup(self.meeting_id, peer_id)
        if target is None:
            await self.send_error(
                protocol.ErrorCode.UNKNOWN_PEER, _("That peer is not in the room."), [peer_id]
            )
        return target
