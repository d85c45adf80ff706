"""Server-side room events: pushed to every socket of a meeting once the transaction commits."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def meeting_group_name(meeting_id: int) -> str:
    """Return the channel-layer group that holds every socket of the meeting's room."""
    return f"meeting.{meeting_id}"


def lobby_group_name(meeting_id: int) -> str:
    """Return the group of the sockets waiting in the meeting's waiting room (rooms/lobby.py)."""
    return f"lobby.{meeting_id}"


def lobby_staff_group_name(meeting_id: int) -> str:
    """Return the group of the staff's sockets, told who knocks at the waiting room."""
    return f"lobby-staff.{meeting_id}"


def room_event_send(*, meeting_id: int, event: dict[str, Any], lobby: bool = False) -> None:
    """Send `event` to the meeting's group after the current transaction commits (with `lobby`,
    to the sockets in its waiting room too)."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(meeting_group_name(meeting_id), event)
            if lobby:
                async_to_sync(layer.group_send)(lobby_group_name(meeting_id), event)

    transaction.on_commit(send)
