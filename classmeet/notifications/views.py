"""Notification pages: the full list, the bell's dropdown data, and marking read."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.core.links import id_url
from classmeet.core.pagination import page_of
from classmeet.core.redirects import safe_next_path

from . import selectors, services

PAGE_SIZE = 20


def _safe_url(request: HttpRequest, url: str) -> str:
    """Return url if it is a path on this site, otherwise the notification list."""
    return safe_next_path(request, url, default=reverse("notifications:notification-list"))


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = page_of(
        selectors.notification_page_list(user=request_user(request)),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    for notification in page:
        notification.read_url = id_url(  # type: ignore[attr-defined]
            "notifications:notification-read", "notification_id", notification.pk
        )
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "here": request.get_full_path()},
    )


@login_required
@require_GET
def notification_latest(request: HttpRequest) -> JsonResponse:
    """The bell's dropdown: the latest five and the unread count, loaded when it opens."""
    user = request_user(request)
    return JsonResponse(
        {
            "unread": selectors.notification_unread_count(user=user),
            "results": [
                services.notification_payload(n)
                for n in selectors.notification_latest(user=user, limit=5)
            ],
        }
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read, then go to its target (or back to `next`)."""
    notification = access.notifications.access_notification(
        user=request_user(request), notification_id=notification_id
    )
    services.notification_mark_read(notification=notification)
    target = request.POST.get("next") or notification.url
    return redirect(_safe_url(request, target))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request_user(request))
    return redirect(_safe_url(request, request.POST.get("next", "")))
