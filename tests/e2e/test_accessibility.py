"""The accessibility gate, in real Chromium: axe-core (node_modules/axe-core, the WCAG 2.0/2.1 A
and AA rules) over every page each role reaches, and each page again at 200% zoom (a 640-pixel
wide viewport: what a 1280-pixel window shows at 200%) without horizontal scrolling.

Roles: anonymous (sign in, sign up, password reset, error pages), student, the course's assistant
and its teacher. Pages: dashboard, course and its staff pages, discussions, meetings, attendance,
chat log, recordings, coursework (assignments, grading, gradebook, categories, quizzes and their
questions, an attempt, its review, results, To do), notifications, profile, API tokens, the error
pages; and the live room (joined, with the participants, chat and polls panels, a poll card and
the waiting-room screen). The Django admin and the API's Swagger UI are not walked.

No serious or critical violation may be found; the failure lists each one (rule, impact, the
elements' selectors, the page). `walk` takes the language: pages are asked for with that
Accept-Language and must say it in `<html lang>` (and `dir="rtl"` for a right-to-left one).

A second test turns on `prefers-reduced-motion: reduce` and checks that animations and
transitions are off (durations ~0), site-wide and in the room.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.services import assistant_add
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory, MaterialFactory
from classmeet.coursework.models import Assignment
from classmeet.coursework.services.assignments import submission_create
from classmeet.coursework.services.grades import (
    grade_category_create,
    grade_release,
    submission_grade,
)
from classmeet.coursework.services.quizzes import answer_save, attempt_start, attempt_submit
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.quiz_factories import QuizFactory, single_question
from classmeet.discussions.services import comment_create, discussion_create
from classmeet.meetings.tests.factories import AttendanceFactory, ChatMessageFactory, MeetingFactory
from classmeet.recordings.models import Recording
from tests.e2e.room import room_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

log = logging.getLogger(__name__)
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
RTL = {"ar", "fa", "he", "ur"}
DESKTOP = {"width": 1280, "height": 800}
ZOOMED = {"width": 640, "height": 800}  # 1280 CSS pixels at 200%

# axe's result, cut down to what a failure message needs.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 6), count: v.nodes.length,
  }));
}"""
# Horizontal overflow at the zoomed width: the page and the elements that stick out of it.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const doc = document.documentElement.scrollWidth;
  if (doc <= width + 1) return null;
  // Inside a box that scrolls or clips and itself fits (a wide table in .table-responsive).
  const clipped = (el) => {
    if (["absolute", "fixed"].includes(getComputedStyle(el).position)) return false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible" && up.getBoundingClientRect().right <= width + 1) {
        return true;
      }
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map((c) => "." + c).join("");
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el))
    .map(name).slice(0, 6);
  return {doc, width, wide};
}"""
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@dataclass
class Audit:
    """What the walk found: problems (one line each) and the pages it audited."""

    lang: str
    problems: list[str] = field(default_factory=list)
    pages: list[tuple[str, str]] = field(default_factory=list)  # (role, what)
    rules: dict[str, int] = field(default_factory=dict)  # every violation, any impact
    seconds: dict[str, float] = field(default_factory=dict)  # time spent, by step

    def timed(self, step: str, started: float) -> None:
        self.seconds[step] = self.seconds.get(step, 0.0) + time.monotonic() - started

    def check(self, page: Any, role: str, what: str | None = None, *, zoom: bool = True) -> None:
        """Run axe on the page as it is now, check <html lang/dir>, then the zoomed width."""
        where = f"{role} {what or page.url}"
        self.pages.append((role, what or page.url))
        started = time.monotonic()
        if not page.evaluate("() => Boolean(window.axe)"):
            # Evaluated (like an init script) rather than added as a <script>, which the pages'
            # CSP refuses; and only in the documents audited.
            page.evaluate(axe_source())
        violations = page.evaluate(AXE_RUN, TAGS)
        self.timed("axe", started)
        for v in violations:
            key = f"{v['id']} ({v['impact']})"
            self.rules[key] = self.rules.get(key, 0) + v["count"]
            if v["impact"] in BLOCKING:
                self.problems.append(
                    f"{where}: {v['id']} ({v['impact']}, {v['count']}x) {v['help']}: "
                    + ", ".join(v["targets"])
                )
        lang, direction = page.evaluate(
            "() => [document.documentElement.lang, document.documentElement.dir]"
        )
        if not lang.lower().startswith(self.lang):
            self.problems.append(f"{where}: <html lang={lang!r}>, expected {self.lang!r}")
        expected_dir = "rtl" if self.lang in RTL else "ltr"
        if direction != expected_dir:
            self.problems.append(f"{where}: <html dir={direction!r}>, expected {expected_dir!r}")
        if zoom:
            started = time.monotonic()
            page.set_viewport_size(ZOOMED)
            page.evaluate(NEXT_FRAME)
            overflow = page.evaluate(OVERFLOW)
            page.set_viewport_size(DESKTOP)
            self.timed("zoom", started)
            if overflow:
                self.problems.append(
                    f"{where}: scrolls sideways at 200% zoom ({overflow['doc']}px in "
                    f"{overflow['width']}px): {', '.join(overflow['wide'])}"
                )

    def visit(self, page: Any, url: str, role: str, *, status: int = 200) -> None:
        started = time.monotonic()
        response = page.goto(url, wait_until="domcontentloaded")
        self.timed("load", started)
        assert response is not None, url
        if response.status != status:
            self.problems.append(f"{role} {url}: HTTP {response.status}, expected {status}")
            return
        self.check(page, role, url)


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def a11y_world() -> dict[str, Any]:
    """One course with a bit of everything, its teacher, an assistant and a student."""
    teacher = TeacherFactory.create(username="a11y_teacher", first_name="Tina", last_name="Teach")
    assistant = TeacherFactory.create(username="a11y_assistant", first_name="Ada", last_name="Aide")
    student = StudentFactory.create(username="a11y_student", first_name="Sam", last_name="Study")
    course = CourseFactory.create(
        teacher=teacher, title="Physics 101", description="Forces, motion and energy."
    )
    assistant_add(course=course, user=assistant, added_by=teacher)
    EnrollmentFactory.create(course=course, student=student)
    material = MaterialFactory.create(course=course, title="Syllabus")
    meeting = MeetingFactory.create(course=course, title="Newton's laws")
    upcoming = MeetingFactory.create(
        course=course, title="Energy", starts_at=timezone.now() + timedelta(days=2)
    )
    lobby = MeetingFactory.create(course=course, title="Exam review", waiting_room=True)
    ChatMessageFactory.create(meeting=meeting, author=student, text="Hello, class!")
    AttendanceFactory.create(meeting=meeting, user=student)
    recording = Recording.objects.create(
        meeting=meeting,
        created_by=teacher,
        title="Newton's laws, part 1",
        status=Recording.Status.READY,
        started_at=timezone.now() - timedelta(hours=1),
        stopped_at=timezone.now() - timedelta(minutes=10),
        file_name="a11y.webm",
        duration_seconds=3000,
        size_bytes=1_000_000,
        processed_at=timezone.now(),
    )
    discussion = discussion_create(
        course=course, author=student, title="Friction?", body="Why does **friction** heat?"
    )
    comment = comment_create(discussion=discussion, author=teacher, body="Good question.")
    category = grade_category_create(course=course, name="Homework", weight=Decimal(50))
    graded = AssignmentFactory.create(
        course=course, title="Lab report", submission_type=Assignment.SubmissionType.TEXT
    )
    submission_create(
        assignment=graded, student=student, text="My report.", files=[], client_token=""
    )
    submission_grade(
        assignment=graded, student=student, points=Decimal(7), feedback="Well done.", by=teacher
    )
    grade_release(item=graded.grade_item, by=teacher)
    open_assignment = AssignmentFactory.create(course=course, title="Problem set 2")
    taken = QuizFactory.create(course=course, title="Kinematics quiz")
    question = single_question(taken)
    attempt = attempt_start(quiz=taken, student=student)
    answer_save(
        attempt=attempt,
        question_id=question.pk,
        choice_ids=[question.choices.order_by("position")[0].pk],
    )
    attempt_submit(attempt=attempt)
    pending = QuizFactory.create(course=course, title="Energy quiz")
    single_question(pending)
    in_progress = attempt_start(quiz=pending, student=student)
    return {
        "teacher": teacher,
        "assistant": assistant,
        "student": student,
        "course": course,
        "material": material,
        "meeting": meeting,
        "upcoming": upcoming,
        "lobby": lobby,
        "recording": recording,
        "discussion": discussion,
        "comment": comment,
        "category": category,
        "graded": graded,
        "open_assignment": open_assignment,
        "taken": taken,
        "question": question,
        "attempt": attempt,
        "pending": pending,
        "in_progress": in_progress,
    }


def anonymous_pages(w: dict[str, Any]) -> list[tuple[str, int]]:
    teacher = w["teacher"]
    reset = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(teacher.pk)),
            "token": default_token_generator.make_token(teacher),
        },
    )
    return [
        (reverse("accounts:signin"), 200),
        (reverse("accounts:signup"), 200),
        (reverse("accounts:password-reset"), 200),
        (reverse("accounts:password-reset-done"), 200),
        (reset, 200),  # redirected to the set-password form
        (reverse("accounts:password-reset-complete"), 200),
        ("/no-such-page/", 404),
    ]


def member_pages(w: dict[str, Any]) -> list[tuple[str, int]]:
    """Pages every member of the course (student, assistant, teacher) opens."""
    course, meeting, discussion, taken = w["course"], w["meeting"], w["discussion"], w["taken"]
    return [
        (reverse("dashboard:dashboard"), 200),
        (course.get_absolute_url(), 200),
        (reverse("discussions:discussion-list"), 200),
        (reverse("discussions:discussion-detail", args=[discussion.pk]), 200),
        (reverse("discussions:discussion-create", args=[course.pk]), 200),
        (reverse("meetings:meeting-list"), 200),
        (reverse("meetings:meeting-detail", args=[meeting.pk]), 200),
        (reverse("meetings:meeting-detail", args=[w["upcoming"].pk]), 200),
        (reverse("notifications:notification-list"), 200),
        (reverse("accounts:profile"), 200),
        (reverse("accounts:password-change"), 200),
        (reverse("api:token-list"), 200),
        (reverse("coursework:assignment-list", args=[course.pk]), 200),
        (w["graded"].get_absolute_url(), 200),
        (w["open_assignment"].get_absolute_url(), 200),
        (reverse("coursework:quiz-list", args=[course.pk]), 200),
        (taken.get_absolute_url(), 200),
        ("/no-such-page/", 404),
    ]


def student_pages(w: dict[str, Any]) -> list[tuple[str, int]]:
    course = w["course"]
    return [
        *member_pages(w),
        (reverse("courses:course-join"), 200),
        (reverse("accounts:password-change-done"), 200),
        (reverse("accounts:logout"), 200),  # its confirm page
        (reverse("courses:course-invite", args=[course.invite_token]), 200),
        (reverse("discussions:discussion-edit", args=[w["discussion"].pk]), 200),
        (reverse("coursework:my-grades", args=[course.pk]), 200),
        (reverse("coursework:todo"), 200),
        (reverse("coursework:quiz-attempt", args=[w["attempt"].pk]), 200),  # its review
        (reverse("coursework:quiz-attempt", args=[w["in_progress"].pk]), 200),
        (reverse("courses:course-edit", args=[course.pk]), 403),
    ]


def staff_pages(w: dict[str, Any], *, owner: bool) -> list[tuple[str, int]]:
    """The pages of the course's staff: its teacher (owner) or assistant."""
    course, meeting, graded, taken = w["course"], w["meeting"], w["graded"], w["taken"]
    student, question = w["student"], w["question"]
    pages = [
        *member_pages(w),
        (reverse("courses:course-edit", args=[course.pk]), 200),
        (reverse("courses:staff", args=[course.pk]), 200),
        (reverse("courses:enrollment-add", args=[course.pk]), 200),
        (reverse("courses:enrollment-remove", args=[course.pk, student.pk]), 200),
        (reverse("courses:material-create", args=[course.pk]), 200),
        (reverse("courses:material-delete", args=[course.pk, w["material"].pk]), 200),
        (reverse("meetings:meeting-schedule", args=[course.pk]), 200),
        (reverse("meetings:meeting-edit", args=[w["upcoming"].pk]), 200),
        (reverse("meetings:meeting-attendance", args=[meeting.pk]), 200),
        (reverse("meetings:meeting-chat-log", args=[meeting.pk]), 200),
        (reverse("recordings:rename", args=[w["recording"].pk]), 200),
        (reverse("recordings:delete", args=[w["recording"].pk]), 200),
        (reverse("coursework:assignment-create", args=[course.pk]), 200),
        (reverse("coursework:assignment-edit", args=[graded.pk]), 200),
        (reverse("coursework:assignment-delete", args=[graded.pk]), 200),
        (reverse("coursework:grading-queue", args=[graded.pk]), 200),
        (reverse("coursework:grade-submission", args=[graded.pk, student.pk]), 200),
        (reverse("coursework:gradebook", args=[course.pk]), 200),
        (reverse("coursework:grade-categories", args=[course.pk]), 200),
        (reverse("coursework:quiz-create", args=[course.pk]), 200),
        (reverse("coursework:quiz-edit", args=[w["pending"].pk]), 200),
        (reverse("coursework:quiz-delete", args=[w["pending"].pk]), 200),
        (reverse("coursework:quiz-question-create", args=[taken.pk]), 200),
        (reverse("coursework:quiz-question-edit", args=[taken.pk, question.pk]), 200),
        (reverse("coursework:quiz-results", args=[taken.pk]), 200),
        (reverse("coursework:quiz-student", args=[taken.pk, student.pk]), 200),
    ]
    if owner:
        pages += [
            (reverse("courses:course-create"), 200),
            (reverse("discussions:comment-edit", args=[w["comment"].pk]), 200),  # the author's
            (reverse("courses:course-delete", args=[course.pk]), 200),
            (reverse("courses:assistant-remove", args=[course.pk, w["assistant"].pk]), 200),
        ]
    else:
        pages.append((reverse("courses:course-delete", args=[course.pk]), 403))
    return pages


