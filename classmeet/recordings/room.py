"""Room hooks of recordings (registered in RecordingsConfig.ready).

- join: a joiner gets a `recording` frame while the class is being recorded (shown as a notice);
- leave: when the teacher who records has left (on purpose, or socket gone past the reconnect
  grace, or the meeting ended) and none of their tabs is still in the room, the recording stops
  and its processing is queued.
- both, while Janus records: the room's publishers are listed again, so that the teacher's
  feeds are known even if they republished (e.g. after a reconnect) and left before the stop.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils.translation import gettext as _

from classmeet.recordings import selectors
from classmeet.recordings.services import capture
from classmeet.rooms import hooks, presence, protocol
from classmeet.rooms.frames import frame_event


def _active_frame(meeting_id: int) -> str | None:
    recording = selectors.recording_active_for_meeting(meeting_id=meeting_id)
    if recording is None:
        return None
    message = capture.recording_state_message(recording, message=_("This class is being recorded."))
    return protocol.dump(message)


@hooks.on_join
async def recording_on_join(event: hooks.RoomEvent) -> None:
    text = await database_sync_to_async(_active_frame)(event.meeting_id)
    layer = get_channel_layer()
    if text is not None and layer is not None:
        await layer.send(event.peer.channel, frame_event(text))
    if text is not None:
        await database_sync_to_async(capture.recording_feeds_refresh)(meeting_id=event.meeting_id)


@hooks.on_leave
async def recording_on_leave(event: hooks.RoomEvent) -> None:
    await database_sync_to_async(capture.recording_feeds_refresh)(meeting_id=event.meeting_id)
    present = await presence.get_store().all(event.meeting_id)
    if any(
        p.user_id == event.peer.user_id and p.peer_id != event.peer.peer_id for p, _seen in present
    ):
        return
    await database_sync_to_async(capture.recordings_stop_for_user)(
        meeting_id=event.meeting_id,
        user_id=event.peer.user_id,
        message=_("The teacher left; the recording stopped."),
    )
