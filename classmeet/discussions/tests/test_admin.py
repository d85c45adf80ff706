import pytest
from django.urls import reverse

from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory, VoteFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "discussions_discussion",
        "discussions_comment",
        "discussions_vote",
        "notifications_notification",
    ],
)
def test_admin_pages_load(client, staff, course, student, model):
    discussion = DiscussionFactory.create(course=course)
    comment = CommentFactory.create(discussion=discussion)
    vote = VoteFactory.create(discussion=discussion)
    notification = Notification.objects.create(recipient=student, kind="upvote", title="x")
    objects = {
        "discussions_discussion": discussion,
        "discussions_comment": comment,
        "discussions_vote": vote,
        "notifications_notification": notification,
    }
    client.force_login(staff)
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model}_change", args=[objects[model].pk])).status_code == 200
    assert client.get(reverse(f"admin:{model}_changelist") + "?q=x").status_code == 200
