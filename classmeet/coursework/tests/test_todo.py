"""The "To do" page and its selectors: a student's open work, a grader's ungraded submissions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.models import CourseAssistant
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.coursework.models import Assignment, Grade
from classmeet.coursework.selectors.todo import grading_list, todo_list

from .due_factories import (
    AssignmentStudentFactory,
    QuizAttemptFactory,
    QuizFactory,
    SubmissionFactory,
)
from .factories import AssignmentFactory

pytestmark = pytest.mark.django_db

URL = "/coursework/todo/"


def _titles(items) -> list[str]:
    return [item.title for item in items]


@pytest.fixture
def now():
    return timezone.now()


def test_url_name():
    assert reverse("coursework:todo") == URL


def test_student_sees_open_assigned_unsubmitted_work_due_soonest_first(
    course, enrollment, student, now
):
    day = timedelta(days=1)
    AssignmentFactory.create(course=course, title="Later", due_at=now + 3 * day)
    AssignmentFactory.create(course=course, title="Sooner", due_at=now + day)
    AssignmentFactory.create(
        course=course, title="Draft", due_at=now + day, status=Assignment.Status.DRAFT
    )
    done = AssignmentFactory.create(course=course, title="Handed in", due_at=now + day)
    SubmissionFactory.create(assignment=done, student=student)
    AssignmentFactory.create(course=course, title="Closed", due_at=now - day)
    AssignmentFactory.create(
        course=course,
        title="Late, cut off",
        due_at=now - 2 * day,
        accepts_late=True,
        cutoff_at=now - day,
    )
    AssignmentFactory.create(
        course=course, title="Late, open", due_at=now - 2 * day, accepts_late=True
    )
    AssignmentFactory.create(
        course=course,
        title="Late until tomorrow",
        due_at=now - day,
        accepts_late=True,
        cutoff_at=now + day,
    )
    AssignmentFactory.create(title="Other course", due_at=now + day)
    someone_elses = AssignmentFactory.create(course=course, title="For another", due_at=now + day)
    AssignmentStudentFactory.create(
        assignment=someone_elses, student=EnrollmentFactory.create(course=course).student
    )
    mine = AssignmentFactory.create(course=course, title="For me", due_at=now + 2 * day)
    AssignmentStudentFactory.create(assignment=mine, student=student)

    items = todo_list(user=student, now=now)
    assert _titles(items) == ["Late, open", "Late until tomorrow", "Sooner", "For me", "Later"]
    assert [item.overdue for item in items] == [True, True, False, False, False]
    assert items[1].closes_at == now + day
    assert items[0].closes_at is None
    assert {item.course_title for item in items} == {course.title}
    assert items[2].url == f"/coursework/assignments/{items[2].id}/"
    # The dashboard's "Due soon": the next two days only.
    assert _titles(todo_list(user=student, now=now, until=now + 2 * day)) == _titles(items)[:4]


def test_open_quizzes_with_attempts_left(course, enrollment, student, now):
    hour = timedelta(hours=1)
    two = QuizFactory.create(course=course, title="Two tries", attempts_allowed=2)
    QuizAttemptFactory.create(quiz=two, student=student)
    used = QuizFactory.create(course=course, title="Used up")
    QuizAttemptFactory.create(quiz=used, student=student)
    going = QuizFactory.create(course=course, title="In progress")
    QuizAttemptFactory.create(quiz=going, student=student, submitted_at=None)
    QuizFactory.create(course=course, title="Not open yet", opens_at=now + hour)
    QuizFactory.create(course=course, title="Closed", opens_at=now - 3 * hour, closes_at=now - hour)
    QuizFactory.create(course=course, title="Draft", status="draft")
    QuizFactory.create(title="Other course")
    soon = QuizFactory.create(course=course, title="Closes soon", closes_at=now + hour)
    # Somebody else's attempt uses none of ours.
    QuizAttemptFactory.create(quiz=soon, student=EnrollmentFactory.create(course=course).student)

    items = todo_list(user=student, now=now)
    assert [i.kind for i in items] == ["quiz"] * 3
    assert items[0].title == "Closes soon"
    assert items[0].url == f"/coursework/quizzes/{soon.pk}/"
    assert {i.title: i.attempts_left for i in items} == {
        "Closes soon": 1,
        "In progress": 1,
        "Two tries": 1,
    }


def test_quizzes_and_assignments_interleave_by_date(course, enrollment, student, now):
    AssignmentFactory.create(course=course, title="A2", due_at=now + timedelta(days=2))
    QuizFactory.create(course=course, title="Q1", closes_at=now + timedelta(days=1))
    QuizFactory.create(course=course, title="Q3", closes_at=now + timedelta(days=3))
    assert _titles(todo_list(user=student, now=now)) == ["Q1", "A2", "Q3"]


def test_staff_see_submissions_to_grade(course, teacher, student, enrollment, other_teacher):
    essay = AssignmentFactory.create(course=course, title="Essay")
    graded, waiting, pending_grade = (
        EnrollmentFactory.create(course=course).student for _ in range(3)
    )
    for who in (graded, waiting, pending_grade):
        SubmissionFactory.create(assignment=essay, student=who)
    Grade.objects.create(item=essay.grade_item, student=graded, points=Decimal(8))
    Grade.objects.create(item=essay.grade_item, student=pending_grade, points=None)
    all_graded = AssignmentFactory.create(course=course, title="All graded")
    SubmissionFactory.create(assignment=all_graded, student=graded)
    Grade.objects.create(item=all_graded.grade_item, student=graded, points=Decimal(1))
    AssignmentFactory.create(course=course, title="Nothing handed in")

    assert [(i.title, i.to_grade) for i in grading_list(user=teacher)] == [("Essay", 2)]
    assistant = TeacherFactory.create()
    CourseAssistant.objects.create(course=course, user=assistant)
    assert _titles(grading_list(user=assistant)) == ["Essay"]
    assert grading_list(user=other_teacher) == []
    assert grading_list(user=student) == []
    assert todo_list(user=teacher) == []


# The page --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_post_is_refused(client, student):
    client.force_login(student)
    assert client.post(URL).status_code == 405


def test_student_page_lists_work_and_marks_overdue_in_words(
    client, course, enrollment, student, now
):
    AssignmentFactory.create(course=course, title="Essay <b>", due_at=now + timedelta(hours=5))
    AssignmentFactory.create(
        course=course, title="Lab", due_at=now - timedelta(days=1), accepts_late=True
    )
    QuizFactory.create(course=course, title="Quiz 1")
    client.force_login(student)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Essay &lt;b&gt;" in html
    assert "Overdue" in html  # in words, not only a colour
    assert "1 attempt left" in html
    assert 'href="/coursework/todo/"' in html  # the navbar link
    assert "To grade" not in html


def test_empty_page_says_so(client, student):
    client.force_login(student)
    assert "Nothing to hand in" in client.get(URL).content.decode()


def test_teacher_page_lists_what_to_grade(client, course, teacher, student, enrollment):
    essay = AssignmentFactory.create(course=course, title="Essay")
    SubmissionFactory.create(assignment=essay, student=student)
    client.force_login(teacher)
    html = client.get(URL).content.decode()
    assert "To grade" in html
    assert "1 to grade" in html
    assert "Nothing to hand in" not in html
    assert 'href="/coursework/todo/"' not in html  # the navbar link is the students'


# Queries ---------------------------------------------------------------------------------------

TODO_BUDGET = 8


def _add_courses(*, student, count: int) -> None:
    now = timezone.now()
    for _ in range(count):
        course = CourseFactory.create()
        EnrollmentFactory.create(course=course, student=student)
        for days in (1, 2, 3):
            AssignmentFactory.create(course=course, due_at=now + timedelta(days=days))
        late = AssignmentFactory.create(
            course=course, due_at=now - timedelta(days=1), accepts_late=True
        )
        AssignmentStudentFactory.create(assignment=late, student=student)
        submitted = AssignmentFactory.create(course=course)
        SubmissionFactory.create(assignment=submitted, student=student)
        quiz = QuizFactory.create(course=course, attempts_allowed=3)
        QuizAttemptFactory.create(quiz=quiz, student=student)


def test_student_page_query_count_does_not_grow_with_courses(
    client, student, django_assert_max_num_queries
):
    client.force_login(student)
    _add_courses(student=student, count=2)
    client.get(URL)
    with django_assert_max_num_queries(TODO_BUDGET) as small:
        response = client.get(URL)
    assert len(response.context["items"]) == 2 * 5
    _add_courses(student=student, count=18)
    with django_assert_max_num_queries(TODO_BUDGET) as large:
        response = client.get(URL)
    assert len(response.context["items"]) == 20 * 5
    assert len(large.captured_queries) == len(small.captured_queries)


def test_teacher_page_query_count_does_not_grow_with_courses(client, django_assert_max_num_queries):
    teacher = TeacherFactory.create()
    client.force_login(teacher)

    def add(count: int) -> None:
        for _ in range(count):
            course = CourseFactory.create(teacher=teacher)
            for _ in range(2):
                essay = AssignmentFactory.create(course=course)
                for _ in range(2):
                    SubmissionFactory.create(assignment=essay, student=StudentFactory.create())

    add(2)
    client.get(URL)
    with django_assert_max_num_queries(TODO_BUDGET) as small:
        response = client.get(URL)
    assert len(response.context["grading"]) == 4
    add(18)
    with django_assert_max_num_queries(TODO_BUDGET) as large:
        response = client.get(URL)
    assert len(response.context["grading"]) == 40
    assert len(large.captured_queries) == len(small.captured_queries)
