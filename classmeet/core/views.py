"""Error pages. The dashboard lives in classmeet.courses.views (it is a list of courses)."""

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .middleware import database_down, database_unavailable_response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a database outage gets the 503 page.
    exception = sys.exc_info()[1]
    if exception is not None and database_down(exception):
        return database_unavailable_response(request)
    return render(request, "500.html", status=500)
