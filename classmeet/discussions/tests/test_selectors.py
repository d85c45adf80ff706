"""The discussions page's written-out statements choose what the ORM selectors choose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.models import CourseAssistant
from classmeet.courses.tests.factories import CourseFactory
from classmeet.discussions.selectors import (
    SORT_NEWEST,
    SORT_VOTES,
    DiscussionPageRows,
    discussion_course_choices,
    discussion_summary_list,
)
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory, VoteFactory

pytestmark = pytest.mark.django_db


def _shown(rows: object) -> list[tuple[object, ...]]:
    return [
        (
            d.pk, d.title, d.is_pinned, d.is_locked, d.is_deleted, d.has_answer, d.vote_count,
            d.comment_count, d.course.pk, d.course.title,
            d.author.display_name if d.author else None,
        )
        for d in rows  # type: ignore[attr-defined]
    ]  # fmt: skip


@pytest.mark.parametrize("sort", [SORT_NEWEST, SORT_VOTES])
@pytest.mark.parametrize("query", ["", "wAVe", "100%", "a_b", "back\\slash", "Été"])
def test_page_rows_are_the_summary_list(course, other_teacher, student, enrollment, sort, query):
    # Enrolled, taught and assisted courses; never another one. Searches match titles, and the
    # bodies of discussions not deleted, with LIKE's wildcards taken as plain characters.
    taught = CourseFactory.create(teacher=student, title="Taught")
    assisted = CourseFactory.create(teacher=other_teacher, title="Assisted")
    CourseAssistant.objects.create(course=assisted, user=student)
    elsewhere = CourseFactory.create(teacher=other_teacher)
    now = timezone.now()
    titles = ["Waves", "100% sure", "1000 sure", "a_b", "axb", "back\\slash", "été", "Plain"]
    made = []
    for index, title in enumerate(titles):
        home = (course, taught, assisted, elsewhere)[index % 4]
        made.append(
            DiscussionFactory.create(
                course=home,
                title=title,
                body="waves" if index == 3 else "text",
                is_pinned=index == 5,
                deleted_at=now if index == 7 else None,
                last_activity_at=now - timedelta(hours=index),
            )
        )
    gone = StudentFactory.create()
    made.append(DiscussionFactory.create(course=course, author=gone, title="Orphan wave"))
    gone.delete()
    for _ in range(3):
        VoteFactory.create(discussion=made[4])
    VoteFactory.create(discussion=made[0], is_active=False)
    CommentFactory.create(discussion=made[1], is_answer=True)
    CommentFactory.create(discussion=made[2], deleted_at=now)

    for course_id in (None, course.pk, assisted.pk):
        expected = discussion_summary_list(
            user=student, course_id=course_id, query=query, sort=sort
        )
        rows = DiscussionPageRows(user=student, course_id=course_id, query=query, sort=sort)
        assert rows.count() == expected.count()
        assert _shown(rows[0:50]) == _shown(expected)
        assert _shown(rows[1:3]) == _shown(expected[1:3])
    assert DiscussionPageRows(user=student).count() == 7  # none of `elsewhere`


def test_course_choices_are_the_users_courses_by_title(course, other_teacher, student, enrollment):
    taught = CourseFactory.create(teacher=student, title="A taught one")
    assisted = CourseFactory.create(teacher=other_teacher, title="Zed assisted")
    CourseAssistant.objects.create(course=assisted, user=student)
    CourseFactory.create(teacher=other_teacher, title="B elsewhere")
    choices = discussion_course_choices(user=student)
    assert [(c.pk, c.title) for c in choices] == sorted(
        [(c.pk, c.title) for c in (course, taught, assisted)], key=lambda pair: (pair[1], pair[0])
    )
