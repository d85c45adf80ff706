"""FastOutputMixin gives what DRF's own Serializer.to_representation gives, field for field."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers

from classmeet.api.apis.courses import CourseOutputSerializer
from classmeet.api.apis.discussions import CommentOutputSerializer, DiscussionOutputSerializer
from classmeet.api.apis.meetings import MeetingOutputSerializer
from classmeet.api.apis.notifications import NotificationOutputSerializer
from classmeet.discussions import selectors as discussion_selectors
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _drf(serializer: serializers.BaseSerializer[Any], instance: object) -> object:
    return serializers.Serializer.to_representation(serializer, instance)  # type: ignore[arg-type]


def _same(serializer_class: type[serializers.BaseSerializer[Any]], *instances: object, **kw: Any):
    for instance in instances:
        serializer = serializer_class(instance, **kw)
        fast = serializer.data
        assert fast == _drf(serializer_class(instance, **kw), instance)
        assert list(fast) == list(serializer_class.Meta.fields)  # type: ignore[attr-defined]


def test_fast_output_matches_drf(student, teacher, course, enrollment):
    request = RequestFactory().get("/")
    request.user = teacher
    _same(CourseOutputSerializer, course, context={"request": request})
    now = timezone.now()
    _same(
        MeetingOutputSerializer,
        MeetingFactory.create(course=course, starts_at=now + timedelta(days=1)),
        MeetingFactory.create(course=course, starts_at=now - timedelta(minutes=5)),
    )
    with_author = DiscussionFactory.create(course=course, author=student)
    without_author = DiscussionFactory.create(course=course, author=None)
    shown = [
        discussion_selectors.discussion_get(user=student, discussion_id=d.pk)
        for d in (with_author, without_author)
    ]
    _same(DiscussionOutputSerializer, *shown)
    comment = CommentFactory.create(discussion=with_author, author=None)
    _same(CommentOutputSerializer, comment)
    _same(
        NotificationOutputSerializer,
        Notification.objects.create(recipient=student, kind="upvote", title="t", actor=teacher),
        Notification.objects.create(recipient=student, kind="upvote", title="u", actor=None),
    )
