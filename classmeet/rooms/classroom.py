"""What a class needs on top of calls that connect: chat, hands, media state, teacher controls,
attendance.

`ClassroomConsumer` extends the signaling consumer with the classroom messages of `protocol`
(see docs/protocol.md). Teacher controls are checked on the server with
`access.rooms.can_control_room` (once per socket, cached); a student sending one gets `error`
`forbidden`. Chat and controls write through the services (in a DB thread); relaying stays in
the base consumer and touches no database. Hands and media state live next to presence (Redis
with the Redis channel layer), so every process sees them.

Attendance is recorded by room hooks: a row opens when a peer joins and closes when it leaves
(`leave`), when its socket is gone past the reconnect grace or its process stopped heartbeating
(`crash`), or when the teacher removes the user or ends the meeting (closed by the services).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from classmeet import access
from classmeet.rooms import conf, hooks, locks, presence, protocol
from classmeet.rooms.classroom_base import ClassroomBase, room_redis, room_state_ttl
from classmeet.rooms.frames import announce_left, frame_event
from classmeet.rooms.lobby import LobbyPart
from classmeet.rooms.locks import LocksPart
from classmeet.rooms.polls import PollsPart
from classmeet.rooms.reactions import ReactionsPart

logger = logging.getLogger(__name__)

CLOSE_REMOVED = int(access.rooms.RoomEntry.REMOVED)  # 4410
CLOSE_ENDED = 4411

FORBIDDEN = protocol.ErrorCode.FORBIDDEN
RATE_LIMITED = protocol.ErrorCode.RATE_LIMITED
NOT_FOUND = protocol.ErrorCode.NOT_FOUND


# Hands and media state, shared as widely as presence ------------------------------------------


class ClassroomState:
    """Raised hands (peer → time raised) and media state (peer → dict) of each room."""

    def __init__(self) -> None:
        self._hands: dict[int, dict[str, float]] = {}
        self._media: dict[int, dict[str, dict[str, bool]]] = {}

    _redis = staticmethod(room_redis)
    _ttl = staticmethod(room_state_ttl)

    async def raise_hand(self, meeting_id: int, peer_id: str, at: float) -> float:
        """Raise the hand (a hand already up keeps its place in the queue); return its time."""
        redis = self._redis(meeting_id)
        if redis is None:
            return self._hands.setdefault(meeting_id, {}).setdefault(peer_id, at)
        client, base = redis
        async with client.pipeline(transaction=True) as pipe:
            pipe.hsetnx(f"{base}:hands", peer_id, repr(at))
            pipe.hget(f"{base}:hands", peer_id)
            pipe.expire(f"{base}:hands", self._ttl())
            _set, raised, _expire = await pipe.execute()
        return float(raised)

    async def lower_hand(self, meeting_id: int, peer_id: str) -> bool:
        redis = self._redis(meeting_id)
        if redis is None:
            return self._hands.get(meeting_id, {}).pop(peer_id, None) is not None
        client, base = redis
        return bool(await client.hdel(f"{base}:hands", peer_id))

    async def set_media(self, meeting_id: int, peer_id: str, state: dict[str, bool]) -> None:
        redis = self._redis(meeting_id)
        if redis is None:
            self._media.setdefault(meeting_id, {})[peer_id] = state
            return
        client, base = redis
        async with client.pipeline(transaction=True) as pipe:
            pipe.hset(f"{base}:media", peer_id, json.dumps(state))
            pipe.expire(f"{base}:media", self._ttl())
            await pipe.execute()

    async def snapshot(
        self, meeting_id: int
    ) -> tuple[dict[str, float], dict[str, dict[str, bool]]]:
        redis = self._redis(meeting_id)
        if redis is None:
            return dict(self._hands.get(meeting_id, {})), dict(self._media.get(meeting_id, {}))
        client, base = redis
        async with client.pipeline(transaction=False) as pipe:
            pipe.hgetall(f"{base}:hands")
            pipe.hgetall(f"{base}:media")
            hands, media = await pipe.execute()
        return (
            {peer: float(at) for peer, at in hands.items()},
            {peer: json.loads(raw) for peer, raw in media.items()},
        )

    async def forget(self, meeting_id: int, peer_id: str) -> None:
        redis = self._redis(meeting_id)
        if redis is None:
            self._hands.get(meeting_id, {}).pop(peer_id, None)
            self._media.get(meeting_id, {}).pop(peer_id, None)
            return
        client, base = redis
        async with client.pipeline(transaction=False) as pipe:
            pipe.hdel(f"{base}:hands", peer_id)
            pipe.hdel(f"{base}:media", peer_id)
            await pipe.execute()


state = ClassroomState()


# Database work (runs in a DB thread) ------------------------------------------------------------


def _chat_line(message: Any) -> protocol.ChatLine:
    recipient = message.recipient
    return protocol.ChatLine(
        id=message.pk,
        fromUserId=message.author_id,
        fromName=message.author.display_name,
        text=message.text,
        sentAt=message.created_at.astimezone(UTC).isoformat(),
        toUserId=recipient.pk if recipient is not None else None,
        toName=recipient.display_name if recipient is not None else "",
    )


def _chat_create(
    meeting_id: int, user_id: int, text: str, recipient_id: int | None = None
) -> protocol.ChatLine:
    from classmeet.meetings.services.chat import chat_message_create

    message = chat_message_create(
        meeting_id=meeting_id, author_id=user_id, text=text, recipient_id=recipient_id
    )
    return _chat_line(message)


def _chat_delete(meeting_id: int, message_id: int, user_id: int) -> int:
    from classmeet.meetings.services.chat import chat_message_delete

    return chat_message_delete(meeting_id=meeting_id, message_id=message_id, by_id=user_id).pk


def _chat_history(meeting_id: int, user_id: int) -> tuple[list[protocol.ChatLine], set[int]]:
    """The chat this user is shown on joining, and the user ids of the room's staff."""
    from classmeet.meetings.selectors import chat_history

    history = chat_history(meeting_id=meeting_id, viewer_id=user_id)
    return [_chat_line(message) for message in history], _staff_ids(meeting_id)


