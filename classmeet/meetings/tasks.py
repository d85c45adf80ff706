"""Celery tasks of meetings: thin wrappers around services."""

from celery import shared_task


@shared_task(name="classmeet.meetings.tasks.meeting_reminders_send", ignore_result=True)
def meeting_reminders_send() -> int:
    """Send the reminders that are due (queued by beat; see CELERY_BEAT_SCHEDULE)."""
    from .services.reminders import meeting_reminders_send as send_due

    return send_due()
