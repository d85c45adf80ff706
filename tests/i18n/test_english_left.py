"""No English left: the main pages, rendered in each language as a teacher, a student and a visitor,
show no English text: visible text, and what screen readers and tooltips read (aria-label, title,
placeholder, alt, the buttons' values, the room's data-label-*/data-msg-* strings for its modules).

English is found two ways: a text that is an English message of the catalogs whose translation
differs (so it was not translated: a catalog is missing it, or the string is rendered without
gettext), and a list of common English UI words, as whole words, anywhere in the text (a
sentence built in Python, an unmarked string). Names, product terms and the test data's own text
(neutral on purpose: "Kvant 7", "Lorem ipsum") are allowed.

It renders with the catalogs compiled from locale/ as they are (into a temporary folder, so it
never reads a stale .mo). CLASSMEET_I18N_PSEUDO=1 uses pseudo-translations of every message
instead ("Sávé"), which shows what is left over whatever the translators' progress: strings not
marked for translation (docs/translating.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory, MaterialFactory
from classmeet.coursework.models import Question
from classmeet.coursework.services.quizzes import ChoiceInput, question_create
from classmeet.coursework.tests.factories import AssignmentFactory
from classmeet.coursework.tests.quiz_factories import QuizFactory
from classmeet.discussions.tests.factories import CommentFactory, DiscussionFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PSEUDO = os.environ.get("CLASSMEET_I18N_PSEUDO") == "1"

# Common words of the interface, matched case-insensitively as whole words. Not those that are
# also French or Spanish words (Notifications, Discussion, Question, Message, Total, Date, Chat,
# Comment, Material, Minutes, No, Change, Points, Microphone, Quiz; "has" is Spanish too).
ENGLISH_WORDS = [
    "the", "and", "with", "from", "your", "you", "this", "there", "here", "not", "have",
    "Save", "Delete", "Edit", "Cancel", "Create", "Add", "Remove", "Search", "Close", "Open",
    "Show", "Hide", "View", "More", "Back", "Submit", "Send", "Reply", "Join", "Leave", "Start",
    "Upload", "Download", "Settings", "Dashboard", "Profile", "Password", "Logout", "Sign in",
    "Sign up", "Sign out", "Log out", "Welcome", "Hi", "Course", "Courses", "Meeting",
    "Meetings", "Assignment", "Assignments", "Class", "Classes", "Student", "Students",
    "Teacher", "Teachers", "Grade", "Grades", "Due", "Live", "Schedule", "Scheduled",
    "Upcoming", "New", "Read", "Unread", "Today", "Tomorrow", "Yesterday", "ago", "Yes",
    "Mute", "Unmute", "Camera", "Screen", "Share", "Recording", "Attendance", "Materials",
    "Instructor", "Duration", "Details", "Members", "Hand", "Raise", "Language", "Time zone",
]  # fmt: skip
WORDS = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in ENGLISH_WORDS) + r")\b", re.I)
# Names and product terms, and the test data's own text, taken out before looking.
PRODUCT_TERMS = ["Classmeet", "API", "Markdown", "CSV", "PDF", "iCal", "ICS", "URL", "WebRTC"]
# Language names in the pickers: each in its own language.
LANGUAGE_NAMES = [name for _code, name in settings.LANGUAGES]
# What readers and tooltips read besides the text.
TEXT_ATTRIBUTES = {"aria-label", "aria-description", "aria-roledescription", "title", "alt"}
TEXT_ATTRIBUTES |= {"placeholder"}
BUTTON_TYPES = {"submit", "button", "reset"}


class VisibleText(HTMLParser):
    """The texts of a page: text nodes and readable attributes, not scripts, styles or the time
    zone list (IANA identifiers, not words of the interface)."""

    SKIPPED = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in self.SKIPPED or (tag == "select" and values.get("name") == "timezone"):
            self.skipping.append(tag)
        for name, value in values.items():
            readable = name in TEXT_ATTRIBUTES or name.startswith(("data-label-", "data-msg-"))
            if tag == "input" and name == "value":
                readable = values.get("type", "text") in BUTTON_TYPES
            if readable and value.strip():
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(data)


def normalized(text: str) -> str:
    return " ".join(text.split())


def page_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [normalized(text) for text in parser.texts]


def pseudo(text: str) -> str:
    """A pseudo-translation: letters with accents, placeholders, tags and entities kept."""
    accents = str.maketrans("aeiouyAEIOUYcnCN", "áéíóúýÁÉÍÓÚÝçñÇÑ")
    kept = re.compile(r"(%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]*>|&\w+;)")
    return "".join(
        part if kept.fullmatch(part) else part.translate(accents) for part in kept.split(text)
    )


def english_catalog(language: str) -> set[str]:
    """The English messages of a language's catalogs whose translation is not the same text."""
    english = set()
    for path in Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES").glob("*.po"):
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            for msgid in filter(None, [entry.msgid, entry.msgid_plural]):
                if PSEUDO or any(normalized(form) != normalized(msgid) for form in forms):
                    english.add(normalized(msgid))
    return english


