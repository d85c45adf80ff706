import json
import logging

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from classmeet.core.logging import JsonFormatter, RequestContextFilter
from classmeet.core.middleware import (
    TZ_COOKIE,
    DatabaseUnavailableMiddleware,
    RequestIdMiddleware,
    UserTimezoneMiddleware,
)

pytestmark = pytest.mark.django_db


def test_database_outage_answers_friendly_503_with_retry_after(rf: RequestFactory):
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    request = rf.get("/classmeet/dashboard/")
    response = middleware.process_exception(request, OperationalError("connection refused"))
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert b"Temporarily unavailable" in response.content
    assert b"Traceback" not in response.content


def test_other_exceptions_are_left_to_django(rf: RequestFactory):
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(rf.get("/"), ValueError("boom")) is None


def test_request_id_is_generated_when_missing_or_invalid(rf: RequestFactory):
    middleware = RequestIdMiddleware(lambda request: HttpResponse())
    generated = middleware(rf.get("/"))["X-Request-ID"]
    assert len(generated) == 32
    too_long = middleware(rf.get("/", HTTP_X_REQUEST_ID="x" * 200))["X-Request-ID"]
    assert too_long != "x" * 200


def _zone_seen(request) -> HttpResponse:
    return HttpResponse(str(timezone.get_current_timezone()))


def test_user_time_zone_wins_over_browser_cookie(rf: RequestFactory, student):
    student.timezone = "Asia/Kolkata"
    middleware = UserTimezoneMiddleware(_zone_seen)
    request = rf.get("/")
    request.user = student
    request.COOKIES[TZ_COOKIE] = "Europe/Paris"
    assert middleware(request).content == b"Asia/Kolkata"


def test_browser_zone_used_when_user_has_none_and_bad_names_fall_back_to_utc(rf, student):
    middleware = UserTimezoneMiddleware(_zone_seen)
    request = rf.get("/")
    request.user = student
    request.COOKIES[TZ_COOKIE] = "Europe/Paris"
    assert middleware(request).content == b"Europe/Paris"
    request.COOKIES[TZ_COOKIE] = "America%2FNew_York"  # as app.js writes it: URL-encoded
    assert middleware(request).content == b"America/New_York"
    request.COOKIES[TZ_COOKIE] = "../../etc/passwd"
    assert middleware(request).content == b"UTC"


def test_log_lines_are_json_with_request_context():
    record = logging.LogRecord("classmeet", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.meeting_id = 7
    RequestContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "hello world"
    assert line["meeting_id"] == 7
    assert line["request_id"] == "-"
    assert "user_id" in line
