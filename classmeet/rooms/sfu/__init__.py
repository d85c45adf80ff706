"""The SFU (a Janus VideoRoom per meeting) as other apps see it.

Recordings records a class with Janus's own recorder: it moves the room to the SFU, lists who
publishes there, and turns Janus's recording on and off. It does so through these functions
only; the room's secrets, the control sessions and the topology store stay inside this package.
Each call may raise one of `SFU_ERRORS` when Janus refuses, is down or too slow.
"""

from __future__ import annotations

from pathlib import Path

from classmeet.rooms.sfu import conf, rooms, topology
from classmeet.rooms.sfu.janus import SFU_ERRORS

__all__ = [
    "SFU_ERRORS",
    "enabled",
    "room_participants",
    "room_recording_start",
    "room_recording_stop",
    "switch_to_sfu",
]


def enabled() -> bool:
    """Return True when an SFU is configured (CLASSMEET_SFU_URL): rooms may move to Janus."""
    return conf.enabled()


async def switch_to_sfu(*, meeting_id: int) -> bool:
    """Put the room on the SFU, as crossing the size threshold does, and tell its sockets.

    Create the meeting's Janus room if needed; return True if the room was a mesh until now.
    """
    from channels.layers import get_channel_layer

    from classmeet.rooms import protocol
    from classmeet.rooms.frames import frame_event
    from classmeet.rooms.services.events import meeting_group_name

    if await topology.topology_get(meeting_id=meeting_id) == topology.SFU:
        await rooms.sfu_room_ensure(meeting_id=meeting_id)
        return False
    await rooms.sfu_room_ensure(meeting_id=meeting_id)
    if await topology.topology_switch(meeting_id=meeting_id):
        switch = protocol.Topology(mode="sfu", maxStudentVideos=conf.max_student_videos())
        layer = get_channel_layer()
        if layer is not None:
            await layer.group_send(
                meeting_group_name(meeting_id), frame_event(protocol.dump(switch))
            )
    return True


async def room_participants(*, meeting_id: int, publishing: bool = False) -> dict[str, int]:
    """Return the room's participants (only those publishing media, if `publishing`) as
    {Janus publisher id: Classmeet user id}; empty if the room does not exist."""
    found: dict[str, int] = {}
    for participant in await rooms.sfu_participants(meeting_id=meeting_id):
        user, _sep, _peer = str(participant.get("display", "")).partition(":")
        if user.isdigit() and (participant.get("publisher") or not publishing):
            found[str(participant["id"])] = int(user)
    return found


async def room_recording_start(*, meeting_id: int, folder: Path) -> None:
    """Make Janus record every publisher of the room into `folder` (one .mjr file per stream).

    Janus writes there itself: it must share that file system with whoever reads the files.
    """
    await rooms.sfu_recording_start(meeting_id=meeting_id, folder=str(folder))


async def room_recording_stop(*, meeting_id: int) -> bool:
    """Stop Janus's recording of the room, which closes the files.

    Return False if the room no longer exists (the meeting ended: Janus closed them already).
    """
    return await rooms.sfu_recording_stop(meeting_id=meeting_id)