def open_page(new_page: Any, user: Any, lang: str) -> Any:
    page = new_page(
        user,
        sign_in="cookie",
        viewport=DESKTOP,
        locale=lang,
        extra_http_headers={"Accept-Language": lang},
    )
    return page


def walk_room(new_page: Any, w: dict[str, Any], audit: Audit) -> None:
    """The live room: teacher and student joined (participants, chat, polls, a poll card), then
    the waiting-room screen of a student knocking, and the teacher's knock banner."""
    meeting = w["meeting"]
    t = open_page(new_page, w["teacher"], audit.lang)
    s = open_page(new_page, w["student"], audit.lang)
    for page in (t, s):
        page.goto(room_url(meeting))
        page.wait_for_selector("#room[data-joined='true']")
    for page in (t, s):
        page.wait_for_function(
            "() => document.querySelectorAll('#participants li[data-peer]').length === 2"
        )
    s.fill("#chat-input", "Can you hear me?")
    s.press("#chat-input", "Enter")
    for page, role in ((t, "teacher"), (s, "student")):
        page.click("#tab-participants")
        audit.check(page, role, "room: participants")
        page.click("#tab-chat")
        page.locator("#chat-messages li", has_text="Can you hear me?").wait_for()
        audit.check(page, role, "room: chat", zoom=False)
    # A poll: the teacher's form, then the card on the student's stage.
    t.click("#tab-polls")
    t.fill("#poll-question-input", "Which law?")
    options = t.locator("#poll-option-list .poll-option-text")
    options.nth(0).fill("First")
    options.nth(1).fill("Second")
    audit.check(t, "teacher", "room: polls panel", zoom=False)
    t.click("#poll-start")
    s.wait_for_selector("#poll-card[data-state='open']")
    audit.check(s, "student", "room: poll card")
    t.wait_for_selector("#poll-card:not([hidden])")
    audit.check(t, "teacher", "room: live poll results", zoom=False)
    # The waiting room: the student knocks at another meeting, the teacher sees the banner.
    t.goto(room_url(w["lobby"]))
    t.wait_for_selector("#room[data-joined='true']")
    s.goto(room_url(w["lobby"]))
    s.wait_for_selector("#room-waiting:not([hidden])")
    audit.check(s, "student", "room: waiting screen")
    t.wait_for_selector("#knock-banner:not(.d-none)")
    t.click("#tab-participants")
    audit.check(t, "teacher", "room: knock and waiting list", zoom=False)
    t.context.close()
    s.context.close()


