"""Live notifications in real Chromium: the badge and a toast update without a reload."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def open_dashboard(new_page: Callable[..., Page], user: User) -> Page:
    page = new_page(user, sign_in="cookie")
    page.goto("/classmeet/dashboard/")
    expect(page.locator("body")).to_have_attribute("data-notifications-socket", "open")
    # Anything the page forgets on a reload proves there was none.
    page.evaluate("window.__noReload = true")
    return page


def test_student_sees_new_discussion_live(new_page):
    teacher = TeacherFactory.create(username="live_teacher", first_name="Tina", last_name="Live")
    student = StudentFactory.create(username="live_student")
    bystander = StudentFactory.create(username="live_bystander")
    course = CourseFactory.create(teacher=teacher, title="Physics 101")
    EnrollmentFactory.create(course=course, student=student)

    student_page = open_dashboard(new_page, student)
    bystander_page = open_dashboard(new_page, bystander)  # not in the course
    badge = student_page.locator("#notification-badge")
    expect(badge).to_be_hidden()

    teacher_page = new_page(teacher, sign_in="cookie")
    teacher_page.goto(f"/discussions/course/{course.pk}/new/")
    teacher_page.fill("input[name=title]", "Exam on <Friday>")
    teacher_page.fill("textarea[name=body]", "Chapters 1-3.")
    teacher_page.get_by_role("button", name="Post Discussion").click()
    teacher_page.wait_for_url(re.compile(r"/discussions/\d+/$"))

    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")
    toast = student_page.locator("#toasts .toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text('Tina Live started a new discussion: "Exam on <Friday>"')
    expect(toast.locator("a")).to_have_attribute("href", re.compile(r"^/discussions/\d+/$"))
    assert student_page.evaluate("window.__noReload") is True

    # The dropdown lists it; clicking it marks it read and opens the discussion.
    student_page.locator("#notification-bell-toggle").click()
    item = student_page.locator("#notification-items button").first
    expect(item).to_contain_text("Exam on <Friday>")
    item.click()
    student_page.wait_for_url(re.compile(r"/discussions/\d+/$"))
    expect(student_page.locator("h1")).to_contain_text("Exam on <Friday>")
    expect(student_page.locator("#notification-badge")).to_be_hidden()
    assert Notification.objects.get(recipient=student).read_at is not None

    # Nobody outside the course heard of it.
    expect(bystander_page.locator("#notification-badge")).to_be_hidden()
    assert bystander_page.locator("#toasts .toast").count() == 0


def test_second_tab_badge_follows_mark_all_read(new_page):
    teacher = TeacherFactory.create(username="tab_teacher")
    student = StudentFactory.create(username="tab_student")
    course = CourseFactory.create(teacher=teacher)
    EnrollmentFactory.create(course=course, student=student)
    first = open_dashboard(new_page, student)
    teacher_page = new_page(teacher, sign_in="cookie")
    teacher_page.goto(f"/discussions/course/{course.pk}/new/")
    teacher_page.fill("input[name=title]", "Lab safety")
    teacher_page.fill("textarea[name=body]", "Goggles on.")
    teacher_page.get_by_role("button", name="Post Discussion").click()
    expect(first.locator("#notification-badge")).to_have_text("1")

    second = first.context.new_page()
    second.goto("/notifications/")
    second.get_by_role("button", name="Mark all read").first.click()
    expect(first.locator("#notification-badge")).to_be_hidden()


def test_socket_reconnects_after_a_drop(new_page):
    teacher = TeacherFactory.create(username="drop_teacher")
    student = StudentFactory.create(username="drop_student")
    course = CourseFactory.create(teacher=teacher)
    EnrollmentFactory.create(course=course, student=student)
    page = new_page(student, sign_in="cookie")
    sockets = []

    def through_the_test(ws):
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/ws/notifications/$"), through_the_test)
    page.goto("/classmeet/dashboard/")
    body = page.locator("body")
    expect(body).to_have_attribute("data-notifications-socket", "open")
    page.evaluate("window.__noReload = true")

    # Written while the tab is about to lose its socket: no push reaches the tab for it.
    Notification.objects.create(recipient=student, kind="upvote", title="Missed", url="/")
    badge = page.locator("#notification-badge")
    expect(badge).to_be_hidden()
    sockets[0].close(code=1012, reason="server restart")  # the connection drops
    expect(body).not_to_have_attribute("data-notifications-socket", "open")
    expect(body).to_have_attribute("data-notifications-socket", "open")  # back after a backoff
    assert len(sockets) == 2
    expect(badge).to_have_text("1")  # caught up on reconnect

    teacher_page = new_page(teacher, sign_in="cookie")
    teacher_page.goto(f"/discussions/course/{course.pk}/new/")
    teacher_page.fill("input[name=title]", "After the drop")
    teacher_page.fill("textarea[name=body]", "Still here.")
    teacher_page.get_by_role("button", name="Post Discussion").click()
    expect(badge).to_have_text("2")
    expect(page.locator("#toasts .toast")).to_contain_text("After the drop")
    assert page.evaluate("window.__noReload") is True