@pytest.fixture
def compiled_catalogs(tmp_path: Path, settings) -> Path:
    """locale/ compiled as it is now (or pseudo-translated), in a folder of this test's own."""
    for path in Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po"):
        catalog = polib.pofile(str(path))
        if PSEUDO:
            plurals = re.search(r"nplurals=(\d+)", catalog.metadata.get("Plural-Forms", ""))
            count = int(plurals.group(1)) if plurals else 2
            for entry in catalog:
                entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
                if entry.msgid_plural:
                    entry.msgstr_plural = {
                        i: pseudo(entry.msgid if i == 0 else entry.msgid_plural)
                        for i in range(count)
                    }
                else:
                    entry.msgstr = pseudo(entry.msgid)
        target = tmp_path / path.relative_to(Path(settings.BASE_DIR, "locale"))
        target.parent.mkdir(parents=True, exist_ok=True)
        catalog.save_as_mofile(str(target.with_suffix(".mo")))
    settings.LOCALE_PATHS = [tmp_path]
    return tmp_path


@pytest.fixture
def school():
    """A course with one of everything, in neutral text (not English, not any page language)."""
    now = timezone.now()
    teacher = TeacherFactory.create(username="zk_t", first_name="Zofia", last_name="Kowalczyk")
    student = StudentFactory.create(username="hn_s", first_name="Hiro", last_name="Nakamura")
    course = CourseFactory.create(
        teacher=teacher, title="Kvant 7", description="Lorem ipsum dolor sit amet."
    )
    EnrollmentFactory.create(course=course, student=student)
    MaterialFactory.create(course=course, title="Zeta 1", original_name="zeta.pdf")
    live = MeetingFactory.create(course=course, title="Zeta 2", description="Lorem ipsum.")
    MeetingFactory.create(
        course=course, title="Zeta 3", description="Ipsum.", starts_at=now + timedelta(days=2)
    )
    discussion = DiscussionFactory.create(
        course=course,
        title="Zeta 4",
        body="Lorem *ipsum*.",
        body_html="<p>Lorem <em>ipsum</em>.</p>",
    )
    CommentFactory.create(
        discussion=discussion, author=student, body="Ipsum.", body_html="<p>Ipsum.</p>"
    )
    assignment = AssignmentFactory.create(
        course=course, title="Zeta 5", instructions="Lorem ipsum.", due_at=now + timedelta(days=3)
    )
    quiz = QuizFactory.create(course=course, title="Zeta 6", time_limit_minutes=20)
    question_create(
        course=course,
        quiz=quiz,
        kind=Question.Kind.SINGLE,
        text="Lorem?",
        points=Decimal(2),
        choices=[ChoiceInput("Alfa", True), ChoiceInput("Beta"), ChoiceInput("Gamma")],
    )
    for person in (teacher, student):
        Notification.objects.create(
            recipient=person,
            actor=teacher,
            course=course,
            kind=Notification.Kind.ASSIGNMENT_PUBLISHED,
            title="Zeta 5",
            url=assignment.get_absolute_url(),
        )
    return {
        "teacher": teacher,
        "student": student,
        "course": course,
        "meeting": live,
        "discussion": discussion,
        "assignment": assignment,
        "quiz": quiz,
        "allowed": [
            "Kvant 7",
            *(f"Zeta {n}" for n in range(1, 7)),
            "Lorem",
            "ipsum",
            "dolor sit amet",
            "Alfa",
            "Beta",
            "Gamma",
            "zeta.pdf",
            *(part for person in (teacher, student) for part in names(person)),
        ],
    }


