"""Every API failure has the body {"detail": ..., "code": ...} (plus "errors" on 400)."""

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from classmeet.api.exceptions import api_exception_handler
from classmeet.api.services import api_token_create
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def ice_url(meeting_id: int) -> str:
    return reverse("api:meeting-ice-servers", kwargs={"meeting_id": meeting_id})


def _rates(user: str, anon: str):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"user": user, "anon": anon},
        }
    )


def assert_error(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert set(body) <= {"detail", "code", "errors"}
    return body


def test_anonymous_gets_401_with_www_authenticate(live_meeting):
    response = APIClient().get(ice_url(live_meeting.pk))
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_hidden_and_missing_objects_are_the_same_404(token_client, outsider, live_meeting):
    client = token_client(outsider)
    hidden = assert_error(client.get(ice_url(live_meeting.pk)), 404, "not_found")
    missing = assert_error(client.get(ice_url(live_meeting.pk + 1000)), 404, "not_found")
    assert hidden == missing


def test_unknown_api_path_is_a_json_404(token_client, student):
    assert_error(token_client(student).get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(APIClient().get("/api/v1/"), 404, "not_found")


def test_wrong_method_is_a_json_405(token_client, student, enrollment, live_meeting):
    response = token_client(student).post(ice_url(live_meeting.pk), {})
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_room_not_open_is_409(token_client, student, enrollment, course):
    later = MeetingFactory.create(course=course, starts_at=timezone.now() + timedelta(days=1))
    assert_error(token_client(student).get(ice_url(later.pk)), 409, "room_not_open")


@_rates(user="3/minute", anon="2/minute")
def test_throttling_per_user_gives_429_with_retry_after(
    token_client, student, enrollment, live_meeting
):
    client = token_client(student)
    for _ in range(3):
        assert client.get(ice_url(live_meeting.pk)).status_code == 200
    response = client.get(ice_url(live_meeting.pk))
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    # Another user has their own budget.
    other = token_client(live_meeting.course.teacher)
    assert other.get(ice_url(live_meeting.pk)).status_code == 200


@_rates(user="100/minute", anon="2/minute")
def test_throttling_per_anonymous_ip():
    # The schema is public, so anonymous requests reach the throttle.
    a = APIClient(REMOTE_ADDR="203.0.113.1", HTTP_ACCEPT="application/json")
    for _ in range(2):
        assert a.get(reverse("api:schema")).status_code == 200
    assert_error(a.get(reverse("api:schema")), 429, "throttled")
    b = APIClient(REMOTE_ADDR="203.0.113.2", HTTP_ACCEPT="application/json")
    assert b.get(reverse("api:schema")).status_code == 200


@_rates(user="100/minute", anon="3/minute")
def test_guessing_tokens_is_throttled_per_ip(student, enrollment, live_meeting):
    _token, raw = api_token_create(user=student, name="n")
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    guesser.credentials(HTTP_AUTHORIZATION="Bearer cm_000000000000_guess")
    for _ in range(3):
        assert_error(guesser.get(ice_url(live_meeting.pk)), 401, "authentication_failed")
    response = guesser.get(ice_url(live_meeting.pk))
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    # A valid token from that same address (another user behind the school's NAT) still works,
    # and successful requests are not counted...
    guesser.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert guesser.get(ice_url(live_meeting.pk)).status_code == 200
    guesser.credentials(HTTP_AUTHORIZATION="Bearer cm_000000000000_guess")
    assert guesser.get(ice_url(live_meeting.pk)).status_code == 429
    # ...and other addresses have their own count.
    ok = APIClient(REMOTE_ADDR="203.0.113.8")
    ok.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for _ in range(5):
        assert ok.get(ice_url(live_meeting.pk)).status_code == 200


def _handle(exc: Exception):
    response = api_exception_handler(exc, {})
    assert response is not None
    return response


def test_model_validation_errors_keep_their_fields():
    response = _handle(
        DjangoValidationError({"title": ["Too long."], "__all__": ["Clashes with another."]})
    )
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["errors"] == {
        "title": ["Too long."],
        "non_field_errors": ["Clashes with another."],
    }


def test_plain_validation_error_lands_in_non_field_errors():
    response = _handle(DjangoValidationError("Nope."))
    assert response.status_code == 400
    assert response.data["errors"] == {"non_field_errors": ["Nope."]}


def test_serializer_validation_error_has_field_errors():
    class S(serializers.Serializer[Any]):
        title = serializers.CharField(max_length=3)
        when = serializers.DateTimeField()

    s = S(data={"title": "abcdef"})
    assert not s.is_valid()
    response = _handle(serializers.ValidationError(s.errors))
    assert response.data["detail"] == "Invalid input."
    assert response.data["code"] == "invalid"
    assert set(response.data["errors"]) == {"title", "when"}


def test_unexpected_exceptions_are_not_swallowed():
    assert api_exception_handler(RuntimeError("boom"), {}) is None