def walk_anonymous(new_page: Any, w: dict[str, Any], audit: Audit) -> None:
    page = open_page(new_page, None, audit.lang)
    for url, status in anonymous_pages(w):
        audit.visit(page, url, "anonymous", status=status)
    # A failed sign-in shows the form's errors.
    page.goto(reverse("accounts:signin"))
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong password")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    audit.check(page, "anonymous", "sign-in errors")
    # A form sent without its CSRF token: the 403 page an anonymous visitor can get.
    page.goto(reverse("accounts:signin"))
    page.evaluate("() => document.querySelector('input[name=csrfmiddlewaretoken]').remove()")
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong password")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        page.locator("form button[type=submit]").first.click()
    assert sent.value.status == 403
    page.wait_for_load_state("load")
    audit.check(page, "anonymous", "403 (CSRF)")
    page.context.close()


def walk_member(new_page: Any, w: dict[str, Any], audit: Audit, role: str) -> None:
    pages = student_pages(w) if role == "student" else staff_pages(w, owner=role == "teacher")
    page = open_page(new_page, w[role], audit.lang)
    for url, status in pages:
        audit.visit(page, url, role, status=status)
    # The bell's dropdown, open.
    page.goto(reverse("dashboard:dashboard"))
    page.click("#notification-bell-toggle")
    page.locator("#notification-bell .dropdown-menu").wait_for()
    audit.check(page, role, "notification bell, open", zoom=False)
    page.context.close()


