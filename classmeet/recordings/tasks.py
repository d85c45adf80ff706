"""Celery tasks of recordings: thin wrappers over the services.

`acks_late` + `reject_on_worker_lost`: a worker killed mid-job leaves the message unacknowledged,
so the broker hands it to another worker; the service starts over from the uploaded parts and
never leaves two files or a half-written one behind. The housekeeping beat task queues again a
job stuck in "processing" (e.g. the broker lost it), deletes expired recordings and stops ones
whose browser went away.
"""

from __future__ import annotations

from celery import shared_task

from classmeet.recordings import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recording_process_task(*, recording_id: int) -> str:
    return str(services.recording_process(recording_id=recording_id).status)


@shared_task
def recordings_housekeeping() -> dict[str, int]:
    return services.recordings_housekeeping()
