"""Celery tasks of recordings: thin wrappers over the services.

`acks_late` + `reject_on_worker_lost`: a worker killed mid-job leaves the message unacknowledged,
so the broker hands it to another worker (Redis: after CELERY_BROKER_VISIBILITY_TIMEOUT); the
service takes the job over once the dead run's heartbeat has gone silent, starts over from what
was recorded and never leaves two files or a half-written one behind. A message that arrives while
another run is alive (e.g. redelivered during a long job) is retried later. The housekeeping beat
task queues again a job the broker lost, deletes expired recordings (retention) and stops ones
whose browser went away or that fill the quota.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from classmeet.recordings.services import housekeeping, processing


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def recording_process_task(self: Any, *, recording_id: int) -> str:
    try:
        return str(processing.recording_process(recording_id=recording_id).status)
    except processing.ProcessingBusy as exc:
        raise self.retry(countdown=3 * processing.heartbeat_seconds()) from exc


@shared_task
def recordings_housekeeping() -> dict[str, int]:
    return housekeeping.recordings_housekeeping()