def _staff_ids(meeting_id: int) -> set[int]:
    return access.rooms.room_staff_ids(meeting_id=meeting_id)


def _can_raise_hand(user: Any, meeting_id: int) -> bool:
    meeting = access.meetings.meeting_with_viewer(user=user, meeting_id=meeting_id)
    return meeting is not None and access.rooms.can_raise_hand(user=user, meeting=meeting)


def _entry(user: Any, meeting_id: int) -> access.rooms.RoomEntry:
    return access.rooms.room_entry(user=user, meeting_id=meeting_id)[0]


def _remove(meeting_id: int, user_id: int, by_id: int) -> None:
    from classmeet.meetings.models import Meeting
    from classmeet.rooms.services.controls import room_removal_create

    meeting = Meeting.objects.select_related("course").get(pk=meeting_id)
    room_removal_create(meeting=meeting, user_id=user_id, by_id=by_id)


def _end(meeting_id: int, by_id: int) -> None:
    from classmeet.meetings.models import Meeting
    from classmeet.rooms.services.controls import meeting_end

    meeting_end(meeting=Meeting.objects.get(pk=meeting_id), by_id=by_id)


def _attendance_open(meeting_id: int, user_id: int, peer_id: str) -> None:
    from classmeet.meetings.services.attendance import attendance_open

    attendance_open(meeting_id=meeting_id, user_id=user_id, peer_id=peer_id)


def _attendance_close(peer_id: str, closed_by: str, at: datetime) -> None:
    from classmeet.meetings.services.attendance import attendance_close

    attendance_close(peer_ids=[peer_id], closed_by=closed_by, at=at)


# Attendance hooks -------------------------------------------------------------------------------


@hooks.on_join
async def attendance_on_join(event: hooks.RoomEvent) -> None:
    """Open this peer's attendance row (a resumed peer keeps its open row)."""
    await database_sync_to_async(_attendance_open)(
        event.meeting_id, event.peer.user_id, event.peer.peer_id
    )


@hooks.on_leave
async def attendance_on_leave(event: hooks.RoomEvent) -> None:
    """Close the row: `leave` on purpose, otherwise `crash` at the moment the peer was lost."""
    from classmeet.meetings.models import Attendance

    peer = event.peer
    if event.on_purpose:
        closed_by, at = Attendance.ClosedBy.LEAVE, time.time()
    elif peer.gone_at:
        closed_by, at = Attendance.ClosedBy.CRASH, peer.gone_at  # socket dropped, never resumed
    else:
        # Its process stopped heartbeating: it was last seen about one presence TTL ago.
        closed_by, at = Attendance.ClosedBy.CRASH, time.time() - conf.presence_ttl_seconds()
    await state.forget(event.meeting_id, peer.peer_id)
    await database_sync_to_async(_attendance_close)(
        peer.peer_id, closed_by, datetime.fromtimestamp(at, tz=UTC)
    )


# The consumer -----------------------------------------------------------------------------------


