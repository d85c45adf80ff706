"""Discussions, comments, votes, notifications and attendance through the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from classmeet.discussions.models import Comment, Vote
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.models import Attendance
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_discussion_create_renders_markdown_safely_and_notifies(
    token_client, student, enrollment, teacher, course
):
    response = token_client(student).post(
        reverse("api:discussion-create", kwargs={"course_id": course.pk}),
        {"title": " Waves ", "body": "**bold** <script>alert(1)</script>"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Waves"
    assert "<strong>bold</strong>" in body["body_html"]
    assert "<script>" not in body["body_html"]
    assert body["vote_count"] == 0
    assert Notification.objects.filter(recipient=teacher).exists()


def test_discussion_list_search_and_validation(token_client, student, enrollment, course):
    DiscussionFactory.create(course=course, title="About lenses")
    DiscussionFactory.create(course=course, title="About prisms")
    client = token_client(student)
    url = reverse("api:discussion-list")
    assert client.get(url).json()["count"] == 2
    found = client.get(url, {"q": "lens"}).json()
    assert [d["title"] for d in found["results"]] == ["About lenses"]
    assert client.get(url, {"sort": "random"}).status_code == 400


def test_comment_reply_and_votes(token_client, student, teacher, enrollment, course):
    discussion = DiscussionFactory.create(course=course, author=teacher)
    client = token_client(student)
    first = client.post(
        reverse("api:comment-create", kwargs={"discussion_id": discussion.pk}), {"body": "Hi"}
    ).json()
    reply = client.post(
        reverse("api:comment-create", kwargs={"discussion_id": discussion.pk}),
        {"body": "Me again", "parent_id": first["id"]},
    )
    assert reply.status_code == 201
    assert reply.json()["parent_id"] == first["id"]
    listed = client.get(reverse("api:comment-list", kwargs={"discussion_id": discussion.pk}))
    assert [c["id"] for c in listed.json()["results"]] == [first["id"], reply.json()["id"]]
    vote_url = reverse("api:discussion-vote", kwargs={"discussion_id": discussion.pk})
    assert client.post(vote_url).json() == {"upvoted": True}
    assert client.post(vote_url).json() == {"upvoted": False}
    comment_vote = reverse("api:comment-vote", kwargs={"comment_id": first["id"]})
    assert token_client(teacher).post(comment_vote).json() == {"upvoted": True}
    assert Vote.objects.filter(comment_id=first["id"], is_active=True).count() == 1


def test_reply_to_a_comment_of_another_discussion_is_400(token_client, student, enrollment, course):
    discussion = DiscussionFactory.create(course=course)
    elsewhere = CommentFactory.create(discussion=DiscussionFactory.create(course=course))
    response = token_client(student).post(
        reverse("api:comment-create", kwargs={"discussion_id": discussion.pk}),
        {"body": "x", "parent_id": elsewhere.pk},
    )
    assert response.status_code == 400
    assert "parent_id" in response.json()["errors"]
    assert not Comment.objects.filter(discussion=discussion).exists()


def test_locked_discussion_refuses_student_comments_but_not_the_teacher(
    token_client, student, teacher, enrollment, course
):
    discussion = DiscussionFactory.create(course=course, is_locked=True)
    url = reverse("api:comment-create", kwargs={"discussion_id": discussion.pk})
    assert token_client(student).post(url, {"body": "x"}).status_code == 403
    assert token_client(teacher).post(url, {"body": "Answer"}).status_code == 201


def test_notifications_list_read_and_read_all(token_client, student):
    first = Notification.objects.create(recipient=student, kind="enrolled", title="One")
    Notification.objects.create(recipient=student, kind="enrolled", title="Two")
    client = token_client(student)
    url = reverse("api:notification-list")
    assert client.get(url, {"unread": "true"}).json()["count"] == 2
    read = client.post(reverse("api:notification-read", kwargs={"notification_id": first.pk}))
    assert read.status_code == 200
    assert read.json()["is_read"] is True
    assert client.get(url, {"unread": "true"}).json()["count"] == 1
    assert client.get(url, {"unread": "false"}).json()["count"] == 1
    assert client.post(reverse("api:notification-read-all")).json() == {"marked": 1}
    assert client.get(url, {"unread": "true"}).json()["count"] == 0


def test_attendance_report(token_client, teacher, student, enrollment, live_meeting):
    Attendance.objects.create(
        meeting=live_meeting,
        user=student,
        peer_id="p1",
        joined_at=timezone.now() - timedelta(minutes=4),
        left_at=timezone.now() - timedelta(minutes=1),
        closed_by=Attendance.ClosedBy.LEAVE,
    )
    response = token_client(teacher).get(
        reverse("api:meeting-attendance", kwargs={"meeting_id": live_meeting.pk})
    )
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["student"]["username"] == student.username
    assert row["present"] is True
    assert row["joins"] == 1
    assert 2.9 <= row["minutes"] <= 3.1
