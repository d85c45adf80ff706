"""XSS sweep in real Chromium: hostile payloads in every user-provided field, on every page that
shows them. Each payload must appear as text, no dialog may open, `window.__xss` (which every
payload would set) stays undefined, and the page reports no CSP violation.

Fields: user first and last name (teacher and student), course title and description, material
title and uploaded file name, discussion title and body (Markdown), comment (Markdown), chat
message, meeting title and description, assignment title and instructions, submitted text,
feedback, grade category, quiz title, description, question and option, and the notifications
derived from them (list, bell dropdown, live toast). Pages: dashboard, course, discussions list
and detail, meetings list and detail, the live room (participant list/tiles and chat),
notifications, profile, attendance and chat log; the coursework pages (assignments, grading,
gradebook, categories, my grades, quizzes, an attempt, results, To do).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory, MaterialFactory
from classmeet.coursework.models import Assignment, Question
from classmeet.coursework.services.assignments import submission_create
from classmeet.coursework.services.grades import (
    grade_category_create,
    grade_release,
    submission_grade,
)
from classmeet.coursework.services.quizzes import (
    ChoiceInput,
    answer_save,
    attempt_start,
    attempt_submit,
    question_create,
)
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.quiz_factories import QuizFactory
from classmeet.discussions.services import comment_create, discussion_create
from classmeet.meetings.tests.factories import AttendanceFactory, ChatMessageFactory, MeetingFactory
from tests.security.browser import Watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Each payload sets window.__xss (and opens a dialog) if it ever runs.
IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
SCRIPT = "<script>window.__xss=2;alert(2)</script>"
SVG = '"><svg onload="window.__xss=3;alert(3)">'
QUOTE = "';window.__xss=4;alert(4);'"
MD_LINK = '[click me](javascript:window.__xss=5) <a href="javascript:window.__xss=6">raw</a>'
PAYLOADS = (IMG, SCRIPT, SVG, QUOTE)


@pytest.fixture
def hostile_world() -> dict[str, Any]:
    teacher = TeacherFactory.create(username="xss_teacher", first_name=IMG, last_name=SVG)
    student = StudentFactory.create(username="xss_student", first_name=SCRIPT, last_name=QUOTE)
    course = CourseFactory.create(
        teacher=teacher, title=f"C {IMG}", description=f"D {SVG} {SCRIPT}"
    )
    EnrollmentFactory.create(course=course, student=student)
    MaterialFactory.create(course=course, title=f"M {SCRIPT}", original_name=f"{SVG}.pdf")
    meeting = MeetingFactory.create(course=course, title=f"T {SVG}", description=f"{IMG} {QUOTE}")
    # Through the services, so the notifications are derived from the hostile text.
    discussion = discussion_create(
        course=course, author=student, title=f"Q {IMG}", body=f"{MD_LINK}\n\n{SCRIPT} {SVG}"
    )
    comment_create(discussion=discussion, author=teacher, body=f"{MD_LINK} {IMG}")
    ChatMessageFactory.create(meeting=meeting, author=student, text=f"{IMG} {SCRIPT}")
    AttendanceFactory.create(meeting=meeting, user=student)
    return {
        "teacher": teacher,
        "student": student,
        "course": course,
        "meeting": meeting,
        "discussion": discussion,
        **hostile_coursework(course, teacher, student),
    }


def hostile_coursework(course: Any, teacher: Any, student: Any) -> dict[str, Any]:
    """A graded, released text assignment and a taken quiz, every text of them hostile."""
    grade_category_create(course=course, name=f"Cat {QUOTE}", weight=Decimal(50))
    assignment = AssignmentFactory.create(
        course=course,
        title=f"A {IMG}",
        instructions=f"{MD_LINK}\n\n{SCRIPT} {SVG}",
        submission_type=Assignment.SubmissionType.TEXT,
    )
    submission_create(
        assignment=assignment, student=student, text=f"{SVG} {QUOTE}", files=[], client_token=""
    )
    submission_grade(
        assignment=assignment,
        student=student,
        points=Decimal(7),
        feedback=f"{MD_LINK} {SCRIPT}",
        by=teacher,
    )
    grade_release(item=assignment.grade_item, by=teacher)
    quiz = QuizFactory.create(course=course, title=f"Z {SVG}", description=f"{IMG} {MD_LINK}")
    question = question_create(
        course=course,
        quiz=quiz,
        kind=Question.Kind.SINGLE,
        text=f"Q {SCRIPT}",
        choices=[ChoiceInput(f"O {IMG}", is_correct=True), ChoiceInput(QUOTE)],
    )
    attempt = attempt_start(quiz=quiz, student=student)
    answer_save(
        attempt=attempt,
        question_id=question.pk,
        choice_ids=[question.choices.order_by("position")[0].pk],
    )
    attempt_submit(attempt=attempt)
    return {"assignment": assignment, "quiz": quiz, "attempt": attempt}


def pages_for(w: dict[str, Any], role: str) -> list[tuple[str, list[str]]]:
    """(url, payloads that must be visible as text there)."""
    course, meeting, discussion = w["course"], w["meeting"], w["discussion"]
    pages = [
        (reverse("dashboard:dashboard"), [IMG]),
        (course.get_absolute_url(), [IMG, SCRIPT]),
        (reverse("discussions:discussion-list"), [IMG]),
        (reverse("discussions:discussion-detail", args=[discussion.pk]), [IMG, SCRIPT, SVG]),
        (reverse("meetings:meeting-list"), [SVG]),
        (reverse("meetings:meeting-detail", args=[meeting.pk]), [SVG]),
        (reverse("notifications:notification-list"), [IMG]),
        (reverse("accounts:profile"), []),
    ]
    assignment, quiz = w["assignment"], w["quiz"]
    pages += [
        (reverse("coursework:assignment-list", args=[course.pk]), [IMG]),
        (assignment.get_absolute_url(), [IMG]),
        (reverse("coursework:quiz-list", args=[course.pk]), [SVG]),
        (quiz.get_absolute_url(), [SVG]),
        (reverse("coursework:todo"), []),
    ]
    if role == "teacher":
        pages += [
            (reverse("meetings:meeting-attendance", args=[meeting.pk]), [SCRIPT]),
            (reverse("meetings:meeting-chat-log", args=[meeting.pk]), [IMG]),
            (reverse("coursework:grading-queue", args=[assignment.pk]), [IMG]),
            (
                reverse("coursework:grade-submission", args=[assignment.pk, w["student"].pk]),
                [IMG, SCRIPT],
            ),
            (reverse("coursework:gradebook", args=[course.pk]), [IMG, SVG]),
            (reverse("coursework:grade-categories", args=[course.pk]), [QUOTE]),
            (reverse("coursework:quiz-results", args=[quiz.pk]), [SVG]),
            (reverse("coursework:quiz-student", args=[quiz.pk, w["student"].pk]), [SVG, SCRIPT]),
        ]
    else:
        pages += [
            (reverse("coursework:my-grades", args=[course.pk]), [IMG, SCRIPT]),
            (reverse("coursework:quiz-attempt", args=[w["attempt"].pk]), [SVG, SCRIPT]),
        ]
    return pages


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_payloads_render_as_text_on_every_page(new_page, hostile_world, role):
    page = new_page(hostile_world[role], sign_in="cookie")
    watch = Watch(page)
    checked = 0
    for url, visible in pages_for(hostile_world, role):
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        page.wait_for_load_state("load")
        text = page.locator("body").inner_text()
        for payload in visible:
            assert payload in text, f"{url}: payload not shown as text: {payload}"
        # Nothing the payloads carry became an element.
        assert page.locator("main svg[onload], main img[src='x'], main script").count() == 0, url
        assert page.locator("a[href^='javascript:' i]").count() == 0, url
        watch.assert_clean(url)
        checked += 1
    # The bell dropdown lists the derived notifications (student: new discussion is theirs, so
    # the teacher's comment notifies them; teacher: the student's discussion).
    page.goto(reverse("dashboard:dashboard"))
    page.click("#notification-bell-toggle")
    menu = page.locator("#notification-bell .dropdown-menu")
    expect(menu).to_be_visible()
    page.wait_for_timeout(300)
    watch.assert_clean("bell dropdown")
    assert checked == len(pages_for(hostile_world, role))


def test_live_toast_and_room_keep_payloads_inert(new_page, hostile_world):
    w = hostile_world
    teacher_page = new_page(w["teacher"], sign_in="cookie")
    student_page = new_page(w["student"], sign_in="cookie")
    watches = [Watch(teacher_page), Watch(student_page)]
    room = reverse("rooms:room", kwargs={"meeting_id": w["meeting"].pk})
    # Both in the live room: the participant list and tiles show the hostile names.
    for page in (teacher_page, student_page):
        page.goto(room)
        page.wait_for_selector("#room[data-joined='true']")
    for page in (teacher_page, student_page):
        page.wait_for_function(
            "() => document.querySelectorAll('#participants li[data-peer]').length === 2"
        )
        participants = page.locator("#participants").inner_text()
        assert "<img src=x" in participants or "<script>" in participants
        # Chat history (a hostile line) and a live hostile line.
        page.locator("#chat-messages li").first.wait_for()
    student_page.fill("#chat-input", f"{SVG} {QUOTE}")
    student_page.press("#chat-input", "Enter")
    for page in (teacher_page, student_page):
        page.locator("#chat-messages li", has_text="svg onload").wait_for()
        assert (
            page.locator("#room img[src='x'], #room svg[onload], #chat-messages script").count()
            == 0
        )
    for watch, who in zip(watches, ("teacher room", "student room"), strict=True):
        watch.assert_clean(who)

    # A live toast derived from hostile text, on an open page (posted through the real form).
    student_page.goto(reverse("dashboard:dashboard"))
    expect(student_page.locator("body")).to_have_attribute("data-notifications-socket", "open")
    teacher_page.goto(reverse("discussions:discussion-create", args=[w["course"].pk]))
    teacher_page.fill("input[name=title]", f"Live {IMG}")
    teacher_page.fill("textarea[name=body]", f"{SCRIPT} {MD_LINK}")
    teacher_page.get_by_role("button", name="Post Discussion").click()
    teacher_page.wait_for_url(re.compile(r"/discussions/\d+/$"))
    toast = student_page.locator("#toasts .toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text(f"Live {IMG}")
    assert toast.locator("img, svg, script").count() == 0
    # The new discussion's page, seen by the student, keeps the Markdown link inert.
    toast.locator("a").first.click()
    student_page.wait_for_url(re.compile(r"/discussions/\d+/$"))
    assert student_page.locator("a[href^='javascript:' i]").count() == 0
    for watch, who in zip(watches, ("teacher", "student"), strict=True):
        watch.assert_clean(f"{who}: toast and new discussion")