# The walk in parts (one test each, so that each has the browser tests' time limit): the pages
# of each role, then the live room.
PARTS = ("anonymous", "student", "assistant", "teacher", "room")


def walk(new_page: Any, w: dict[str, Any], lang: str, parts: tuple[str, ...] = PARTS) -> Audit:
    """The pages of `parts` (all by default), asked for in the language `lang` (an
    Accept-Language code, e.g. "es"; "ar" must come back with dir="rtl")."""
    audit = Audit(lang=lang)
    for part in parts:
        if part == "anonymous":
            walk_anonymous(new_page, w, audit)
        elif part == "room":
            walk_room(new_page, w, audit)
        else:
            walk_member(new_page, w, audit, part)
    return audit


# Every page in English and in Arabic (right to left: the mirrored layout must pass and zoom too);
# Spanish and French share the left-to-right layout, so their walk is the parts a student sees
# (longer words are what they add).
WALKS = [
    *[("en", part) for part in PARTS],
    *[("ar", part) for part in PARTS],
    *[(lang, part) for lang in ("es", "fr") for part in ("anonymous", "student", "room")],
]


@pytest.mark.parametrize(("lang", "part"), WALKS)
def test_every_page_passes_axe_and_zooms_to_200_percent(new_page, a11y_world, lang, part):
    audit = walk(new_page, a11y_world, lang, (part,))
    spent = {step: round(seconds, 1) for step, seconds in audit.seconds.items()}
    log.info(
        "axe [%s, %s]: %d page states, seconds %s, rules %s",
        lang,
        part,
        len(audit.pages),
        spent,
        audit.rules,
    )
    assert audit.pages
    assert not audit.problems, f"{len(audit.problems)} accessibility problems:\n" + "\n".join(
        audit.problems
    )


