"""Create notifications. Every fan-out is one bulk INSERT inside the caller's transaction;
the real-time push to open tabs happens once that transaction commits."""

from collections.abc import Iterable

from django.db import transaction

from classmeet.accounts.models import User
from classmeet.courses.models import Course

from .models import Notification


@transaction.atomic
def notifications_create(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    title: str,
    url: str = "",
    body: str = "",
    actor: User | None = None,
    course: Course | None = None,
) -> list[Notification]:
    """Notify each recipient once (the actor never notifies themselves)."""
    ids = sorted({rid for rid in recipient_ids if actor is None or rid != actor.pk})
    if not ids:
        return []
    rows = [
        Notification(
            recipient_id=rid,
            actor=actor,
            course=course,
            kind=kind,
            title=title[:255],
            url=url,
            body=body,
        )
        for rid in ids
    ]
    created = Notification.objects.bulk_create(rows)
    return created
