import io

import pytest
from django.core.management import call_command

from classmeet.discussions.models import Comment, Discussion
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_two_discussions_once():
    for _ in range(2):
        call_command("seed_demo", "--json", stdout=io.StringIO())
    discussions = Discussion.objects.filter(course__title__startswith="Physics 101")
    assert discussions.count() == 2
    assert Comment.objects.filter(discussion__in=discussions).count() == 2
    assert discussions.filter(is_pinned=True).count() == 1
    assert Comment.objects.filter(is_answer=True).count() == 1
    assert all("<" in d.body_html for d in discussions)
    # Notified once: the first run's notifications were not repeated by the second run.
    assert Notification.objects.filter(kind=Notification.Kind.DISCUSSION_CREATED).count() == 2 * 3
