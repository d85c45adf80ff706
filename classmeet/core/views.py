"""Error pages and the favicon. The dashboard lives in classmeet.courses.views (it is a list of
courses)."""

import sys

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from .middleware import database_down, database_unavailable_response


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Send the browser's automatic /favicon.ico request to the site's icon."""
    # Not permanent: the icon's URL carries its content hash, which changes with it.
    response = HttpResponseRedirect(static("core/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its CSRF token, or with an old one: the site's 403 page, saying so."""
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a database outage gets the 503 page.
    exception = sys.exc_info()[1]
    if exception is not None and database_down(exception):
        return database_unavailable_response(request)
    return render(request, "500.html", status=500)
