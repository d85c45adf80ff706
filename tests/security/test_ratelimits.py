"""Rate limits: sign-in (django-axes per user and IP, plus one limit per IP), sign-up and password
reset (classmeet.core.ratelimit), the API (DRF throttles) and chat (the room consumer).

Each test lowers the limit, spends it, and checks that the next request is refused with 429 (or
the socket's error frame) and that the refused request did nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from classmeet.core.ratelimit import parse_rate
from classmeet.rooms.tests.conftest import Peer

pytestmark = pytest.mark.django_db


def _signup_data(i: int) -> dict[str, str]:
    return {
        "username": f"newbie{i}",
        "email": f"newbie{i}@example.org",
        "first_name": "New",
        "last_name": "Bie",
        "role": "student",
        "password1": "a-long-Secret-9931",
        "password2": "a-long-Secret-9931",
    }


def test_rate_strings_parse_and_bad_ones_are_refused():
    assert parse_rate("5/minute") == (5, 60)
    assert parse_rate("30/hour") == (30, 3600)
    assert parse_rate("2/s") == (2, 1)
    for bad in ("five/minute", "5/fortnight", "5", ""):
        with pytest.raises(ValueError, match="bad rate"):
            parse_rate(bad)


def test_signup_is_limited_per_ip_with_a_429_page(settings):
    settings.CLASSMEET_RATELIMITS = {"signup": "3/hour"}
    client = Client()
    for i in range(3):
        response = client.post(reverse("accounts:signup"), _signup_data(i))
        assert response.status_code == 302, response.content[:500]
        client.logout()
    response = client.post(reverse("accounts:signup"), _signup_data(99))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many requests" in response.content
    assert "429.html" in [t.name for t in response.templates]
    assert not User.objects.filter(username="newbie99").exists()
    # The form itself stays readable, and another address is not affected.
    assert client.get(reverse("accounts:signup")).status_code == 200
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post(reverse("accounts:signup"), _signup_data(100)).status_code == 302


def test_password_reset_is_limited_per_ip_and_sends_no_more_mail(settings):
    settings.CLASSMEET_RATELIMITS = {"password-reset": "2/hour"}
    user = StudentFactory.create(email="victim@example.org")
    client = Client()
    for _ in range(2):
        response = client.post(reverse("accounts:password-reset"), {"email": user.email})
        assert response.status_code == 302
    assert len(mail.outbox) == 2
    response = client.post(reverse("accounts:password-reset"), {"email": user.email})
    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_password_reset_429_is_json_for_json_clients(settings):
    settings.CLASSMEET_RATELIMITS = {"password-reset": "0/hour"}
    response = Client().post(
        reverse("accounts:password-reset"),
        {"email": "x@example.org"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_signin_axes_locks_one_username_after_the_failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = StudentFactory.create(username="target")
    client = Client()
    for _ in range(3):
        client.post(reverse("accounts:signin"), {"username": "target", "password": "nope"})
    # Even the right password is refused now.
    response = client.post(
        reverse("accounts:signin"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signin_password_spraying_from_one_ip_is_limited(settings):
    """axes counts per (username, IP): one IP trying one password on many users hits the IP limit."""
    settings.CLASSMEET_RATELIMITS = {"signin": "5/minute"}
    victims = StudentFactory.create_batch(6)
    client = Client()
    statuses = [
        client.post(
            reverse("accounts:signin"), {"username": v.username, "password": DEFAULT_PASSWORD}
        ).status_code
        for v in victims
    ]
    # The first five are real attempts (the right password signs in: 302); the sixth is refused.
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    # Reading the sign-in page is not limited.
    assert client.get(reverse("accounts:signin")).status_code in (200, 302)


def test_api_user_throttle_answers_429_json(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/hour", "anon": "60/hour"},
    }
    client = Client()
    client.force_login(StudentFactory.create())
    statuses = [client.get("/api/v1/courses/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/courses/")
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response


def test_api_anonymous_throttle_answers_429_json(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "1000/hour", "anon": "2/hour"},
    }
    # The schema is the public endpoint, so anonymous requests reach the throttle (protected
    # ones answer 401 before it; wrong tokens are counted by the next test).
    client = Client()
    statuses = [client.get(reverse("api:schema")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_api_token_guessing_is_throttled(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "1000/hour", "anon": "3/hour"},
    }
    client = Client()
    statuses = [
        client.get(
            "/api/v1/courses/", headers={"authorization": f"Bearer cm_guess{i:040d}"}
        ).status_code
        for i in range(5)
    ]
    assert statuses[-1] == 429, statuses


@pytest.mark.django_db(transaction=True)
async def test_chat_flood_is_refused_over_the_real_socket(settings, live_meeting, enrollment):
    """The room consumer stores at most CLASSMEET_CHAT_RATE_COUNT lines per window per author."""
    from channels.db import database_sync_to_async

    from classmeet.rooms.models import ChatMessage
    from classmeet.rooms.tests.conftest import joined

    settings.CLASSMEET_CHAT_RATE_COUNT = 3
    settings.CLASSMEET_CHAT_RATE_SECONDS = 60
    peer = await joined(enrollment.student, live_meeting.pk)
    codes: list[str] = []
    for i in range(10):
        await peer.send({"type": "chat", "text": f"spam {i}"})
    while len(codes) < 10:
        frame = await _next_chat_or_error(peer)
        codes.append(frame.get("code", frame["type"]))
    await peer.close()
    assert codes == ["chat"] * 3 + ["rate-limited"] * 7
    assert await database_sync_to_async(ChatMessage.objects.count)() == 3


async def _next_chat_or_error(peer: Peer) -> dict[str, Any]:
    import json

    while True:
        frame: dict[str, Any] = json.loads(await peer.ws.receive_from(timeout=3))
        if frame["type"] in ("chat", "error"):
            return frame
