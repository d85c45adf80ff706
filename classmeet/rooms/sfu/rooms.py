"""Django owns the Janus VideoRoom of each meeting: create it on demand, admit participants
with tokens issued per participant, kick removed users, destroy it when the meeting ends.

Room id = meeting id. The room's `secret` (needed to edit, kick, destroy) and `pin` (needed to
join) are derived from SECRET_KEY, so every Classmeet process knows them and no browser does.
Each participant's credential is a Janus signed token (janus.jcfg `token_auth_secret`):
`<expiry>,janus,janus.plugin.videoroom,classmeet.u<user id>.<nonce>:<HMAC-SHA1 signature>`.
Janus itself refuses every request carrying it once `expiry` has passed (creating a session,
attaching, joining, configuring, the long poll), and the room's `allowed` list must also hold it
to join, so a credential works for one participant in one meeting until it expires, is revoked
(leave, removal) or the room is destroyed. The consumer renews it while the participant stays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from datetime import datetime
from typing import Any

from classmeet.rooms.sfu import conf
from classmeet.rooms.sfu.janus import (
    NO_SUCH_ROOM,
    ROOM_EXISTS,
    VIDEOROOM,
    JanusError,
    JanusSession,
)

logger = logging.getLogger(__name__)


def room_secret(meeting_id: int) -> str:
    return conf.derived_secret("secret", meeting_id)


def room_pin(meeting_id: int) -> str:
    return conf.derived_secret("pin", meeting_id)[:16]


def new_session() -> JanusSession:
    """A control session of the servers (api_secret): rooms, allowed lists, kicks."""
    return JanusSession(url=conf.url(), api_secret=conf.api_secret(), timeout=conf.timeout())


def participant_session(credential: str) -> JanusSession:
    """A participant's media session: every request carries their expiring credential.

    Without a token secret (Janus without `token_auth`) it falls back to the api_secret and the
    credential only opens the room (docs/deploy.md).
    """
    if not conf.token_secret():
        return new_session()
    return JanusSession(url=conf.url(), token=credential, timeout=conf.timeout())


def sign_credential(data: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(digest).decode()}"


def sfu_credential_new(*, user_id: int, seconds: int | None = None) -> str:
    """A signed credential for this participant, valid `seconds` (CLASSMEET_SFU_TOKEN_SECONDS)."""
    expiry = int(time.time()) + (conf.token_seconds() if seconds is None else seconds)
    data = f"{expiry},janus,{VIDEOROOM},classmeet.u{user_id}.{secrets.token_hex(8)}"
    return sign_credential(data, conf.token_secret() or conf.derived_secret("token", 0))


def credential_user(credential: str) -> int | None:
    marker = credential.partition(":")[0].rpartition(",classmeet.u")[2]
    user, _sep, _nonce = marker.partition(".")
    return int(user) if user.isdigit() else None


def credential_expired(credential: str, now: float | None = None) -> bool:
    expiry = credential.partition(",")[0]
    return not expiry.isdigit() or int(expiry) < (time.time() if now is None else now)


async def _control(body: dict[str, Any]) -> dict[str, Any]:
    """One synchronous VideoRoom request on a short-lived session."""
    async with new_session() as session:
        handle = await session.attach()
        return await session.request(handle, body)


async def sfu_room_ensure(*, meeting_id: int) -> bool:
    """Create the meeting's room unless it exists; return True if this call created it."""
    try:
        await _control(
            {
                "request": "create",
                "admin_key": conf.admin_key(),
                "room": meeting_id,
                "description": f"meeting {meeting_id}",
                "secret": room_secret(meeting_id),
                "pin": room_pin(meeting_id),
                "is_private": True,
                "allowed": [],
                "publishers": 100,
                "bitrate": conf.student_bitrate(),
                "bitrate_cap": False,
                "fir_freq": 10,
                "audiolevel_event": False,
                "notify_joining": False,
                "permanent": False,
            }
        )
    except JanusError as exc:
        if exc.code == ROOM_EXISTS:
            return False
        raise
    return True


async def sfu_room_destroy(*, meeting_id: int) -> bool:
    """Destroy the room (everybody in it is hung up); False if there was none."""
    try:
        await _control(
            {"request": "destroy", "room": meeting_id, "secret": room_secret(meeting_id)}
        )
    except JanusError as exc:
        if exc.code == NO_SUCH_ROOM:
            return False
        raise
    return True


async def sfu_room_exists(*, meeting_id: int) -> bool:
    data = await _control({"request": "exists", "room": meeting_id})
    return bool(data.get("exists"))


async def _allowed(
    session: JanusSession, handle: int, meeting_id: int, action: str, tokens: list[str]
) -> list[str]:
    data = await session.request(
        handle,
        {
            "request": "allowed",
            "room": meeting_id,
            "secret": room_secret(meeting_id),
            "action": action,
            "allowed": tokens,
        },
    )
    return [str(t) for t in data.get("allowed", [])]


async def sfu_token_allow(
    *, session: JanusSession, handle: int, meeting_id: int, credential: str
) -> None:
    """Add the credential to the room's allowed list (it then opens this room)."""
    await _allowed(session, handle, meeting_id, "add", [credential])


async def sfu_token_issue(
    *, session: JanusSession, handle: int, meeting_id: int, user_id: int
) -> str:
    """A fresh credential for this participant, added to the room's allowed list."""
    credential = sfu_credential_new(user_id=user_id)
    await sfu_token_allow(
        session=session, handle=handle, meeting_id=meeting_id, credential=credential
    )
    return credential