# Elements that animate, made on the page: what Bootstrap and the room use.
MOTION_PROBES = """() => {
  const html = `<div class="fade show" id="p-fade"></div><div class="collapsing" id="p-collapse"></div>
    <div class="toast fade show" id="p-toast"></div><div class="spinner-border" id="p-spinner"></div>
    <div class="progress-bar progress-bar-striped progress-bar-animated" id="p-bar"></div>
    <div class="placeholder-glow"><span class="placeholder" id="p-glow"></span></div>
    <div class="offcanvas" id="p-offcanvas"></div><div class="modal fade"><div class="modal-dialog" id="p-modal"></div></div>
    <span class="reaction-float" id="p-reaction">👍</span><div class="poll-bar" id="p-poll"></div>
    <button class="btn btn-primary" id="p-btn">x</button>`;
  const box = document.createElement("div");
  box.innerHTML = html;
  document.body.append(box);
  const seconds = (text) => Math.max(...text.split(",").map((part) =>
    part.trim().endsWith("ms") ? parseFloat(part) / 1000 : parseFloat(part)));
  const out = {};
  for (const el of box.querySelectorAll("[id^='p-']")) {
    const style = getComputedStyle(el);
    out[el.id] = {
      animation: style.animationName === "none" ? 0 : seconds(style.animationDuration),
      transition: seconds(style.transitionDuration),
    };
  }
  box.remove();
  return out;
}"""


def test_reduced_motion_turns_off_animations(new_page, a11y_world):
    w = a11y_world
    slow: list[str] = []
    page = new_page(w["student"], sign_in="cookie", reduced_motion="reduce")
    for where in (reverse("dashboard:dashboard"), room_url(w["meeting"])):
        page.goto(where)
        if "room" in where:
            page.wait_for_selector("#room[data-joined='true']")
        for probe, durations in page.evaluate(MOTION_PROBES).items():
            for kind, seconds in durations.items():
                if seconds > 0.01:
                    slow.append(f"{where} {probe}: {kind} {seconds}s")
    assert not slow, "motion left with prefers-reduced-motion: reduce:\n" + "\n".join(slow)
    # Without the preference, the same probes do move (the test can see motion).
    page = new_page(w["student"], sign_in="cookie")
    page.goto(reverse("dashboard:dashboard"))
    moving = page.evaluate(MOTION_PROBES)
    assert moving["p-spinner"]["animation"] > 0.1
    assert moving["p-fade"]["transition"] > 0.1