def names(user) -> list[str]:
    return [user.get_full_name(), user.first_name, user.last_name, user.username, user.email]


def pages(school: dict[str, Any], role: str) -> list[str]:
    course, quiz, assignment = school["course"], school["quiz"], school["assignment"]
    if role == "anonymous":
        return [reverse("accounts:signin"), reverse("accounts:signup"), "/auth/password/reset/"]
    shared = [
        reverse("dashboard:dashboard"),
        course.get_absolute_url(),
        reverse("meetings:meeting-list"),
        reverse("meetings:meeting-detail", args=[school["meeting"].pk]),
        reverse("discussions:discussion-list"),
        reverse("discussions:discussion-detail", args=[school["discussion"].pk]),
        reverse("coursework:assignment-list", args=[course.pk]),
        assignment.get_absolute_url(),
        reverse("coursework:quiz-list", args=[course.pk]),
        quiz.get_absolute_url(),
        reverse("notifications:notification-list"),
        reverse("accounts:profile"),
        reverse("rooms:room", args=[school["meeting"].pk]),
    ]
    if role == "teacher":
        return [
            *shared,
            reverse("coursework:gradebook", args=[course.pk]),
            reverse("coursework:grading-queue", args=[assignment.pk]),
            reverse("meetings:meeting-schedule", args=[course.pk]),
        ]
    return [*shared, reverse("coursework:todo"), reverse("coursework:my-grades", args=[course.pk])]


def english_left(texts: list[str], english: set[str], allowed: list[str]) -> Iterator[str]:
    # Longest first, so that "Zofia Kowalczyk" goes before "Zofia".
    allowed = sorted({*allowed, *PRODUCT_TERMS, *LANGUAGE_NAMES}, key=len, reverse=True)
    for text in texts:
        rest = text
        for term in allowed:
            rest = rest.replace(term, " ")
        if not re.search(r"\w", rest):
            continue  # only names, product terms and the test data
        if text in english:
            yield f"untranslated message: {text!r}"
            continue
        words = sorted({match.group(0) for match in WORDS.finditer(rest)})
        if words:
            yield f"English words {', '.join(words)} in: {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_left_on_the_main_pages(language, school, compiled_catalogs):
    english = english_catalog(language)
    found: dict[str, list[str]] = {}
    for role in ("anonymous", "teacher", "student"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if role != "anonymous":
            client.force_login(school[role])
        for url in pages(school, role):
            response = client.get(url)
            assert response.status_code == 200, f"{role} {url}: {response.status_code}"
            assert response["Content-Language"] == language, url
            left = list(
                english_left(page_texts(response.content.decode()), english, school["allowed"])
            )
            for line in left:
                found.setdefault(line, []).append(f"{role} {url}")
    report = [
        f"{line}  [{', '.join(sorted(set(where))[:3])}]" for line, where in sorted(found.items())
    ]
    assert not report, f"{len(report)} English texts left in {language}:\n" + "\n".join(report)


def test_the_finder_sees_english_and_lets_the_rest_through():
    html = (
        '<html><head><title>Kvant 7</title><script>const the = "Save";</script></head><body>'
        '<button aria-label="Close">&times;</button><p>Guardar</p><p>Zofia Kowalczyk</p>'
        '<input type="submit" value="Enviar"><input type="hidden" value="the"><p>Your courses</p>'
        '<select name="timezone"><option>America/New_York</option></select>'
        '<div data-label-pin="Pin {name}"></div></body></html>'
    )
    texts = page_texts(html)
    assert "Save" not in " ".join(texts)
    left = list(english_left(texts, {"Pin {name}"}, ["Kvant 7", "Zofia Kowalczyk"]))
    assert left == [
        "English words Close in: 'Close'",
        "English words Your, courses in: 'Your courses'",
        "untranslated message: 'Pin {name}'",
    ]
    assert pseudo("Save %(name)s <b>the</b> &amp; {x}") == "Sávé %(name)s <b>thé</b> &amp; {x}"
