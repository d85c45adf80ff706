"""Locks, an enforced mute: staff lock students' microphones, cameras, screen sharing or chat.

`lock` sets devices for every student of the room (and ends the per-student exceptions of those
devices); `lock-peer` sets them for one student, whatever the room's lock (a student asked to
speak is unlocked alone). The course's staff are never locked. Everybody gets `locks` with the
whole state on each change, and late joiners in `room-state`.

Per-student exceptions are kept by user id, not peer id: they cover every tab of the student
and survive a reconnect or a reload (which bring a new peer id). The state lives next to
presence (Redis with the Redis layer, else this process) as one JSON value per room, kept for
`LOCKS_TTL_SECONDS` after its last change (locks must not lapse during a quiet class).

The server enforces them: a locked student's `chat` gets error `locked`, and so does a
`media-state` turning a locked device on (the device is stored and broadcast as off). Pages
turn the device off and stop playing a locked student's media (mesh); with the SFU, Janus
stops forwarding it (`sfu.consumer.SfuConsumer.locks_changed`, VideoRoom `moderate`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from classmeet import access
from classmeet.rooms import protocol
from classmeet.rooms.classroom_base import ClassroomBase, room_redis
from classmeet.rooms.services.events import meeting_group_name

LOCKED = protocol.ErrorCode.LOCKED
LOCKS_EVENT = "room.locks"  # group event: the `locks` frame, and what SFU sockets act on
LOCKS_TTL_SECONDS = 12 * 3600
MEDIA_DEVICES = ("mic", "camera", "screen")

# {"room": {device: bool}, "users": {"<user id>": {device: bool}}, "staff": [user id]}
State = dict[str, Any]


def _empty() -> State:
    return {"room": {}, "users": {}, "staff": []}


def locked_devices(locks: protocol.Locks, user_id: int) -> set[str]:
    """The devices locked for this user: the user's exceptions first, then the room's lock."""
    if user_id in locks.staff:
        return set()
    own = next((entry for entry in locks.users if entry.userId == user_id), None)
    found: set[str] = set()
    for device in protocol.LOCK_DEVICES:
        value = getattr(own, device) if own is not None else None
        if value is None:
            value = getattr(locks.room, device)
        if value:
            found.add(device)
    return found


def as_message(state: State) -> protocol.Locks:
    return protocol.Locks(
        room=protocol.LockState(**state["room"]),
        users=[
            protocol.UserLocks(userId=int(user_id), **devices)
            for user_id, devices in sorted(state["users"].items(), key=lambda item: int(item[0]))
            if devices
        ],
        staff=sorted(state["staff"]),
    )


class LocksState:
    """Each room's locks (see `State`), in Redis or in this process."""

    def __init__(self) -> None:
        self._rooms: dict[int, State] = {}

    _redis = staticmethod(room_redis)

    async def get(self, meeting_id: int) -> protocol.Locks:
        redis = self._redis(meeting_id)
        if redis is None:
            return as_message(self._rooms.get(meeting_id) or _empty())
        client, base = redis
        raw = await client.get(f"{base}:locks")
        return as_message(json.loads(raw) if raw else _empty())

    async def update(self, meeting_id: int, change: Callable[[State], None]) -> protocol.Locks:
        """Apply `change` to the room's state atomically (across processes); return the result."""
        redis = self._redis(meeting_id)
        if redis is None:
            state = self._rooms.setdefault(meeting_id, _empty())
            change(state)
            return as_message(state)
        from redis.exceptions import WatchError

        client, base = redis
        key = f"{base}:locks"
        async with client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    state = json.loads(raw) if raw else _empty()
                    change(state)
                    pipe.multi()
                    pipe.set(key, json.dumps(state), ex=LOCKS_TTL_SECONDS)
                    await pipe.execute()
                    return as_message(state)
                except WatchError:
                    continue  # changed by another socket meanwhile: read it again


state = LocksState()


def lock_room(devices: dict[str, bool], staff: set[int]) -> Callable[[State], None]:
    def change(current: State) -> None:
        current["room"].update(devices)
        for own in current["users"].values():
            for device in devices:
                own.pop(device, None)
        current["users"] = {user: own for user, own in current["users"].items() if own}
        current["staff"] = sorted(staff)

    return change


def lock_user(user_id: int, devices: dict[str, bool], staff: set[int]) -> Callable[[State], None]:
    def change(current: State) -> None:
        own = current["users"].setdefault(str(user_id), {})
        for device, locked in devices.items():
            if bool(current["room"].get(device, False)) == locked:
                own.pop(device, None)  # the same as the room's: no exception needed
            else:
                own[device] = locked
        if not own:
            del current["users"][str(user_id)]
        current["staff"] = sorted(staff)

    return change


class LocksPart(ClassroomBase):
    """`lock` and `lock-peer`, and the checks chat and media state call."""

    async def _locks_staff(self) -> set[int]:
        staff: set[int] = await database_sync_to_async(access.rooms.room_staff_ids)(
            meeting_id=self.meeting_id
        )
        return staff

    async def handle_lock(self, message: protocol.Lock) -> None:
        if await self._teacher() is None:
            return
        staff = await self._locks_staff()
        locks = await state.update(self.meeting_id, lock_room(message.devices(), staff))
        await self._broadcast_locks(locks)

    async def handle_lock_peer(self, message: protocol.LockPeer) -> None:
        if await self._teacher() is None:
            return
        target = await self._target(message.peerId)
        if target is None:
            return
        staff = await self._locks_staff()
        if target.user_id in staff:
            await self.send_error(
                protocol.ErrorCode.FORBIDDEN, _("Staff are never locked."), [message.peerId]
            )
            return
        change = lock_user(target.user_id, message.devices(), staff)
        await self._broadcast_locks(await state.update(self.meeting_id, change))

    async def _broadcast_locks(self, locks: protocol.Locks) -> None:
        await self.channel_layer.group_send(
            meeting_group_name(self.meeting_id),
            {"type": LOCKS_EVENT, "text": protocol.dump(locks), "exclude": ""},
        )

    async def room_locks(self, event: dict[str, Any]) -> None:
        """The room's locks changed: tell the client, then act on them (`locks_changed`)."""
        await self.room_frame(event)
        if self.peer is not None and not self.closing:
            await self.locks_changed(protocol.Locks.model_validate_json(event["text"]))

    async def locks_changed(self, locks: protocol.Locks) -> None:
        """What this socket does when the locks change, besides telling its client (SFU)."""

    # Checks for the classroom's handlers --------------------------------------------------------

    async def my_locks(self) -> set[str]:
        """The devices locked for this socket's user (none for staff: no state read)."""
        if self.peer is None or await self._is_staff():
            return set()
        return locked_devices(await state.get(self.meeting_id), self.peer.user_id)

    async def chat_locked(self) -> bool:
        """True (and error `locked` sent) if this socket's user may not chat now."""
        if "chat" not in await self.my_locks():
            return False
        await self.send_error(LOCKED, _("The teacher locked the chat."), ["chat"])
        return True

    async def unlocked_media(self, media: dict[str, bool]) -> dict[str, bool]:
        """The media state with locked devices off; error `locked` if it turned one on."""
        if not any(media.get(device) for device in MEDIA_DEVICES):
            return media  # turning devices off is always allowed: no state read
        locked = await self.my_locks()
        refused = [device for device in MEDIA_DEVICES if media.get(device) and device in locked]
        if not refused:
            return media
        await self.send_error(LOCKED, _("The teacher locked that device."), refused)
        return {**media, **dict.fromkeys(refused, False)}
