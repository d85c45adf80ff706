"""The classroom socket with the SFU topology: the room starts as a mesh and moves to the
meeting's Janus VideoRoom when `CLASSMEET_SFU_THRESHOLD` participants are present.

All Janus signaling goes through this socket (browsers never reach the Janus API): each socket
owns one Janus session with one publisher handle (joined with a token issued for this
participant) and one subscriber handle per feed it receives. The session is destroyed when the
socket closes, so leaving, being removed or the meeting ending stops the media at Janus too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Literal

import httpx
from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from classmeet.rooms import locks, presence, protocol
from classmeet.rooms.classroom import ClassroomConsumer
from classmeet.rooms.frames import frame_event
from classmeet.rooms.services.events import meeting_group_name
from classmeet.rooms.sfu import conf, moderation, rooms, topology
from classmeet.rooms.sfu.janus import SFU_ERRORS, JanusSession

logger = logging.getLogger(__name__)

UNAVAILABLE = protocol.ErrorCode.SFU_UNAVAILABLE
PREPARE = "sfu.prepare"  # group event: open the Janus sessions before the browsers' offers
RECOVERY_PROBE_SECONDS = 2.0
RECOVERY_MAX_SECONDS = 600.0  # a large room waits this long for Janus to come back
# Strong references to feed announcements waiting for the media to come up.
_tasks: set[asyncio.Task[None]] = set()


def _feed_of(participant: dict[str, Any]) -> protocol.SfuFeed | None:
    """A Janus participant whose display is `<user id>:<peer id>` and who publishes."""
    user, _sep, peer = str(participant.get("display", "")).partition(":")
    if not participant.get("publisher") or not user.isdigit() or not peer:
        return None
    return protocol.SfuFeed(feedId=int(participant["id"]), peerId=peer, userId=int(user))


def _removed(meeting_id: int, user_id: int) -> bool:
    from classmeet.meetings.models import RoomRemoval

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


async def _janus_reachable() -> bool:
    try:
        async with httpx.AsyncClient(timeout=RECOVERY_PROBE_SECONDS) as client:
            response = await client.get(f"{conf.url().rstrip('/')}/info")
        return response.status_code == 200
    except httpx.HTTPError:
        return False


async def _broadcast(
    layer: Any, meeting_id: int, mode: Literal["mesh", "sfu"], reason: str, notice: str
) -> None:
    """Tell every socket of the room how media flows now, and why."""
    message = protocol.Topology.model_validate(
        {
            "mode": mode,
            "maxStudentVideos": conf.max_student_videos(),
            "reason": reason,
            "notice": notice,
        }
    )
    await layer.group_send(meeting_group_name(meeting_id), frame_event(protocol.dump(message)))


async def sfu_recover(meeting_id: int, layer: Any) -> None:
    """Janus dropped a session of the room: one socket of the room (across processes) decides.

    Janus answering again (restarted): the room is re-created and everybody publishes anew.
    Janus unreachable: a room of at most CLASSMEET_SFU_FALLBACK_MESH_MAX participants goes back
    to the mesh at once; a larger one is told to wait while Janus is probed every second, and
    republishes as soon as it answers. Either way participants see why (`notice`).
    """
    if not await topology.recovery_claim(meeting_id=meeting_id, seconds=RECOVERY_MAX_SECONDS):
        return
    try:
        if not await _janus_reachable():
            present, _expired = await presence.sweep(meeting_id)
            if len(present) <= conf.fallback_mesh_max():
                await topology.topology_reset(meeting_id=meeting_id)
                notice = _("The media server is unreachable: the class went back to direct links.")
                await _broadcast(layer, meeting_id, "mesh", "sfu-lost", notice)
                return
            notice = _("The media server is unreachable. Reconnecting…")
            await _broadcast(layer, meeting_id, "sfu", "sfu-lost", notice)
            deadline = time.monotonic() + RECOVERY_MAX_SECONDS
            while not await _janus_reachable():
                present, _expired = await presence.sweep(meeting_id)
                gone = await topology.topology_get(meeting_id=meeting_id) != topology.SFU
                if gone or not present or time.monotonic() > deadline:
                    return  # ended, empty, or Janus never came back: the sweep cleans up
                await asyncio.sleep(1)
        await rooms.sfu_room_ensure(meeting_id=meeting_id)
        await _broadcast(layer, meeting_id, "sfu", "sfu-back", _("The media server is back."))
    except Exception:
        logger.exception("recovering the SFU of meeting %s failed", meeting_id)
    finally:
        await topology.recovery_release(meeting_id=meeting_id)


class SfuConsumer(ClassroomConsumer):
    janus: JanusSession | None = None
    _opening: asyncio.Task[JanusSession] | None = None  # the session being opened (or opened)
    publisher_handle: int = 0
    feed_id: int = 0
    sfu_token: str = ""
    _told: bool = False  # `topology: sfu` was sent before `welcome`
    # Locks (rooms/locks.py): the published streams ({mid: kind}), whether the video stream
    # carries the screen, and what Janus was told per stream of which feed ({mid: muted}; None:
    # unknown, told again).
    _mids: dict[str, str] | None = None
    _sharing: bool = False
    _moderated: dict[str, bool | None] | None = None
    _moderated_feed: int = 0

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
        self._told = told
        await super().handle_join(message)

    async def after_join(self) -> None:
        await super().after_join()
        if conf.enabled() and not self.closing:
            await self._maybe_switch(told=self._told)

    async def _maybe_switch(self, *, told: bool) -> None:
        """Crossing the threshold moves the whole room to the SFU (once, across processes)."""
        if await topology.topology_get(meeting_id=self.meeting_id) == topology.SFU:
            if not told:  # switched by another socket before this one was in the group
                await self._send_text(protocol.dump(await topology_message(self.meeting_id)))
            self._keep(self._prepare())
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
                meeting_group_name(self.meeting_id), {"type": PREPARE}
            )
            await self.channel_layer.group_send(
                meeting_group_name(self.meeting_id), frame_event(protocol.dump(switch))
            )

    # Publishing and subscribing -----------------------------------------------------------------

    async def _session(self) -> JanusSession | None:
        """This socket's Janus session, opened on first use, if the room is on the SFU."""
        if self.peer is None:
            await self.send_error(protocol.ErrorCode.NOT_JOINED, _("Send `join` first."))
            return None
        if self.janus is not None and not self.janus.closed:
            return self.janus
        if (
            not conf.enabled()
            or await topology.topology_get(meeting_id=self.meeting_id) != topology.SFU
        ):
            await self.send_error(UNAVAILABLE, _("This room does not use the SFU."))
            return None
        opening = self._opening
        if opening is None or (opening.done() and (opening.cancelled() or opening.exception())):
            opening = self._opening = asyncio.create_task(self._open_session(self.peer))
        session = await opening
        if session.closed:  # lost since: open another one
            self._opening = None
            return await self._session()
        return session

    async def _open_session(self, peer: presence.Peer) -> JanusSession:
        """Open the Janus session, attach, allow the credential and join as a publisher."""
        credential = rooms.sfu_credential_new(user_id=peer.user_id)
        session = rooms.participant_session(credential)
        try:
            await session.open()
            handle = await session.attach()
            await rooms.sfu_token_allow(
                session=session, handle=handle, meeting_id=self.meeting_id, credential=credential
            )
            data, _jsep = await session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": self.meeting_id,
                    "pin": rooms.room_pin(self.meeting_id),
                    "token": credential,
                    "display": f"{peer.user_id}:{peer.peer_id}",
                },
            )
        except BaseException:
            await session.close()
            raise
        self.janus, self.publisher_handle, self.sfu_token = session, handle, credential
        self.feed_id = int(data["id"])
        self.subscriptions: dict[int, int] = {}  # feed id -> subscriber handle
        session.on_lost = self._janus_lost_soon
        self._keep(self._renew_credential(session))
        return session

    def _keep(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)

    async def _renew_credential(self, session: JanusSession) -> None:
        """Replace the participant's credential at half its life, as long as they stay."""
        while True:
            await asyncio.sleep(conf.token_seconds() / 2)
            if self.janus is not session or session.closed or self.peer is None:
                return
            try:
                self.sfu_token = await rooms.sfu_token_renew(
                    session=session,
                    handle=self.publisher_handle,
                    meeting_id=self.meeting_id,
                    user_id=self.peer.user_id,
                )
            except SFU_ERRORS as exc:
                logger.warning("renewing the SFU credential failed: %s", exc)

    async def sfu_prepare(self, event: dict[str, Any]) -> None:
        """The room is switching: open the Janus session now, while the browser makes its offer."""
        if self.peer is not None and not self.closing:
            self._keep(self._prepare())

    async def _prepare(self) -> None:
        try:
            await self._session()
        except SFU_ERRORS as exc:
            logger.warning("preparing the SFU session failed: %s", exc)

    # Janus lost -----------------------------------------------------------------------------------

    def _janus_lost_soon(self) -> None:
        self._keep(self._janus_lost())

    async def _janus_lost(self) -> None:
        """This socket's Janus session is gone: drop it, and let the room recover."""
        session, self.janus = self.janus, None
        if session is None or self.closing:
            return
        await session.close()
        logger.warning("Janus session of meeting %s lost", self.meeting_id)
        await sfu_recover(self.meeting_id, self.channel_layer)

    async def _sfu_failed(self, what: str, exc: Exception, feed_id: int = 0) -> None:
        if self.janus is not None and self.janus.closed:
            self._janus_lost_soon()
        logger.warning("SFU %s failed in meeting %s: %s", what, self.meeting_id, exc)
        detail = [str(feed_id)] if feed_id else []
        await self.send_error(
            UNAVAILABLE, _("The media server refused: %(step)s.") % {"step": what}, detail
        )

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
        # A locked student's new streams are muted at Janus before anybody subscribes.
        # A new publisher starts unmuted; the same one renegotiating is told again what it was.
        same = self._moderated_feed == self.feed_id and self._moderated is not None
        muted = (
            [mid for mid, m in (self._moderated or {}).items() if m is not False] if same else []
        )
        self._mids, self._moderated_feed = moderation.sdp_mids(message.sdp), self.feed_id
        self._moderated = dict.fromkeys(muted)
        await self._moderate(await locks.state.get(self.meeting_id))
        # Others can subscribe once the media reaches Janus: announce the feed then.
        self._keep(self._announce_feed(session, self.peer))

    async def _announce_feed(self, session: JanusSession, peer: presence.Peer) -> None:
        if not await session.wait_up(self.publisher_handle, conf.timeout() * 3):
            logger.warning("the SFU feed of %s never came up", peer.peer_id)
            return
        feed = protocol.SfuFeed(feedId=self.feed_id, peerId=peer.peer_id, userId=peer.user_id)
        await self.channel_layer.group_send(
            meeting_group_name(self.meeting_id),
            frame_event(protocol.dump(feed), exclude=self.channel_name),
        )
        # And this socket gets every feed already in the room: announcements that reached it
        # while its client was still setting up the SFU (right after the switch) are not lost.
        # The client ignores the feeds it already receives.
        try:
            listed = await rooms.sfu_participants(meeting_id=self.meeting_id)
        except SFU_ERRORS as exc:
            logger.warning("listing the SFU feeds of meeting %s failed: %s", self.meeting_id, exc)
            return
        for other in map(_feed_of, listed):
            if other is not None and other.feedId != self.feed_id and not self.closing:
                await self._send_text(protocol.dump(other))

    async def _is_teacher(self) -> bool:
        return await self._is_staff()

    # Locks: Janus stops forwarding a locked student's streams ----------------------------------

    async def locks_changed(self, current: protocol.Locks) -> None:
        await self._moderate(current)

    async def handle_media_state(self, message: protocol.MediaState) -> None:
        await super().handle_media_state(message)
        if self._mids and message.screen != self._sharing:
            self._sharing = message.screen  # the video stream now carries the other device
            await self._moderate(await locks.state.get(self.meeting_id))
        self._sharing = message.screen

    async def _moderate(self, current: protocol.Locks) -> None:
        """Mute or unmute this socket's published streams at Janus as the locks say."""
        session, peer, done = self.janus, self.peer, self._moderated
        if session is None or peer is None or not self._mids or done is None:
            return
        locked = set() if await self._is_staff() else locks.locked_devices(current, peer.user_id)
        wanted = moderation.wanted_mutes(self._mids, locked, sharing=self._sharing)
        for mid, mute in wanted.items():
            if done.get(mid, False) is mute:
                continue  # already so (a stream never muted is not muted)
            try:
                await rooms.sfu_moderate(
                    session=session,
                    handle=self.publisher_handle,
                    meeting_id=self.meeting_id,
                    feed_id=self.feed_id,
                    mid=mid,
                    mute=mute,
                )
                done[mid] = mute
            except SFU_ERRORS as exc:
                logger.warning("moderating the SFU feed of %s failed: %s", peer.peer_id, exc)

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
                UNAVAILABLE, _("Subscribe to that feed first."), [str(message.feedId)]
            )
            return
        try:
            await self.janus.message(
                handle, {"request": "start"}, {"type": "answer", "sdp": message.sdp}
            )
        except SFU_ERRORS as exc:
            await self._sfu_failed("start", exc, message.feedId)

    async def handle_sfu_trickle(self, message: protocol.SfuTrickle) -> None:
        """The browser's candidates follow its SDP (trickle ICE: no wait for gathering)."""
        session = self.janus
        if session is None:
            return  # the link it belongs to failed or is gone: nothing to add it to
        handle = (
            self.publisher_handle if not message.feedId else self.subscriptions.get(message.feedId)
        )
        if not handle:
            return
        candidate: dict[str, Any] = {"completed": True}
        if message.candidate is not None:
            candidate = message.candidate.model_dump(
                exclude_none=True, exclude={"usernameFragment"}
            )
        try:
            await session.trickle(handle, candidate)
        except SFU_ERRORS as exc:
            logger.info("an SFU candidate was refused: %s", exc)

    async def handle_sfu_configure(self, message: protocol.SfuConfigure) -> None:
        handle = self.subscriptions.get(message.feedId, 0) if self.janus else 0
        if self.janus is None or not handle:
            await self.send_error(UNAVAILABLE, _("Subscribe to that feed first."))
            return
        stream = {"mid": message.mid, "send": message.send}
        try:
            await self.janus.message(handle, {"request": "configure", "streams": [stream]})
        except SFU_ERRORS as exc:
            # No feed detail: the link itself is fine, the client must not resubscribe.
            logger.warning("SFU configure failed in meeting %s: %s", self.meeting_id, exc)
            await self.send_error(UNAVAILABLE, _("The media server refused: configure."))

    async def handle_sfu_unsubscribe(self, message: protocol.SfuUnsubscribe) -> None:
        handle = self.subscriptions.pop(message.feedId, 0) if self.janus else 0
        if self.janus is not None and handle:
            await self.janus.detach(handle)

    # Leaving ------------------------------------------------------------------------------------

    async def _close_janus(self) -> None:
        opening, self._opening = self._opening, None
        if opening is not None and not opening.done():
            opening.cancel()
            with contextlib.suppress(BaseException):
                await opening
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
        # The room itself is destroyed by the meeting's end (tasks.sfu_room_release).
        await self._close_janus_quietly()
        await super().room_ended(event)
