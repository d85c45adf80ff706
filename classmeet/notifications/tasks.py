"""Celery tasks: thin wrappers around the e-mail services."""

from celery import shared_task


@shared_task(ignore_result=True)
def notifications_email_immediate(*, notification_ids: list[int]) -> int:
    from .services import notifications_email_immediate_send

    return notifications_email_immediate_send(notification_ids=notification_ids)


@shared_task(ignore_result=True)
def notifications_email_digest() -> int:
    from .services import notifications_email_digest_send

    return notifications_email_digest_send()
