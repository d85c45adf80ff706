"""The channel-layer events that carry the room's frames to its sockets.

A server frame is serialized once, by whoever sends it, and each receiving socket writes the text
as is (`RoomConsumer.room_frame`). The same events keep every socket's peer → channel map
(`RoomConsumer.peer_channels`) up to date.
"""

from __future__ import annotations

from channels.layers import get_channel_layer

from classmeet.rooms import protocol
from classmeet.rooms.services.events import meeting_group_name


def frame_event(
    text: str, *, exclude: str = "", peer_id: str = "", channel: str = ""
) -> dict[str, str]:
    """A channel-layer event carrying one already-serialized server frame.

    With `peer_id`, it also updates the receivers' peer → channel maps: the peer is at `channel`
    (it joined or resumed) or, with an empty channel, gone (it left).
    """
    event = {"type": "room.frame", "text": text, "exclude": exclude}
    if peer_id:
        event["peer_id"] = peer_id
        event["channel"] = channel
    return event


def peer_event(peer_id: str, channel: str, *, was: str = "") -> dict[str, str]:
    """A map-only event: `peer_id` is now at `channel` ("" when gone); `was` is the channel it
    replaces (the receiver forgets the peer only if its map still holds that one)."""
    return {"type": "room.peer", "peer_id": peer_id, "channel": channel, "was": was}


async def announce_left(meeting_id: int, peer_ids: list[str], *, exclude: str = "") -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for peer_id in peer_ids:
        text = protocol.dump(protocol.UserLeft(peerId=peer_id))
        await layer.group_send(
            meeting_group_name(meeting_id), frame_event(text, exclude=exclude, peer_id=peer_id)
        )
