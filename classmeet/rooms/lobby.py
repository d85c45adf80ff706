"""The waiting room of a live class (`Meeting.waiting_room`): students wait until staff let them in.

A student's `join` in such a meeting, unless the student was let in before
(`access.rooms.waits_to_be_admitted`), is answered `waiting` instead of `welcome`: the socket
does not enter presence, the room's group or the SFU, and every frame of it but `leave` and
`ping` gets `error` `waiting`. It joins the meeting's lobby group only (`lobby.<id>`), where
nothing of the room is sent. The staff's sockets join the meeting's staff group
(`lobby-staff.<id>`) and get `knock` and `waiting-list` there. `admit`/`admit-all` record the
admission (a `RoomAdmission` row: later joins do not wait) and send `lobby.admit` to the lobby
group: the waiting sockets of those users carry on with their own `join`, as if it had just
arrived. `deny` sends `lobby.deny`: `denied`, then close 4412; the user may knock again.

Who waits lives next to presence (`LobbyState`: Redis with the Redis layer), one entry per
waiting socket, refreshed while it waits so that a crashed process's entries drop out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from classmeet import access
from classmeet.rooms import conf, protocol
from classmeet.rooms.classroom_base import ClassroomBase, room_redis, room_state_ttl
from classmeet.rooms.frames import frame_event
from classmeet.rooms.services.events import lobby_group_name, lobby_staff_group_name

logger = logging.getLogger(__name__)

CLOSE_DENIED = 4412
ADMIT = "lobby.admit"  # lobby group event: {user_ids}: those users' waiting sockets join
DENY = "lobby.deny"  # lobby group event: {user_ids, reason}: those users' sockets go

Listing = list[protocol.WaitingUser]


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, tz=UTC).isoformat()


def _stale_before() -> float:
    return time.time() - conf.presence_ttl_seconds()


def _listing(entries: dict[str, dict[str, Any]]) -> Listing:
    """One row per waiting user (their oldest fresh socket), oldest first."""
    fresh = _stale_before()
    users: dict[int, dict[str, Any]] = {}
    for entry in entries.values():
        if entry["seen"] < fresh:
            continue  # its process stopped refreshing it (crashed)
        known = users.get(entry["user_id"])
        if known is None or entry["since"] < known["since"]:
            users[entry["user_id"]] = entry
    return [
        protocol.WaitingUser(userId=user_id, name=entry["name"], since=_iso(entry["since"]))
        for user_id, entry in sorted(users.items(), key=lambda item: item[1]["since"])
    ]


class LobbyState:
    """The waiting sockets of each room (channel name → user, name, since, last seen), with a
    version that grows at every change so that staff pages can drop stale lists."""

    def __init__(self) -> None:
        self._entries: dict[int, dict[str, dict[str, Any]]] = {}
        self._versions: dict[int, int] = {}

    _redis = staticmethod(room_redis)
    _ttl = staticmethod(room_state_ttl)

    async def put(
        self, meeting_id: int, channel: str, entry: dict[str, Any]
    ) -> tuple[int, Listing]:
        """Add or refresh a waiting socket; return the new version and listing."""
        redis = self._redis(meeting_id)
        if redis is None:
            self._entries.setdefault(meeting_id, {})[channel] = entry
            return self._bump(meeting_id)
        client, base = redis
        async with client.pipeline(transaction=True) as pipe:
            pipe.hset(f"{base}:lobby", channel, json.dumps(entry))
            pipe.expire(f"{base}:lobby", self._ttl())
            pipe.incr(f"{base}:lobby-version")
            pipe.expire(f"{base}:lobby-version", self._ttl())
            pipe.hgetall(f"{base}:lobby")
            *_done, version, _expire, raw = await pipe.execute()
        return int(version), _listing(_decode(raw))

    async def drop(self, meeting_id: int, channel: str) -> tuple[bool, int, Listing]:
        """Remove a waiting socket; return whether it was there, and the version and listing."""
        redis = self._redis(meeting_id)
        if redis is None:
            found = self._entries.get(meeting_id, {}).pop(channel, None) is not None
            return (found, *self._bump(meeting_id))
        client, base = redis
        async with client.pipeline(transaction=True) as pipe:
            pipe.hdel(f"{base}:lobby", channel)
            pipe.incr(f"{base}:lobby-version")
            pipe.hgetall(f"{base}:lobby")
            removed, version, raw = await pipe.execute()
        return bool(removed), int(version), _listing(_decode(raw))

    async def drop_users(
        self, meeting_id: int, user_ids: set[int]
    ) -> tuple[list[int], int, Listing]:
        """Remove every waiting socket of these users; return the users who were waiting (fresh
        entries only), and the version and listing."""
        entries = await self.entries(meeting_id)
        waiting = {w.userId for w in _listing(entries)} & user_ids
        channels = [channel for channel, e in entries.items() if e["user_id"] in user_ids]
        redis = self._redis(meeting_id)
        if redis is None:
            for channel in channels:
                self._entries.get(meeting_id, {}).pop(channel, None)
            return (sorted(waiting), *self._bump(meeting_id))
        client, base = redis
        async with client.pipeline(transaction=True) as pipe:
            if channels:
                pipe.hdel(f"{base}:lobby", *channels)
            pipe.incr(f"{base}:lobby-version")
            pipe.hgetall(f"{base}:lobby")
            *_removed, version, raw = await pipe.execute()
        return sorted(waiting), int(version), _listing(_decode(raw))

    async def entries(self, meeting_id: int) -> dict[str, dict[str, Any]]:
        redis = self._redis(meeting_id)
        if redis is None:
            return dict(self._entries.get(meeting_id, {}))
        client, base = redis
        return _decode(await client.hgetall(f"{base}:lobby"))

    async def listing(self, meeting_id: int) -> tuple[int, Listing]:
        redis = self._redis(meeting_id)
        if redis is None:
            return self._versions.get(meeting_id, 0), _listing(self._entries.get(meeting_id, {}))
        client, base = redis
        async with client.pipeline(transaction=True) as pipe:
            pipe.get(f"{base}:lobby-version")
            pipe.hgetall(f"{base}:lobby")
            version, raw = await pipe.execute()
        return int(version or 0), _listing(_decode(raw))

    def _bump(self, meeting_id: int) -> tuple[int, Listing]:
        version = self._versions[meeting_id] = self._versions.get(meeting_id, 0) + 1
        return version, _listing(self._entries.get(meeting_id, {}))


def _decode(raw: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    return {str(channel): json.loads(value) for channel, value in raw.items()}


lobby = LobbyState()


# Database work (runs in a DB thread) ------------------------------------------------------------


def _lobby_entry(user: Any, meeting_id: int) -> tuple[access.rooms.RoomEntry, bool, bool]:
    """(entry, must wait, is staff) of the user joining the meeting's room."""
    entry, meeting = access.rooms.room_entry(user=user, meeting_id=meeting_id)
    if entry is not access.rooms.RoomEntry.ALLOWED or meeting is None:
        return entry, False, False
    staff = access.rooms.can_control_room(user=user, meeting=meeting)
    waits = not staff and access.rooms.waits_to_be_admitted(user=user, meeting=meeting)
    return entry, waits, staff