class ClassroomConsumer(PollsPart, LobbyPart, ReactionsPart, LocksPart, ClassroomBase):
    _can_raise_hand: bool | None = None
    # The room's staff (user ids) as this socket last read them (room-state), and the users it
    # read them again for (a target missing from the set: an assistant added since), once each.
    _staff_ids: frozenset[int] = frozenset()
    _staff_rechecked: frozenset[int] = frozenset()

    # Joining ------------------------------------------------------------------------------------

    async def handle_join(self, message: protocol.Join) -> None:
        if self.peer is None:
            # Removed or ended since this socket connected: refuse like a new connection. The
            # waiting room's decision on this very join made the same check a moment ago.
            entry, self._entry_just_checked = self._entry_just_checked, None
            if entry is None:
                entry = await database_sync_to_async(_entry)(
                    self.scope.get("user"), self.meeting_id
                )
            if entry is not access.rooms.RoomEntry.ALLOWED:
                await self._close(int(entry))
                return
        await super().handle_join(message)

    async def after_join(self) -> None:
        await super().after_join()
        if not self.closing:
            await self.send_room_state()

    async def send_room_state(self) -> None:
        user_id = self.peer.user_id if self.peer is not None else 0
        chat, staff = await database_sync_to_async(_chat_history)(self.meeting_id, user_id)
        self._staff_ids = frozenset(staff)
        hands, media = await state.snapshot(self.meeting_id)
        await self._send_message(
            protocol.RoomState(
                staffUserIds=sorted(staff),
                chat=chat,
                hands=[
                    protocol.HandRaised(peerId=peer_id, raisedAt=at)
                    for peer_id, at in sorted(hands.items(), key=lambda item: item[1])
                ],
                media=[
                    protocol.PeerMediaState(peerId=peer_id, **media_state)
                    for peer_id, media_state in media.items()
                ],
                locks=await locks.state.get(self.meeting_id),
                **await self.poll_room_state(),
            )
        )

    # Chat ---------------------------------------------------------------------------------------

    async def handle_chat(self, message: protocol.Chat) -> None:
        peer = await self._joined()
        if peer is None or await self.chat_locked():
            return
        recipient = None
        if message.to is not None:
            recipient = await self._private_recipient(peer, message.to)
            if recipient is None:
                return
        try:
            line = await database_sync_to_async(_chat_create)(
                self.meeting_id,
                peer.user_id,
                message.text,
                recipient.user_id if recipient is not None else None,
            )
        except ValidationError as exc:
            code = RATE_LIMITED if exc.code == "rate_limited" else protocol.ErrorCode.BAD_MESSAGE
            await self.send_error(code, " ".join(exc.messages))
            return
        if recipient is None:
            await self._broadcast(line)
        else:
            await self._send_to_users(line, {peer.user_id, recipient.user_id})

    async def _private_recipient(self, peer: presence.Peer, peer_id: str) -> presence.Peer | None:
        """The connected peer a private line goes to, if this socket may write to it; otherwise
        send the error and return None."""
        to_self = _("You cannot write privately to yourself.")
        if peer_id == peer.peer_id:
            await self.send_error(protocol.ErrorCode.BAD_MESSAGE, to_self)
            return None
        target = await self._target(peer_id)
        if target is None:
            return None
        if not target.connected:
            await self.send_error(
                protocol.ErrorCode.UNKNOWN_PEER, _("That peer is not connected."), [peer_id]
            )
            return None
        if target.user_id == peer.user_id:  # another tab of the same user
            await self.send_error(protocol.ErrorCode.BAD_MESSAGE, to_self)
            return None
        if not access.rooms.can_chat_privately(
            sender_is_staff=await self._is_staff(),
            recipient_is_staff=await self._is_staff_user(target.user_id),
        ):
            await self.send_error(FORBIDDEN, _("Students can write privately only to staff."))
            return None
        return target

    async def _is_staff_user(self, user_id: int) -> bool:
        """Whether the user is the room's staff: from the set read with room-state, read again
        once per user missing from it (an assistant added during the class)."""
        if user_id not in self._staff_ids and user_id not in self._staff_rechecked:
            self._staff_rechecked |= {user_id}
            self._staff_ids = frozenset(await database_sync_to_async(_staff_ids)(self.meeting_id))
        return user_id in self._staff_ids

    async def _send_to_users(self, message: protocol.Message, user_ids: set[int]) -> None:
        """Send to every connected socket of these users in the room (all their tabs) and to
        this socket, and to nobody else: channel by channel, never to the room's group."""
        channels = {self.channel_name}
        for other, _seen in await presence.get_store().all(self.meeting_id):
            if other.connected and other.user_id in user_ids:
                channels.add(other.channel)
        event = frame_event(protocol.dump(message))
        for channel in channels:
            await self.channel_layer.send(channel, event)

    async def handle_chat_delete(self, message: protocol.ChatDelete) -> None:
        peer = await self._teacher()
        if peer is None:
            return
        try:
            message_id = await database_sync_to_async(_chat_delete)(
                self.meeting_id, message.id, peer.user_id
            )
        except ValidationError as exc:
            await self.send_error(NOT_FOUND, " ".join(exc.messages), [str(message.id)])
            return
        await self._broadcast(protocol.ChatDeleted(id=message_id))

    # Hands and media state ----------------------------------------------------------------------

    async def handle_raise_hand(self, message: protocol.RaiseHand) -> None:
        peer = await self._joined()
        if peer is None:
            return
        if self._can_raise_hand is None:
            self._can_raise_hand = await database_sync_to_async(_can_raise_hand)(
                self.scope.get("user"), self.meeting_id
            )
        if not self._can_raise_hand:
            # The teacher runs the queue and has no place in it (the page shows no button).
            await self.send_error(FORBIDDEN, _("Only students raise a hand."))
            return
        at = await state.raise_hand(self.meeting_id, peer.peer_id, time.time())
        await self._broadcast(protocol.HandRaised(peerId=peer.peer_id, raisedAt=at))

    async def handle_lower_hand(self, message: protocol.LowerHand) -> None:
        target_id = message.peerId
        if target_id is None or target_id == (self.peer.peer_id if self.peer else None):
            peer = await self._joined()
            target_id = peer.peer_id if peer else None
        else:
            peer = await self._teacher()
            if peer is not None and await self._target(target_id) is None:
                return
        if peer is None or target_id is None:
            return
        await state.lower_hand(self.meeting_id, target_id)
        await self._broadcast(protocol.HandLowered(peerId=target_id, by=peer.peer_id))

    async def handle_media_state(self, message: protocol.MediaState) -> None:
        peer = await self._joined()
        if peer is None:
            return
        media = await self.unlocked_media(
            {"mic": message.mic, "camera": message.camera, "screen": message.screen}
        )
        await state.set_media(self.meeting_id, peer.peer_id, media)
        await self._broadcast(
            protocol.PeerMediaState(peerId=peer.peer_id, **media), exclude_self=True
        )

    # Teacher controls ---------------------------------------------------------------------------

    async def handle_mute_all(self, message: protocol.MuteAll) -> None:
        peer = await self._teacher()
        if peer is None:
            return
        await self._broadcast(protocol.MuteRequest(all=True, byName=peer.name), exclude_self=True)

    async def handle_mute_peer(self, message: protocol.MutePeer) -> None:
        peer = await self._teacher()
        if peer is None:
            return
        target = await self._target(message.peerId)
        if target is None:
            return
        if not target.connected:
            await self.send_error(
                protocol.ErrorCode.UNKNOWN_PEER, _("That peer is not connected."), [message.peerId]
            )
            return
        request = protocol.MuteRequest(all=False, byName=peer.name)
        await self.channel_layer.send(target.channel, frame_event(protocol.dump(request)))

    async def handle_remove_peer(self, message: protocol.RemovePeer) -> None:
        peer = await self._teacher()
        if peer is None:
            return
        target = await self._target(message.peerId)
        if target is None:
            return
        if target.user_id == peer.user_id:
            await self.send_error(FORBIDDEN, _("You cannot remove yourself."))
            return
        try:
            await database_sync_to_async(_remove)(self.meeting_id, target.user_id, peer.user_id)
        except ValidationError as exc:
            await self.send_error(FORBIDDEN, " ".join(exc.messages))

    async def handle_end_meeting(self, message: protocol.EndMeeting) -> None:
        peer = await self._teacher()
        if peer is None:
            return
        await self.close_open_poll()  # its final results reach the room before the end
        try:
            await database_sync_to_async(_end)(self.meeting_id, peer.user_id)
        except ValidationError as exc:
            await self.send_error(FORBIDDEN, " ".join(exc.messages))

    # Server events (sent by services/controls.py through the channel layer) -------------------

    async def room_removed(self, event: dict[str, Any]) -> None:
        """The teacher removed a user: if it is this socket's, tell it why and close it."""
        if self.user_info.get("user_id") != event.get("user_id"):
            return
        reason = _("The teacher removed you from this class. You cannot rejoin it.")
        await self._kick(protocol.Removed(reason=reason), CLOSE_REMOVED)

    async def room_ended(self, event: dict[str, Any]) -> None:
        await self._kick(
            protocol.MeetingEnded(reason=_("The teacher ended this meeting for everyone.")),
            CLOSE_ENDED,
        )

    async def _kick(self, message: protocol.Message, code: int) -> None:
        if self.closing:
            return
        try:
            peer = self.peer
            self.left = True  # no reconnect grace: this peer is gone for good
            await self._send_message(message)
            if peer is not None and await presence.leave(self.meeting_id, peer.peer_id):
                await announce_left(self.meeting_id, [peer.peer_id], exclude=self.channel_name)
                await hooks.run_leave(
                    hooks.RoomEvent(meeting_id=self.meeting_id, peer=peer, on_purpose=True)
                )
        except Exception:
            logger.exception("closing a socket of meeting %s failed", self.meeting_id)
        finally:
            await self._close(code)
