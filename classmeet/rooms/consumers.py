"""The signaling socket of a live room: /ws/meeting/<meeting_id>/.

Connect checks the shared room entry rule (close codes 4401/4404/4409 after accepting, so the
browser sees them). Every frame is validated by `protocol`, then dispatched by its class through
the table of `handlers`. Relaying touches no database: the target's channel name comes from the
socket's own map of its room (`peer_channels`, filled by `welcome` and kept by the room's
join/leave events, which carry the channel), or from `presence` for a peer the map does not know
yet, and the frame goes to that channel only. A frame that reaches a stale channel (the peer
reconnected or left) is passed on to the peer's current channel, or answered with the same
`unknown-peer` error as before, and the sender's map is corrected. Bad input gets an `error` frame
and the socket stays open; a client flooding past the rate limit is closed with 4429. No exception
escapes. A peer that leaves without `leave` is handled by `heartbeat` (the room's heartbeat, the
reconnect grace).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.utils.translation import gettext as _
from pydantic import ValidationError

from classmeet import access
from classmeet.rooms import conf, heartbeat, hooks, presence, protocol
from classmeet.rooms.frames import announce_left, frame_event, peer_event
from classmeet.rooms.handlers import HANDLERS
from classmeet.rooms.ice import ice_servers_for, ice_transport_policy
from classmeet.rooms.presence import Peer
from classmeet.rooms.services.events import meeting_group_name

logger = logging.getLogger(__name__)

CLOSE_REPLACED = 4000  # the same tab reconnected on another socket, which took this one's place
CLOSE_RATE_LIMITED = 4429
CLOSE_INTERNAL = 1011
CLOSE_TRY_AGAIN = 1013  # RFC 6455 "try again later": joining failed for a passing reason
# RFC 6455 "going away", sent by the browser itself when the page goes (reload, navigation, tab
# closed; a page's script cannot use it): that page will never resume, so it has left.
CLOSE_GOING_AWAY = 1001


class TokenBucket:
    """Allow `rate` frames per second on average, bursts of up to `burst`."""

    def __init__(self, *, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _admit(user: Any, meeting_id: int) -> tuple[access.rooms.RoomEntry, dict[str, Any]]:
    """Check the room entry rule; return the entry and who the user is (runs in a DB thread)."""
    entry, _meeting = access.rooms.room_entry(user=user, meeting_id=meeting_id)
    if entry is not access.rooms.RoomEntry.ALLOWED:
        return entry, {}
    return entry, {"user_id": user.pk, "name": user.display_name, "role": user.role}


def _relay_event(message: dict[str, Any]) -> bool:
    """A client frame (it may be a relay: decided once parsed) or a relayed frame addressed to
    this socket's peer: neither waits for the join's work after `welcome`."""
    return message["type"] == "websocket.receive" or (
        message["type"] == "room.frame" and "to" in message
    )


class RoomConsumer(AsyncWebsocketConsumer):
    meeting_id: int = 0
    # The join's work after `welcome` (hooks: attendance, recordings; the classroom's state):
    # every frame and event waits for it, in order, except the call's own offers, answers and
    # candidates, so that the first connection is not held up by database writes.
    _settling: asyncio.Task[None] | None = None
    peer: Peer | None = None
    left: bool = False
    replaced: bool = False
    closing: bool = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """channels' `AsyncConsumer.__call__` with one long-lived reader per source.

        channels' `await_many_dispatch` starts a task per message and runs `asyncio.wait` over both
        sources after each: 493 against 352 µs of server CPU per relayed frame, medians of 3
        rounds (`python -m bench.relay --consumers ours,channels-call`, docs/benchmarks.md "The
        room consumer against channels' own"). A lock keeps dispatch to one message at a time, in
        order per source, as channels does, and nothing is dispatched once a handler has ended the
        consumer (StopConsumer) or failed. A layer that cannot make a channel gets a 1013 close.
        """
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        try:
            self.channel_name = await self.channel_layer.new_channel()
        except Exception:  # the layer cannot receive (Redis restarting): come back later
            logger.warning("room socket refused: the channel layer is unavailable", exc_info=True)
            if (await receive())["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})
            return
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        self.base_send = send
        lock = asyncio.Lock()
        ended = False

        async def read(source: Callable[[], Awaitable[dict[str, Any]]]) -> None:
            nonlocal ended
            while True:
                message = await source()
                async with lock:
                    if ended:
                        return
                    try:
                        await self.dispatch(message)
                    except BaseException:
                        ended = True
                        raise

        readers = [
            asyncio.create_task(read(receive)),
            asyncio.create_task(read(self.channel_receive)),
        ]
        try:
            done, _running = await asyncio.wait(readers, return_when=asyncio.FIRST_COMPLETED)
            for reader in done:
                reader.result()  # StopConsumer, or the handler's exception as channels raises it
        except StopConsumer:
            pass
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Dispatch without channels' per-message `aclose_old_connections()` (channels ≥ 4.2).

        That call hops to the one shared database thread for every frame and layer event: 718
        against 493 µs of server CPU per relayed frame, p50 144 against 2.9 ms (same benchmark,
        `channels` against `channels-call`). Relaying touches no database, and every database call
        here goes through `database_sync_to_async`, which closes stale connections around itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        if not _relay_event(message):  # client frames wait in _receive, once parsed
            await self.settled()
        await handler(message)

    async def settled(self) -> None:
        """Wait for the work of this socket's join that follows `welcome` (see `_settle`)."""
        task = self._settling
        if task is not None and not task.done():
            # Shielded: a reader cancelled at the consumer's end does not cancel the join's work.
            await asyncio.shield(task)

    # Connection ---------------------------------------------------------------------------------

    async def connect(self) -> None:
        self.user_info: dict[str, Any] = {}
        # The other peers of the room this socket knows of: peer id → channel name.
        self.peer_channels: dict[str, str] = {}
        self.beating = False
        rate, burst = conf.rate()
        self.bucket = TokenBucket(rate=rate, burst=burst)
        try:
            self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
            entry, self.user_info = await database_sync_to_async(_admit)(
                self.scope.get("user"), self.meeting_id
            )
        except Exception:
            logger.exception("room admission failed")
            await self.accept()
            await self._close(CLOSE_INTERNAL)
            return
        # Accept first: a close before accepting is an HTTP 403 and the browser never sees the code.
        await self.accept()
        if entry is not access.rooms.RoomEntry.ALLOWED:
            await self._close(int(entry))
            return
        # A page's first socket asks to join in its URL (early.js): `welcome` follows the accept
        # without waiting for the page, still loading, to handle `open` and send `join`.
        try:
            join = protocol.join_in_query(self.scope.get("query_string", b""))
        except ValidationError as exc:
            await self.send_validation_error(exc)
            return
        if join is None:
            return
        try:
            await self.run_handler(join)
        except Exception:  # as a `join` frame's failure (receive)
            await self._failed()

    async def disconnect(self, code: int) -> None:
        try:
            await self.settled()  # the join's attendance row is open before it is closed
            await self._on_disconnect(code)
        except Exception:
            logger.exception("room disconnect failed")

    async def _on_disconnect(self, code: int) -> None:
        self._stop_beat()
        peer = self.peer
        if peer is None:
            return
        await self.channel_layer.group_discard(
            meeting_group_name(self.meeting_id), self.channel_name
        )
        if self.left or self.replaced:
            return
        if code == CLOSE_GOING_AWAY:
            # Firefox closes the socket of a page it reloads before `pagehide` can send `leave`:
            # without this the others would see the user twice for the whole reconnect grace.
            self.left = True
            if await presence.release(self.meeting_id, peer):
                await self._announce_leave(peer)
            return
        if await presence.drop(self.meeting_id, peer):
            await self.channel_layer.group_send(
                meeting_group_name(self.meeting_id),
                peer_event(peer.peer_id, "", was=self.channel_name),
            )
            heartbeat.start_grace(self.meeting_id, peer)

    async def _send_text(self, text: str) -> None:
        try:
            await self.send(text_data=text)
        except Exception:  # the client is already gone (uvicorn raises ClientDisconnected)
            logger.debug("sending on room socket %s: client already gone", self.channel_name)

    def _stop_beat(self) -> None:
        if self.beating:
            self.beating = False
            heartbeat.stop_beat_for(self)

    async def _close(self, code: int) -> None:
        self.closing = True
        self._stop_beat()
        try:
            await self.close(code=code)
        except Exception:  # the client is already gone (uvicorn raises ClientDisconnected)
            logger.debug("closing room socket %s: client already gone", self.channel_name)

    # Frames from the client ---------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        try:
            if not self.bucket.take():
                await self._close(CLOSE_RATE_LIMITED)
                return
            await self._receive(text_data, bytes_data)
        except Exception:
            await self._failed()

    async def _failed(self) -> None:
        """Handling a frame (or the join's work after `welcome`) raised: log it, tell the client."""
        logger.exception("room frame failed")
        await self.send_error(protocol.ErrorCode.INTERNAL, _("The server could not handle that."))

    async def _receive(self, text_data: str | None, bytes_data: bytes | None) -> None:
        if text_data is None:
            await self.send_error(protocol.ErrorCode.BAD_JSON, _("Send JSON text frames."))
            return
        limit = conf.max_frame_bytes()
        if len(text_data) > limit or (
            len(text_data) * 4 > limit and len(text_data.encode()) > limit
        ):
            await self.send_error(
                protocol.ErrorCode.TOO_LARGE,
                _("Frames are limited to %(limit)s bytes.") % {"limit": limit},
            )
            return
        try:
            message = protocol.parse_client_frame(text_data)
        except ValidationError as exc:
            await self.send_validation_error(exc)
            return
        if not isinstance(message, protocol.RelayMessage):
            await self.settled()
        await self.run_handler(message)

    async def run_handler(self, message: protocol.ClientMessage) -> None:
        """Call the handler of a parsed frame (a part may hold frames back: lobby.LobbyPart)."""
        await getattr(self, HANDLERS[type(message)])(message)

    async def handle_join(self, message: protocol.Join) -> None:
        if self.peer is not None:
            await self.send_error(
                protocol.ErrorCode.ALREADY_JOINED, _("This socket already joined.")
            )
            return
        try:
            await self._join(message)
        except Exception:
            # Presence or the layer is unreachable (Redis restarting): a socket that never joined
            # is useless, so close it and let the client retry with its backoff.
            logger.exception("room join failed")
            await self._close(CLOSE_TRY_AGAIN)

    async def _join(self, message: protocol.Join) -> None:
        previous = message.previous if message.previous != message.resume else None
        if previous:
            await self._end_previous(previous)
        peer, resumed, others, expired, old_channel = await presence.enter(
            self.meeting_id,
            Peer(peer_id=uuid.uuid4().hex, channel=self.channel_name, **self.user_info),
            resume=message.resume,
        )
        self.peer = peer
        group = meeting_group_name(self.meeting_id)
        await self.channel_layer.group_add(group, self.channel_name)
        if old_channel:
            await self.channel_layer.send(old_channel, {"type": "room.replaced"})
        await heartbeat.announce_expired(self.meeting_id, expired)
        # This tab's previous page is never one of the others, even while its socket lingers.
        others = [p for p in others if p.peer_id != previous or p.user_id != peer.user_id]
        self.peer_channels = {p.peer_id: p.channel for p in others if p.connected}
        await self._send_text(
            protocol.dump(
                protocol.Welcome(
                    peerId=peer.peer_id,
                    resumed=resumed,
                    participants=[_participant(p) for p in others],
                    iceServers=ice_servers_for(user_id=peer.user_id),
                    iceTransportPolicy=ice_transport_policy(),
                    heartbeatSeconds=conf.heartbeat_seconds(),
                )
            )
        )
        joined = protocol.UserJoined(
            peerId=peer.peer_id,
            userId=peer.user_id,
            name=peer.name,
            role=peer.role,
            resumed=resumed,
        )
        await self.channel_layer.group_send(
            group,
            frame_event(
                protocol.dump(joined),
                exclude=self.channel_name,
                peer_id=peer.peer_id,
                channel=self.channel_name,
            ),
        )
        heartbeat.beat_for(self)
        self.beating = True
        event = hooks.RoomEvent(meeting_id=self.meeting_id, peer=peer, resumed=resumed)
        self._settling = asyncio.create_task(self._settle(event))

    async def _settle(self, event: hooks.RoomEvent) -> None:
        """The join's work after `welcome`: the room's join hooks, then `after_join`."""
        try:
            await hooks.run_join(event)
            await self.after_join()
        except Exception:
            await self._failed()

    async def after_join(self) -> None:
        """What a subclass sends a peer that joined, after `welcome` and the join hooks."""

    async def handle_relay(self, message: protocol.RelayMessage) -> None:
        peer = self.peer
        if peer is None:
            await self.send_error(protocol.ErrorCode.NOT_JOINED, _("Send `join` first."))
            return
        channel = ""
        if message.to != peer.peer_id:
            channel = self.peer_channels.get(message.to, "")
            if not channel:  # not in the map yet (joined at the same time as this socket)
                target = await presence.lookup(self.meeting_id, message.to)
                if target is not None and target.connected:
                    channel = self.peer_channels[message.to] = target.channel
        if not channel:
            await self.send_error(
                protocol.ErrorCode.UNKNOWN_PEER, _("That peer is not in the room."), [message.to]
            )
            return
        text = protocol.dump(
            protocol.relayed(message, from_peer=peer.peer_id, user_id=peer.user_id, name=peer.name)
        )
        event = frame_event(text)
        event["to"] = message.to  # checked on arrival: the map may be stale
        event["reply"] = self.channel_name
        await self.channel_layer.send(channel, event)

    async def handle_ping(self, message: protocol.Ping) -> None:
        # Only a liveness check for the client: the room's heartbeat keeps presence fresh.
        await self._send_text(protocol.dump(protocol.Pong()))

    async def handle_leave(self, message: protocol.Leave) -> None:
        peer = self.peer
        self.left = True
        if peer is not None and await presence.leave(self.meeting_id, peer.peer_id):
            await self._announce_leave(peer)
        await self._close(1000)

    async def _announce_leave(self, peer: Peer) -> None:
        """Tell the room that `peer` left on purpose (its entry is already removed)."""
        await announce_left(self.meeting_id, [peer.peer_id], exclude=self.channel_name)
        await hooks.run_leave(
            hooks.RoomEvent(meeting_id=self.meeting_id, peer=peer, on_purpose=True)
        )

    async def _end_previous(self, peer_id: str) -> None:
        """End the presence of this tab's previous page (`join.previous`) at once.

        Only the same user's entry whose socket is already gone: that page was reloaded or left
        and will never resume. An entry whose socket is still open is left to its own close.
        """
        old = await presence.lookup(self.meeting_id, peer_id)
        if old is None or old.user_id != self.user_info.get("user_id") or old.connected:
            return
        if await presence.release(self.meeting_id, old):
            await self._announce_leave(old)

    # Errors -------------------------------------------------------------------------------------

    async def send_error(self, code: str, message: str, detail: list[str] | None = None) -> None:
        error = protocol.Error(code=code, message=message, detail=detail or [])
        await self._send_text(protocol.dump(error))

    async def send_validation_error(self, exc: ValidationError) -> None:
        errors = exc.errors(include_input=False, include_url=False)
        kinds = {e["type"] for e in errors}
        if "json_invalid" in kinds:
            await self.send_error(protocol.ErrorCode.BAD_JSON, _("That frame is not valid JSON."))
        elif "union_tag_invalid" in kinds:
            await self.send_error(protocol.ErrorCode.UNKNOWN_TYPE, _("Unknown message type."))
        else:
            detail = [
                f"{'.'.join(str(part) for part in e['loc']) or '(frame)'}: {e['msg']}"
                for e in errors[:10]
            ]
            await self.send_error(protocol.ErrorCode.BAD_MESSAGE, _("Invalid message."), detail)

    # Events from the channel layer --------------------------------------------------------------

    async def room_frame(self, event: dict[str, Any]) -> None:
        """Deliver an already-serialized frame (room broadcast or addressed to this channel)."""
        if "peer_id" in event:
            self._remember(event)
        to = event.get("to")
        if to is not None and (
            self.peer is None or self.replaced or self.left or self.peer.peer_id != to
        ):
            await self._redirect(event, to)
            return
        if self.peer is None or self.closing or event.get("exclude") == self.channel_name:
            return
        await self._send_text(event["text"])

    async def room_peer(self, event: dict[str, Any]) -> None:
        """A map-only event (a peer's socket dropped, or a stale entry corrected)."""
        self._remember(event)

    def forget_stale(self, channels: dict[str, str]) -> None:
        """Drop map entries that presence (`peer id → channel`) contradicts, so a missed join or
        leave event costs one presence lookup on the next frame, not frames sent to a dead
        channel. Only drop: an entry newer than the listing is looked up again, never lost."""
        for peer_id, channel in list(self.peer_channels.items()):
            if channels.get(peer_id) != channel:
                del self.peer_channels[peer_id]

    def _remember(self, event: dict[str, Any]) -> None:
        """Keep the peer → channel map (join, resume, leave and drop events of the room)."""
        peer_id, channel = event["peer_id"], event["channel"]
        if self.peer is not None and peer_id == self.peer.peer_id:
            return
        if channel:
            self.peer_channels[peer_id] = channel
        elif not event.get("was") or self.peer_channels.get(peer_id) == event["was"]:
            self.peer_channels.pop(peer_id, None)

    async def _redirect(self, event: dict[str, Any], to: str) -> None:
        """A relayed frame reached this channel, which `to` no longer uses (it reconnected on
        another socket, or left): pass it on to its current channel once, or answer the sender
        as if it had looked `to` up itself; either way correct the sender's map first."""
        reply = event.get("reply", "")
        target = await presence.lookup(self.meeting_id, to)
        channel = target.channel if target is not None and target.connected else ""
        if channel == self.channel_name or event.get("redirected"):
            channel = ""  # never loop: a second stale hop ends here
        if reply:
            await self.channel_layer.send(reply, peer_event(to, channel))
        if channel:
            await self.channel_layer.send(channel, {**event, "redirected": True})
        elif reply:
            error = protocol.Error(
                code=protocol.ErrorCode.UNKNOWN_PEER,
                message=_("That peer is not in the room."),
                detail=[to],
            )
            await self.channel_layer.send(reply, frame_event(protocol.dump(error)))

    async def room_replaced(self, event: dict[str, Any]) -> None:
        """This tab reconnected on a new socket that took over the peer entry: go quietly."""
        self.replaced = True
        await self._close(CLOSE_REPLACED)


def _participant(peer: Peer) -> protocol.Participant:
    return protocol.Participant(
        peerId=peer.peer_id, userId=peer.user_id, name=peer.name, role=peer.role
    )
