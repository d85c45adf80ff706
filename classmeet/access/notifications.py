"""Notifications: each is seen by its recipient only."""

from django.http import Http404

from classmeet.accounts.selectors import AnyUser, is_authenticated
from classmeet.notifications.models import Notification


def access_notification(*, user: AnyUser, notification_id: int) -> Notification:
    """Return the user's own notification, or raise Http404 (someone else's is as missing)."""
    notification = None
    if is_authenticated(user):
        notification = (
            Notification.objects.select_related("recipient")
            .filter(pk=notification_id, recipient_id=user.pk)
            .first()
        )
    if notification is None:
        raise Http404
    return notification
