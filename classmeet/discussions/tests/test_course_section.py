"""The discussions section of a course page (`{% course_discussions course %}`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory, VoteFactory

pytestmark = pytest.mark.django_db


def _item(html: str, pk: int) -> str:
    start = html.index(f'data-discussion-id="{pk}"')
    return html[start : html.index("</a>", start)]


def test_course_page_lists_discussions_with_their_counts_and_authors(client, enrollment):
    """Pinned first then newest activity, active votes and live comments counted, answered
    marked, a deleted author's posts by "a former member", titles and names escaped."""
    course = enrollment.course
    now = timezone.now()
    old = DiscussionFactory.create(
        course=course, title="Old <b>", last_activity_at=now - timedelta(days=3)
    )
    new = DiscussionFactory.create(course=course, last_activity_at=now - timedelta(hours=1))
    pinned = DiscussionFactory.create(
        course=course, is_pinned=True, last_activity_at=now - timedelta(days=9)
    )
    gone = StudentFactory.create(first_name="<Gone>")
    orphan = DiscussionFactory.create(course=course, author=gone, last_activity_at=now)
    gone.delete()
    DiscussionFactory.create(title="Another course's")
    for _ in range(2):
        VoteFactory.create(discussion=old)
    VoteFactory.create(discussion=old, is_active=False)
    CommentFactory.create(discussion=old, is_answer=True)
    CommentFactory.create(discussion=old, deleted_at=now)
    client.force_login(enrollment.student)
    html = client.get(course.get_absolute_url()).content.decode()
    order = [html.index(f'data-discussion-id="{d.pk}"') for d in (pinned, orphan, new, old)]
    assert order == sorted(order)
    assert "Another course&#x27;s" not in html
    item = _item(html, old.pk)
    assert "Old &lt;b&gt;" in item
    assert "2 Upvotes" in item
    assert "1 Comment\n" in item
    assert "Answered" in item
    assert "Answered" not in _item(html, new.pk)
    assert "0 Upvotes" in _item(html, new.pk)
    assert "Started by: a former member" in _item(html, orphan.pk)
    assert f"Started by: {course.teacher.display_name}" in _item(html, new.pk)