def _admission_record(meeting_id: int, user_ids: list[int], by_id: int) -> None:
    from classmeet.meetings.services.admissions import room_admission_record

    room_admission_record(meeting_id=meeting_id, user_ids=user_ids, by_id=by_id)


# The consumer part ------------------------------------------------------------------------------


class LobbyPart(ClassroomBase):
    _lobby_join: protocol.Join | None = None  # the `join` of a socket that waits
    _lobby_passed: bool = False  # this socket's join was let through (no wait, or admitted)
    _lobby_refresh: asyncio.Task[None] | None = None
    _lobby_staff: bool = False  # in the staff group

    async def run_handler(self, message: protocol.ClientMessage) -> None:
        if self._lobby_join is not None:
            if isinstance(message, protocol.Leave | protocol.Ping):
                await super().run_handler(message)
            else:
                await self.send_error(
                    protocol.ErrorCode.WAITING, _("Wait until the teacher lets you in.")
                )
            return
        if (
            isinstance(message, protocol.Join)
            and self.peer is None
            and not self._lobby_passed
            and await self._knock(message)
        ):
            return
        await super().run_handler(message)

    async def _knock(self, message: protocol.Join) -> bool:
        """Decide whether this join waits; if so, put the socket in the waiting room."""
        entry, waits, staff = await database_sync_to_async(_lobby_entry)(
            self.scope.get("user"), self.meeting_id
        )
        if entry is not access.rooms.RoomEntry.ALLOWED:
            return False  # the join itself refuses it, with the close code
        self._can_control = staff  # the staff check of `_teacher`, made once
        if not waits:
            self._lobby_passed = True
            self._entry_just_checked = entry  # the join that follows now needs no second look
            return False
        self._lobby_join = message
        since = time.time()
        await self.channel_layer.group_add(lobby_group_name(self.meeting_id), self.channel_name)
        record = {
            "user_id": self.user_info["user_id"],
            "name": self.user_info["name"],
            "since": since,
            "seen": since,
        }
        version, listing = await lobby.put(self.meeting_id, self.channel_name, record)
        await self._send_message(
            protocol.Waiting(since=_iso(since), heartbeatSeconds=conf.heartbeat_seconds())
        )
        knock = protocol.Knock(userId=record["user_id"], name=record["name"])
        await self._to_staff(knock)
        await self._to_staff(protocol.WaitingList(version=version, waiting=listing))
        self._lobby_refresh = asyncio.create_task(self._refresh(record))
        return True

    async def _refresh(self, record: dict[str, Any]) -> None:
        """Keep this socket's entry fresh while it waits (a crashed process's entries expire)."""
        while True:
            await asyncio.sleep(conf.presence_ttl_seconds() / 3)
            with contextlib.suppress(Exception):
                await lobby.put(self.meeting_id, self.channel_name, {**record, "seen": time.time()})

    async def _leave_lobby(self) -> protocol.Join | None:
        """Take this socket out of the waiting room; return its `join` (None if not waiting)."""
        join, self._lobby_join = self._lobby_join, None
        if join is None:
            return None
        if self._lobby_refresh is not None:
            self._lobby_refresh.cancel()
            self._lobby_refresh = None
        await self.channel_layer.group_discard(lobby_group_name(self.meeting_id), self.channel_name)
        found, version, listing = await lobby.drop(self.meeting_id, self.channel_name)
        if found:
            await self._to_staff(protocol.WaitingList(version=version, waiting=listing))
        return join

    async def _to_staff(self, message: protocol.Message) -> None:
        await self.channel_layer.group_send(
            lobby_staff_group_name(self.meeting_id), frame_event(protocol.dump(message))
        )

    # Staff --------------------------------------------------------------------------------------

    async def after_join(self) -> None:
        await super().after_join()
        if not self._can_control or self._lobby_staff or self.closing:
            return
        self._lobby_staff = True
        await self.channel_layer.group_add(
            lobby_staff_group_name(self.meeting_id), self.channel_name
        )
        version, listing = await lobby.listing(self.meeting_id)
        if listing:
            await self._send_message(protocol.WaitingList(version=version, waiting=listing))

    async def handle_admit(self, message: protocol.Admit) -> None:
        peer = await self._teacher()
        if peer is not None:
            await self._admit(peer.user_id, {message.userId}, one=True)

    async def handle_admit_all(self, message: protocol.AdmitAll) -> None:
        peer = await self._teacher()
        if peer is None:
            return
        _version, listing = await lobby.listing(self.meeting_id)
        if listing:
            await self._admit(peer.user_id, {row.userId for row in listing}, one=False)

    async def _admit(self, by_id: int, user_ids: set[int], *, one: bool) -> None:
        admitted, version, listing = await lobby.drop_users(self.meeting_id, user_ids)
        if not admitted:
            if one:
                await self._not_waiting(user_ids)
            return
        # The row first: a socket that reconnects from now on does not wait again.
        await database_sync_to_async(_admission_record)(self.meeting_id, admitted, by_id)
        await self.channel_layer.group_send(
            lobby_group_name(self.meeting_id), {"type": ADMIT, "user_ids": admitted}
        )
        await self._to_staff(protocol.WaitingList(version=version, waiting=listing))

    async def handle_deny(self, message: protocol.Deny) -> None:
        peer = await self._teacher()
        if peer is None:
            return
        denied, version, listing = await lobby.drop_users(self.meeting_id, {message.userId})
        if not denied:
            await self._not_waiting({message.userId})
            return
        await self.channel_layer.group_send(
            lobby_group_name(self.meeting_id),
            {"type": DENY, "user_ids": denied, "reason": message.reason},
        )
        await self._to_staff(protocol.WaitingList(version=version, waiting=listing))

    async def _not_waiting(self, user_ids: set[int]) -> None:
        await self.send_error(
            protocol.ErrorCode.NOT_WAITING,
            _("That user is not in the waiting room."),
            [str(user_id) for user_id in sorted(user_ids)],
        )

    # Events of the lobby group ------------------------------------------------------------------

    async def lobby_admit(self, event: dict[str, Any]) -> None:
        """The staff let this user in: carry on with the socket's own `join`."""
        if self._lobby_join is None or self.closing:
            return
        if self.user_info.get("user_id") not in event["user_ids"]:
            return
        join = await self._leave_lobby()
        if join is not None:
            self._lobby_passed = True
            await self.handle_join(join)

    async def lobby_deny(self, event: dict[str, Any]) -> None:
        if self._lobby_join is None or self.closing:
            return
        if self.user_info.get("user_id") not in event["user_ids"]:
            return
        await self._leave_lobby()
        reason = event.get("reason") or _("The teacher did not let you into this class.")
        await self._send_message(protocol.Denied(reason=reason))
        await self._close(CLOSE_DENIED)

    # Leaving ------------------------------------------------------------------------------------

    async def _on_disconnect(self, code: int) -> None:
        try:
            await self._leave_lobby()
            if self._lobby_staff:
                self._lobby_staff = False
                await self.channel_layer.group_discard(
                    lobby_staff_group_name(self.meeting_id), self.channel_name
                )
        finally:
            await super()._on_disconnect(code)
