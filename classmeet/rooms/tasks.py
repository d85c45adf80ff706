"""Celery tasks of the live room: thin wrappers around services."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="classmeet.rooms.tasks.sfu_room_release", ignore_result=True)
def sfu_room_release(*, meeting_id: int) -> bool:
    """The meeting ended: destroy its Janus room, whoever is (or is not) still connected."""
    from asgiref.sync import async_to_sync

    from classmeet.rooms.sfu import conf, rooms
    from classmeet.rooms.sfu.janus import SFU_ERRORS

    if not conf.enabled():
        return False
    try:
        return bool(async_to_sync(rooms.sfu_room_release)(meeting_id=meeting_id))
    except SFU_ERRORS:  # Janus down: the sweep destroys the room later
        logger.warning("destroying the Janus room of meeting %s failed", meeting_id)
        return False


@shared_task(name="classmeet.rooms.tasks.sfu_rooms_sweep", ignore_result=True)
def sfu_rooms_sweep() -> list[int]:
    """Destroy leftover Janus rooms of meetings that are over (queued by beat)."""
    from asgiref.sync import async_to_sync

    from classmeet.rooms.sfu import conf, rooms

    if not conf.enabled():
        return []
    return list(async_to_sync(rooms.sfu_rooms_sweep)())
