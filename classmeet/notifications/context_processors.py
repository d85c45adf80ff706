from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from classmeet.core.batch import page_read

from .selectors import notification_unread_count


def notifications(request: HttpRequest) -> dict[str, object]:
    """Give templates the unread count: one COUNT query, and only if a template uses it (read
    with the view's own statements if the view planned it: `core.batch.plan_page_reads`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    planned = page_read(request, "notifications_unread")
    if planned is not None:
        return {"notifications_unread": SimpleLazyObject(planned.result)}
    return {"notifications_unread": SimpleLazyObject(lambda: notification_unread_count(user=user))}
