"""Request id and user id for the logs, the viewer's language and time zone, and a friendly 503."""

import logging
import uuid
from collections.abc import Callable
from urllib.parse import unquote

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .logging import request_id_var, user_id_var
from .recipients import supported_language
from .times import zone_named

logger = logging.getLogger("classmeet.request")

TZ_COOKIE = "classmeet_tz"


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else ""
        request_id = request_id or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        user_token = user_id_var.set(None)
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                user_id_var.set(user.pk)
            response["X-Request-ID"] = request_id
            if response.status_code >= 500:
                logger.error(
                    "request failed", extra={"path": request.path, "status": response.status_code}
                )
            return response
        finally:
            request_id_var.reset(token)
            user_id_var.reset(user_token)


class UserPreferencesMiddleware:
    """Activate the signed-in user's language and time zone: the user is looked at once, here.

    Language: the profile's (User.language) when set; otherwise what LocaleMiddleware, which runs
    before authentication, already chose (its cookie, set by the sign-in page's picker, else the
    browser's Accept-Language, else English). LocaleMiddleware's response side then writes
    Content-Language from the active language and adds `Vary: Accept-Language`.
    Time zone: the user's chosen zone, else the browser's (a cookie set by app.js), else UTC.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(user.pk)
        chosen_language = getattr(user, "language", "") if user is not None else ""
        language = supported_language(chosen_language) if chosen_language else None
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        chosen = getattr(user, "timezone", "") if user is not None else ""
        zone = zone_named(chosen) or zone_named(unquote(request.COOKIES.get(TZ_COOKIE, "")))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# The name it had when it did only the time zone.
UserTimezoneMiddleware = UserPreferencesMiddleware


def database_down(exception: BaseException) -> bool:
    return isinstance(exception, OperationalError | InterfaceError) or (
        isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
    )


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The friendly 503 page, rendered without the request's context processors (they would
    query the database again)."""
    logger.warning("database unavailable", extra={"path": request.path})
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "10"
    return response


class DatabaseUnavailableMiddleware:
    """Answer a friendly 503 page when a view finds the database unreachable, instead of a
    traceback. (When a middleware fails first, e.g. loading the session's user, the 500 handler
    `classmeet.core.views.server_error` answers the same page.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_down(exception):
            return database_unavailable_response(request)
        return None
