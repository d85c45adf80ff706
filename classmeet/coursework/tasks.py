"""Celery tasks of coursework: thin wrappers around services."""

from celery import shared_task


@shared_task(name="classmeet.coursework.tasks.assignment_reminders_send", ignore_result=True)
def assignment_reminders_send() -> int:
    """Send the "due soon" reminders that are due (queued by beat; see CELERY_BEAT_SCHEDULE)."""
    from .services.reminders import assignment_reminders_send as send_due

    return send_due()


@shared_task(name="classmeet.coursework.tasks.quiz_attempts_expire", ignore_result=True)
def quiz_attempts_expire() -> int:
    """Submit the quiz attempts past their deadline (queued by beat every minute)."""
    from .services.quizzes import quiz_attempts_expire as expire

    return expire()
