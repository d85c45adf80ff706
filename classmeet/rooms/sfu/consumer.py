"""The classroom socket with the SFU topology: the room starts as a mesh and moves to the
meeting's Janus VideoRoom when `CLASSMEET_SFU_THRESHOLD` participants are present.

All Janus signaling goes through this socket (browsers never reach the Janus API): each socket
owns one Janus session with one publisher handle (joined with a token issued for this
participant) and one subscriber handle per feed it receives. The session is destroyed when the
socket closes, so leaving, being removed or the meeting ending stops the media at Janus too.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from channels.db import database_sync_to_async

from classmeet.rooms import presence, protocol
from classmeet.rooms.classroom import ClassroomConsumer
from classmeet.rooms.consumers import frame_event, group_name
from classmeet.rooms.sfu import conf, rooms, topology
from classmeet.rooms.sfu.janus import SFU_ERRORS, JanusSession

logger = logging.getLogger(__name__)

UNAVAILABLE = protocol.ErrorCode.SFU_UNAVAILABLE
# Strong references to feed announcements waiting for the media to come up.
_tasks: set[asyncio.Task[None]] = set()


def _feed_of(participant: dict[str, Any]) -> protocol.SfuFeed | None:
    """A Janus participant whose display is `<user id>:<peer id>` and who publishes."""
    user, _sep, peer = str(participant.get("display", "")).partition(":")
    if not participant.get("publisher") or not user.isdigit() or not peer:
        return None
    return protocol.SfuFeed(feedId=int(participant["id"]), peerId=peer, userId=int(user))


def _removed(meeting_id: int, user_id: int) -> bool:
    from classmeet.rooms.models import RoomRemoval

    return RoomRemoval.objects.filter(meeting_id=meeting_id, user_id=user_id).exists()


async def topology_message(meeting_id: int) -> protocol.Topology:
    mode = await topology.topology_get(meeting_id=meeting_id)
    feeds: list[protocol.SfuFeed] = []
    if mode == topology.SFU:
        listed = await rooms.sfu_participants(meeting_id=meeting_id)
        feeds = [feed for feed in map(_feed_of, listed) if feed is not None]
    return protocol.Topology(
        mode="sfu" if mode == topology.SFU else "mesh",
        maxStudentVideos=conf.max_student_videos(),
        feeds=feeds,
    )


class SfuConsumer(ClassroomConsumer):
    handlers: ClassVar[dict[type[protocol.Message], str]] = {
        **ClassroomConsumer.handlers,
        protocol.SfuPublish: "handle_sfu_publish",
        protocol.SfuSubscribe: "handle_sfu_subscribe",
        protocol.SfuStart: "handle_sfu_start",
        protocol.SfuUnsubscribe: "handle_sfu_unsubscribe",
    }

    janus: JanusSession | None = None
    publisher_handle: int = 0
    feed_id: int = 0
    sfu_token: str = ""

    # Joining and switching ----------------------------------------------------------------------

    async def handle_join(self, message: protocol.Join) -> None:
        was_joined = self.peer is not None
        told = False
        if conf.enabled() and not was_joined:
            try:
                current = await topology_message(self.meeting_id)
                if current.mode == "sfu":  # before `welcome`: the client skips the mesh
                    await self._send_text(protocol.dump(current))
                    told = True
            except Exception:
                logger.exception("SFU state of meeting %s unavailable", self.meeting_id)
        await super().handle_join(message)
        if conf.enabled() and not was_joined and self.peer is not None and not self.closing:
            await self._maybe_switch(told=told)

    async def _maybe_switch(self, *, told: bool) -> None:
        """Crossing the threshold moves the whole room to the SFU (once, across processes)."""
        if await topology.topology_get(meeting_id=self.meeting_id) == topology.SFU:
            if not told:  # switched by another socket before this one was in the group
                await self._send_text(protocol.dump(await topology_message(self.meeting_id)))
            return
        present, _expired = await presence.sweep(self.meeting_id)
        if len(present) < conf.threshold():
            return
        try:
            await rooms.sfu_room_ensure(meeting_id=self.meeting_id)
        except Exception:
            logger.exception("creating the Janus room of meeting %s failed", self.meeting_id)
            return  # stay a mesh
        if await topology.topology_switch(meeting_id=self.meeting_id):
            switch = protocol.Topology(mode="sfu", maxStudentVideos=conf.max_student_videos())
            await self.channel_layer.group_send(
                group_name(self.meeting_id), frame_event(protocol.dump(switch))
            )

    # Publishing and subscribing -----------------------------------------------------------------

    async def _session(self) -> JanusSession | None:
        """This socket's Janus session, opened on first use, if the room is on the SFU."""
        if self.peer is None:
            await self.send_error(protocol.ErrorCode.NOT_JOINED, "Send `join` first.")
            return None
        if self.janus is not None and not self.janus.closed:
            return self.janus
        if (
            not conf.enabled()
            or await topology.topology_get(meeting_id=self.meeting_id) != topology.SFU
        ):
            await self.send_error(UNAVAILABLE, "This room does not use the SFU.")
            return None
        self.janus = rooms.new_session()
        await self.janus.open()
        self.publisher_handle = await self.janus.attach()
        self.sfu_token = await rooms.sfu_token_issue(
            session=self.janus,
            handle=self.publisher_handle,
            meeting_id=self.meeting_id,
            user_id=self.peer.user_id,
        )
        data, _jsep = await self.janus.message(
            self.publisher_handle,
            {
                "request": "join",
                "ptype": "publisher",
                "room": self.meeting_id,
                "pin": rooms.room_pin(self.meeting_id),
                "token": self.sfu_token,
                "display": f"{self.peer.user_id}:{self.peer.peer_id}",
            },
        )
        self.feed_id = int(data["id"])
        self.subscriptions: dict[int, int] = {}  # feed id -> subscriber handle
        return self.janus

    async def _sfu_failed(self, what: str, exc: Exception, feed_id: int = 0) -> None:
        logger.warning("SFU %s failed in meeting %s: %s", what, self.meeting_id, exc)
        detail = [str(feed_id)] if feed_id else []
        await self.send_error(UNAVAILABLE, f"The media server refused: {what}.", detail)

    async def handle_sfu_publish(self, message: protocol.SfuPublish) -> None:
        try:
            session = await self._session()
            if session is None or self.peer is None:
                return
            teacher = await self._is_teacher()
            bitrate = conf.teacher_bitrate() if teacher else conf.student_bitrate()
            _data, jsep = await session.message(
                self.publisher_handle,
                {"request": "configure", "audio": True, "video": True, "bitrate": bitrate},
                {"type": "offer", "sdp": message.sdp},
            )
        except SFU_ERRORS as exc:
            await self._sfu_failed("publish", exc)
            return
        if not jsep:
            await self._sfu_failed("publish", ValueError("no answer"))
            return
        await self._send_text(
            protocol.dump(protocol.SfuPublished(feedId=self.feed_id, sdp=jsep["sdp"]))
        )
        # Others can subscribe once the media reaches Janus: announce the feed then.
        task = asyncio.create_task(self._announce_feed(session, self.peer))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)

    async def _announce_feed(self, session: JanusSession, peer: presence.Peer) -> None:
        if not await session.wait_up(self.publisher_handle, conf.timeout() * 3):
            logger.warning("the SFU feed of %s never came up", peer.peer_id)
            return
        feed = protocol.SfuFeed(feedId=self.feed_id, peerId=peer.peer_id, userId=peer.user_id)
        await self.channel_layer.group_send(
            group_name(self.meeting_id),
            frame_event(protocol.dump(feed), exclude=self.channel_name),
        )

    async def _is_teacher(self) -> bool:
        if self._can_control is None:
            from classmeet.rooms.classroom import _can_control

            self._can_control = await database_sync_to_async(_can_control)(
                self.scope.get("user"), self.meeting_id
            )
        return bool(self._can_control)

    async def handle_sfu_subscribe(self, message: protocol.SfuSubscribe) -> None:
        try:
            session = await self._session()
            if session is None:
                return
            old = self.subscriptions.pop(message.feedId, 0)
            if old:
                await session.detach(old)
            handle = await session.attach()
            self.subscriptions[message.feedId] = handle
            _data, jsep = await session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "subscriber",
                    "room": self.meeting_id,
                    "pin": rooms.room_pin(self.meeting_id),
                    "token": self.sfu_token,
                    "feed": message.feedId,
                },
            )
        except SFU_ERRORS as exc:
            handle = self.subscriptions.pop(message.feedId, 0) if self.janus else 0
            if handle and self.janus is not None:
                await self.janus.detach(handle)
            await self._sfu_failed("subscribe", exc, message.feedId)
            return
        if not jsep:
            await self._sfu_failed("subscribe", ValueError("no offer"), message.feedId)
            return
        await self._send_text(
            protocol.dump(protocol.SfuOffer(feedId=message.feedId, sdp=jsep["sdp"]))
        )

    async def handle_sfu_start(self, message: protocol.SfuStart) -> None:
        handle = self.subscriptions.get(message.feedId, 0) if self.janus else 0
        if self.janus is None or not handle:
            await self.send_error(
                UNAVAILABLE, "Subscribe to that feed first.", [str(message.feedId)]
            )
            return
        try:
            await self.janus.message(
                handle, {"request": "start"}, {"type": "answer", "sdp": message.sdp}
            )
        except SFU_ERRORS as exc:
            await self._sfu_failed("start", exc, message.feedId)

    async def handle_sfu_unsubscribe(self, message: protocol.SfuUnsubscribe) -> None:
        handle = self.subscriptions.pop(message.feedId, 0) if self.janus else 0
        if self.janus is not None and handle:
            await self.janus.detach(handle)

    # Leaving ------------------------------------------------------------------------------------

    async def _close_janus(self) -> None:
        session, self.janus = self.janus, None
        if session is None:
            return
        try:
            if self.peer is not None and self.sfu_token:
                await rooms.sfu_tokens_revoke(
                    meeting_id=self.meeting_id, user_id=self.peer.user_id, token=self.sfu_token
                )
        except Exception:
            logger.warning("revoking the SFU token of meeting %s failed", self.meeting_id)
        finally:
            await session.close()

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        await self._close_janus_quietly()

    async def _close_janus_quietly(self) -> None:
        try:
            await self._close_janus()
        except Exception:
            logger.exception("closing the Janus session failed")

    async def handle_leave(self, message: protocol.Leave) -> None:
        await self._close_janus_quietly()
        await super().handle_leave(message)

    async def room_removed(self, event: dict[str, Any]) -> None:
        if self.user_info.get("user_id") == event.get("user_id"):
            await self._close_janus_quietly()
        await super().room_removed(event)

    async def handle_remove_peer(self, message: protocol.RemovePeer) -> None:
        target = await presence.lookup(self.meeting_id, message.peerId)
        await super().handle_remove_peer(message)
        if target is None or not conf.enabled() or not self._can_control:
            return
        if not await database_sync_to_async(_removed)(self.meeting_id, target.user_id):
            return  # the removal was refused (e.g. the teacher)
        try:
            await rooms.sfu_user_kick(meeting_id=self.meeting_id, user_id=target.user_id)
        except Exception:
            logger.exception("kicking user %s from the SFU failed", target.user_id)

    async def room_ended(self, event: dict[str, Any]) -> None:
        await self._close_janus_quietly()
        await super().room_ended(event)
        if not conf.enabled():
            return
        try:
            await topology.topology_reset(meeting_id=self.meeting_id)
            await rooms.sfu_room_destroy(meeting_id=self.meeting_id)
        except Exception:
            logger.exception("destroying the Janus room of meeting %s failed", self.meeting_id)
