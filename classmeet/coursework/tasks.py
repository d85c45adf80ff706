"""Celery tasks of coursework: thin wrappers around services."""

from celery import shared_task


@shared_task(name="classmeet.coursework.tasks.quiz_attempts_expire", ignore_result=True)
def quiz_attempts_expire() -> int:
    """Submit the quiz attempts past their deadline (queued by beat every minute)."""
    from .services.quizzes import quiz_attempts_expire as expire

    return expire()