async def sfu_token_renew(
    *, session: JanusSession, handle: int, meeting_id: int, user_id: int
) -> str:
    """Replace the session's credential with a fresh one before it expires."""
    old = session.token
    credential = await sfu_token_issue(
        session=session, handle=handle, meeting_id=meeting_id, user_id=user_id
    )
    if conf.token_secret():
        session.token = credential
    if old:
        await _allowed(session, handle, meeting_id, "remove", [old])
    return credential


async def sfu_tokens_revoke(*, meeting_id: int, user_id: int, token: str = "") -> list[str]:
    """Remove one credential, or (token empty) every credential of the user; return those
    removed. Expired credentials of anybody are dropped from the list on the way."""
    async with new_session() as session:
        handle = await session.attach()
        listed = await _allowed(session, handle, meeting_id, "add", [])  # adding none lists
        now = time.time()
        tokens = [t for t in listed if t == token or (not token and credential_user(t) == user_id)]
        stale = [t for t in listed if t not in tokens and credential_expired(t, now)]
        if tokens or stale:
            await _allowed(session, handle, meeting_id, "remove", tokens + stale)
        return tokens


async def sfu_participants(*, meeting_id: int) -> list[dict[str, Any]]:
    """The room's participants: [{"id", "display", "publisher"}]; empty if there is no room."""
    try:
        data = await _control({"request": "listparticipants", "room": meeting_id})
    except JanusError as exc:
        if exc.code == NO_SUCH_ROOM:
            return []
        raise
    return list(data.get("participants", []))


async def sfu_recording_start(*, meeting_id: int, folder: str) -> None:
    """Make Janus record every publisher of the room into `folder`, one .mjr file per stream."""
    secret = room_secret(meeting_id)
    await _control({"request": "edit", "room": meeting_id, "secret": secret, "new_rec_dir": folder})
    await _control(
        {"request": "enable_recording", "room": meeting_id, "secret": secret, "record": True}
    )


async def sfu_recording_stop(*, meeting_id: int) -> bool:
    """Stop Janus's recording of the room (it closes the files); False if there is no room."""
    try:
        await _control(
            {
                "request": "enable_recording",
                "room": meeting_id,
                "secret": room_secret(meeting_id),
                "record": False,
            }
        )
    except JanusError as exc:
        if exc.code == NO_SUCH_ROOM:
            return False
        raise
    return True


async def sfu_user_kick(*, meeting_id: int, user_id: int) -> int:
    """Revoke the user's tokens and kick every participant of theirs; return how many."""
    try:
        await sfu_tokens_revoke(meeting_id=meeting_id, user_id=user_id)
        participants = await sfu_participants(meeting_id=meeting_id)
    except JanusError as exc:
        if exc.code == NO_SUCH_ROOM:
            return 0
        raise
    kicked = 0
    for participant in participants:
        if str(participant.get("display", "")).startswith(f"{user_id}:"):
            try:
                await _control(
                    {
                        "request": "kick",
                        "room": meeting_id,
                        "secret": room_secret(meeting_id),
                        "id": participant["id"],
                    }
                )
                kicked += 1
            except JanusError:
                pass  # it left meanwhile
    return kicked


async def sfu_room_ids() -> list[int]:
    """Every VideoRoom Janus holds (private ones too: the admin key lists them)."""
    data = await _control({"request": "list", "admin_key": conf.admin_key()})
    return [int(room["room"]) for room in data.get("list", [])]


async def sfu_room_release(*, meeting_id: int) -> bool:
    """The meeting ended: forget its topology and destroy its Janus room (if any)."""
    from classmeet.rooms.sfu import topology

    await topology.topology_reset(meeting_id=meeting_id)
    return await sfu_room_destroy(meeting_id=meeting_id)


def _meetings_over(meeting_ids: list[int], now: datetime) -> tuple[set[int], set[int]]:
    """(rooms whose meeting ended, was cancelled or is gone; rooms past their scheduled end)."""
    from classmeet.meetings.models import Meeting

    meetings = {m.pk: m for m in Meeting.objects.filter(pk__in=meeting_ids)}
    over = {
        pk
        for pk in meeting_ids
        if pk not in meetings
        or meetings[pk].status in (Meeting.Status.ENDED, Meeting.Status.CANCELLED)
    }
    late = {pk for pk, m in meetings.items() if pk not in over and now >= m.ends_at}
    return over, late


async def sfu_rooms_sweep() -> list[int]:
    """Destroy the rooms nobody should be in: their meeting ended, was cancelled or deleted, or
    is past its scheduled end with nobody left in the room. Return the destroyed room ids.

    Meeting ends normally destroy the room at once (`sfu_room_release`, queued by the end);
    this periodic sweep catches what that missed (Janus down at the time, a crashed worker,
    a meeting that just ran out of time)."""
    from asgiref.sync import sync_to_async
    from django.utils import timezone

    ids = await sfu_room_ids()
    over, late = await sync_to_async(_meetings_over)(ids, timezone.now())
    for meeting_id in late:
        if not await sfu_participants(meeting_id=meeting_id):
            over.add(meeting_id)
    destroyed = []
    for meeting_id in sorted(over):
        try:
            if await sfu_room_release(meeting_id=meeting_id):
                destroyed.append(meeting_id)
        except JanusError as exc:  # not a room of ours (another secret): leave it
            logger.warning("SFU sweep left room %s: %s", meeting_id, exc)
    return destroyed


async def sfu_moderate(
    *, session: JanusSession, handle: int, meeting_id: int, feed_id: int, mid: str, mute: bool
) -> None:
    """Make Janus stop (mute) or resume forwarding one stream (`mid`) of a publisher, whatever
    the publisher does: VideoRoom `moderate`, which needs the room's secret."""
    await session.request(
        handle,
        {
            "request": "moderate",
            "room": meeting_id,
            "secret": room_secret(meeting_id),
            "id": feed_id,
            "mid": mid,
            "mute": mute,
        },
    )
