"""GET /api/v1/meetings/<id>/ice-servers/: the room's ICE servers, only while it is open."""

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def ice_url(meeting_id: int) -> str:
    return reverse("api:meeting-ice-servers", kwargs={"meeting_id": meeting_id})


def test_ice_servers_are_empty_by_default(token_client, student, enrollment, live_meeting):
    response = token_client(student).get(ice_url(live_meeting.pk))
    assert response.status_code == 200
    assert response.json() == {"ice_servers": [], "ice_transport_policy": "all"}


@override_settings(
    CLASSMEET_STUN_URLS=["stun:stun.school.test:3478"],
    CLASSMEET_TURN_URLS=["turn:turn.school.test:3478?transport=udp"],
    CLASSMEET_TURN_SECRET="s3cret",
    CLASSMEET_ICE_RELAY_ONLY=True,
)
def test_ice_servers_include_turn_credentials_when_configured(
    token_client, student, enrollment, live_meeting
):
    body = token_client(student).get(ice_url(live_meeting.pk)).json()
    assert body["ice_transport_policy"] == "relay"
    stun, turn = body["ice_servers"]
    assert stun == {"urls": ["stun:stun.school.test:3478"]}
    assert turn["urls"] == ["turn:turn.school.test:3478?transport=udp"]
    expiry, user_id = turn["username"].split(":")
    assert int(user_id) == student.pk
    assert int(expiry) > timezone.now().timestamp()
    expected = base64.b64encode(
        hmac.new(b"s3cret", turn["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert turn["credential"] == expected


def test_teacher_of_the_course_gets_ice_servers(token_client, teacher, live_meeting):
    assert token_client(teacher).get(ice_url(live_meeting.pk)).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 404), ("other_teacher", 404), ("staff", 404)],
)
def test_ice_servers_refused_to_non_members(request, token_client, live_meeting, who, status):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert token_client(user).get(ice_url(live_meeting.pk)).status_code == status


def test_cancelled_meeting_is_404(token_client, student, enrollment, course):
    meeting = MeetingFactory.create(course=course, status=Meeting.Status.CANCELLED)
    assert token_client(student).get(ice_url(meeting.pk)).status_code == 404


def test_ended_meeting_is_409(token_client, student, enrollment, course):
    meeting = MeetingFactory.create(course=course, starts_at=timezone.now() - timedelta(hours=3))
    assert token_client(student).get(ice_url(meeting.pk)).status_code == 409
