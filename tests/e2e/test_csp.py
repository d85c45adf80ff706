"""Content-Security-Policy in real Chromium: the main pages of each role report ZERO
`securitypolicyviolation` events (or CSP console errors) and still work, i.e. their scripts ran
(the room joins, Swagger UI renders, the sign-up role switch and the bell work).

A control test injects inline code into a page and checks that Chromium blocks it and that the
watcher reports it, so the zero counts above are real.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory, MaterialFactory
from classmeet.coursework.services.quizzes import attempt_start
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.quiz_factories import QuizFactory, single_question
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.tests.factories import MeetingFactory
from tests.security.browser import Watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def school():
    teacher = TeacherFactory.create(username="csp_teacher")
    student = StudentFactory.create(username="csp_student")
    course = CourseFactory.create(teacher=teacher, title="Optics")
    EnrollmentFactory.create(course=course, student=student)
    MaterialFactory.create(course=course)
    meeting = MeetingFactory.create(course=course, title="Lenses")
    discussion = DiscussionFactory.create(course=course)
    CommentFactory.create(discussion=discussion, author=student)
    assignment = AssignmentFactory.create(course=course)  # a file upload: the progress module
    quiz = QuizFactory.create(course=course, time_limit_minutes=30)
    single_question(quiz)
    draft_quiz = QuizFactory.create(course=course, status="draft")  # the editor's module
    question = single_question(draft_quiz)
    attempt = attempt_start(quiz=quiz, student=student)  # the countdown's module
    return {
        "teacher": teacher,
        "student": student,
        "course": course,
        "meeting": meeting,
        "discussion": discussion,
        "assignment": assignment,
        "quiz": quiz,
        "draft_quiz": draft_quiz,
        "question": question,
        "attempt": attempt,
    }


def main_pages(w: dict[str, Any]) -> list[str]:
    return [
        reverse("dashboard:dashboard"),
        w["course"].get_absolute_url(),
        reverse("discussions:discussion-list"),
        reverse("discussions:discussion-detail", args=[w["discussion"].pk]),
        reverse("meetings:meeting-list"),
        reverse("meetings:meeting-detail", args=[w["meeting"].pk]),
        reverse("notifications:notification-list"),
        reverse("accounts:profile"),
        reverse("coursework:assignment-list", args=[w["course"].pk]),
        w["assignment"].get_absolute_url(),
        reverse("coursework:quiz-list", args=[w["course"].pk]),
        w["quiz"].get_absolute_url(),
        reverse("coursework:todo"),
    ]


def coursework_staff_pages(w: dict[str, Any]) -> list[str]:
    course, assignment, quiz, draft = w["course"], w["assignment"], w["quiz"], w["draft_quiz"]
    student = w["student"]
    return [
        reverse("coursework:assignment-create", args=[course.pk]),
        reverse("coursework:assignment-edit", args=[assignment.pk]),
        reverse("coursework:grading-queue", args=[assignment.pk]),
        reverse("coursework:grade-submission", args=[assignment.pk, student.pk]),
        reverse("coursework:gradebook", args=[course.pk]),
        reverse("coursework:grade-categories", args=[course.pk]),
        reverse("coursework:quiz-create", args=[course.pk]),
        reverse("coursework:quiz-edit", args=[draft.pk]),
        reverse("coursework:quiz-question-create", args=[draft.pk]),
        reverse("coursework:quiz-question-edit", args=[draft.pk, w["question"].pk]),
        reverse("coursework:quiz-results", args=[quiz.pk]),
        reverse("coursework:quiz-student", args=[quiz.pk, student.pk]),
    ]


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_main_pages_report_no_csp_violation_and_work(new_page, school, role):
    page = new_page(school[role], sign_in="cookie")
    watch = Watch(page)
    pages = main_pages(school)
    if role == "teacher":
        pages += [
            reverse("courses:course-edit", args=[school["course"].pk]),
            reverse("courses:material-create", args=[school["course"].pk]),
            reverse("meetings:meeting-schedule", args=[school["course"].pk]),
            reverse("discussions:discussion-create", args=[school["course"].pk]),
            reverse("api:token-list"),
            *coursework_staff_pages(school),
        ]
    else:
        pages += [
            reverse("coursework:my-grades", args=[school["course"].pk]),
            reverse("coursework:quiz-attempt", args=[school["attempt"].pk]),
        ]
    for url in pages:
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        # The app's scripts ran: the notifications module opened its socket.
        expect(page.locator("body")).to_have_attribute("data-notifications-socket", "open")
        watch.assert_clean(url)
    # Bootstrap's JS works (dropdown opens).
    page.click("#notification-bell-toggle")
    expect(page.locator("#notification-bell .dropdown-menu")).to_be_visible()
    # The live room joins (signaling module loaded, media started).
    page.goto(reverse("rooms:room", kwargs={"meeting_id": school["meeting"].pk}))
    page.wait_for_selector("#room[data-joined='true']")
    page.wait_for_timeout(500)
    watch.assert_clean("room")


def test_anonymous_pages_and_api_docs_report_no_csp_violation(new_page, school):
    page = new_page()
    watch = Watch(page)
    for url in ("/auth/signin/", "/auth/password/reset/"):
        page.goto(url)
        page.wait_for_load_state("load")
        watch.assert_clean(url)
    page.goto("/auth/signup/")
    page.wait_for_load_state("load")
    # Its module (the invite-code switch) was loaded under the policy.
    assert page.evaluate(
        "performance.getEntriesByType('resource').some(e => e.name.includes('signup'))"
    )
    watch.assert_clean("/auth/signup/")

    signed_in = new_page(school["teacher"], sign_in="form")
    docs_watch = Watch(signed_in)
    signed_in.goto("/api/docs/")
    signed_in.locator(".swagger-ui .opblock").first.wait_for()
    docs_watch.assert_clean("/api/docs/")


def test_the_watch_sees_blocked_inline_code(new_page, school):
    """Control: inline code injected into a page is blocked by the CSP and reported."""
    page = new_page(school["student"], sign_in="cookie")
    watch = Watch(page)
    page.goto(reverse("dashboard:dashboard"))
    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.__xss = 1";
          document.body.append(s);
          const d = document.createElement("div");
          d.innerHTML = '<img src="/static/none.png" onerror="window.__xss = 2">';
          document.body.append(d);
        }"""
    )
    page.wait_for_timeout(500)
    watch.collect()
    assert watch.xss_marker() is None  # blocked
    directives = {v["directive"] for v in watch.violations}
    assert directives & {"script-src", "script-src-elem", "script-src-attr"}, watch.violations
    with pytest.raises(AssertionError, match="CSP violations"):
        watch.assert_clean("control")
