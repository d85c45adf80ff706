"""Django owns the Janus VideoRoom of each meeting: create it on demand, admit participants
with tokens issued per participant, kick removed users, destroy it when the meeting ends.

Room id = meeting id. The room's `secret` (needed to edit, kick, destroy) and `pin` (needed to
join) are derived from SECRET_KEY, so every Classmeet process knows them and no browser does.
The room has an `allowed` list: a participant joins only with a token Classmeet added for them
(`<user id>.<random>`); the token is removed when they leave or are removed.
"""

from __future__ import annotations

import secrets
from typing import Any

from classmeet.rooms.sfu import conf
from classmeet.rooms.sfu.janus import NO_SUCH_ROOM, ROOM_EXISTS, JanusError, JanusSession


def room_secret(meeting_id: int) -> str:
    return conf.derived_secret("secret", meeting_id)


def room_pin(meeting_id: int) -> str:
    return conf.derived_secret("pin", meeting_id)[:16]


def new_session() -> JanusSession:
    return JanusSession(url=conf.url(), api_secret=conf.api_secret(), timeout=conf.timeout())


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


async def sfu_token_issue(
    *, session: JanusSession, handle: int, meeting_id: int, user_id: int
) -> str:
    """A fresh token for this participant, added to the room's allowed list."""
    token = f"{user_id}.{secrets.token_urlsafe(24)}"
    await session.request(
        handle,
        {
            "request": "allowed",
            "room": meeting_id,
            "secret": room_secret(meeting_id),
            "action": "add",
            "allowed": [token],
        },
    )
    return token


async def sfu_tokens_revoke(*, meeting_id: int, user_id: int, token: str = "") -> list[str]:
    """Remove one token, or (token empty) every token of the user; return those removed."""
    async with new_session() as session:
        handle = await session.attach()
        listed = await session.request(
            handle,
            {
                "request": "allowed",
                "room": meeting_id,
                "secret": room_secret(meeting_id),
                "action": "add",  # adding nothing lists the tokens
                "allowed": [],
            },
        )
        prefix = f"{user_id}."
        tokens = [
            t
            for t in listed.get("allowed", [])
            if t == token or (not token and t.startswith(prefix))
        ]
        if tokens:
            await session.request(
                handle,
                {
                    "request": "allowed",
                    "room": meeting_id,
                    "secret": room_secret(meeting_id),
                    "action": "remove",
                    "allowed": tokens,
                },
            )
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
