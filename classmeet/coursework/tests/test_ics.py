"""Coursework in the calendar feed: due dates and quiz closes, each user's own (meetings.ics's
registered source)."""

import unicodedata
from datetime import UTC, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import TeacherFactory
from classmeet.courses.models import CourseAssistant
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.ics import coursework_calendar_entries
from classmeet.coursework.models import Assignment
from classmeet.meetings import ics as meetings_ics
from classmeet.meetings.models import Meeting
from classmeet.meetings.services.meetings import calendar_token_regenerate
from classmeet.meetings.tests.factories import MeetingFactory

from .due_factories import AssignmentStudentFactory, QuizFactory, SubmissionFactory
from .factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _feed(client, user: User) -> dict[str, dict[str, str]]:
    """GET the user's feed without a session; return its events by UID, checked to be RFC 5545."""
    calendar_token_regenerate(user=user)
    user.refresh_from_db()
    response = client.get(reverse("meetings:calendar-feed", kwargs={"token": user.calendar_token}))
    assert response.status_code == 200
    text = response.content.decode()
    for line in text.split("\r\n"):
        assert not any(c != "\t" and unicodedata.category(c) == "Cc" for c in line), repr(line)
    return {
        str(event["uid"]): {
            "summary": str(event["summary"]),
            "start": event.decoded("dtstart").isoformat(),
            "url": str(event["url"]),
            "description": str(event["description"]),
            "end": str(event.get("dtend", "")),
        }
        for event in Calendar.from_ical(response.content).walk("VEVENT")
    }


@pytest.fixture
def due():
    return (timezone.now() + timedelta(days=3)).replace(microsecond=0)


@pytest.fixture
def work(course, enrollment, student, due):
    """For the student: an assignment for all, one for them by name, a quiz; not for them: a
    draft, an assignment for somebody else, another course's."""
    everybody = AssignmentFactory.create(course=course, title="Essay; part 1", due_at=due)
    named = AssignmentFactory.create(course=course, title="Lab", due_at=due + timedelta(days=1))
    AssignmentStudentFactory.create(assignment=named, student=student)
    other = AssignmentFactory.create(course=course, title="For another")
    AssignmentStudentFactory.create(
        assignment=other, student=EnrollmentFactory.create(course=course).student
    )
    draft = AssignmentFactory.create(course=course, title="Draft", status=Assignment.Status.DRAFT)
    quiz = QuizFactory.create(course=course, title="Quiz 1", closes_at=due + timedelta(hours=2))
    QuizFactory.create(course=course, title="Draft quiz", status="draft")
    elsewhere = AssignmentFactory.create(title="Elsewhere")
    return {
        "everybody": everybody,
        "named": named,
        "other": other,
        "draft": draft,
        "quiz": quiz,
        "elsewhere": elsewhere,
    }


def test_student_feed_has_their_due_dates_and_quiz_closes_next_to_meetings(
    client, course, student, work, due
):
    meeting = MeetingFactory.create(course=course, starts_at=due)
    # Submitted work keeps its date in the calendar (it is still the due date).
    SubmissionFactory.create(assignment=work["everybody"], student=student)
    events = _feed(client, student)
    assert set(events) == {
        f"{meeting.ical_uid}@classmeet",
        f"assignment-{work['everybody'].pk}@classmeet",
        f"assignment-{work['named'].pk}@classmeet",
        f"quiz-{work['quiz'].pk}@classmeet",
    }
    essay = events[f"assignment-{work['everybody'].pk}@classmeet"]
    assert essay["summary"] == "Due: Essay; part 1 (Physics 101)"
    assert essay["start"] == due.astimezone(UTC).isoformat()
    assert essay["url"] == f"http://testserver/coursework/assignments/{work['everybody'].pk}/"
    assert essay["url"] in essay["description"]
    assert essay["end"] == ""  # a deadline: no end
    quiz = events[f"quiz-{work['quiz'].pk}@classmeet"]
    assert quiz["summary"] == "Quiz closes: Quiz 1 (Physics 101)"
    assert quiz["start"] == (due + timedelta(hours=2)).astimezone(UTC).isoformat()


def test_staff_feed_has_every_published_item_of_their_courses(client, course, teacher, work):
    expected = {f"assignment-{work[k].pk}@classmeet" for k in ("everybody", "named", "other")} | {
        f"quiz-{work['quiz'].pk}@classmeet"
    }
    assert set(_feed(client, teacher)) == expected
    assistant = TeacherFactory.create()
    CourseAssistant.objects.create(course=course, user=assistant)
    assert set(_feed(client, assistant)) == expected


def test_outsiders_and_other_teachers_get_none(client, work, outsider, other_teacher):
    assert _feed(client, outsider) == {}
    assert _feed(client, other_teacher) == {}


def test_a_moved_due_date_moves_the_event(client, student, work, due):
    later = due + timedelta(days=5)
    Assignment.objects.filter(pk=work["everybody"].pk).update(due_at=later)
    events = _feed(client, student)
    assert (
        events[f"assignment-{work['everybody'].pk}@classmeet"]["start"]
        == later.astimezone(UTC).isoformat()
    )


def test_old_due_dates_drop_out_after_the_feeds_90_days(course, enrollment, student):
    now = timezone.now()
    AssignmentFactory.create(course=course, title="Old", due_at=now - timedelta(days=91))
    AssignmentFactory.create(course=course, title="Recent", due_at=now - timedelta(days=89))
    entries = coursework_calendar_entries(student)
    assert [e.summary for e in entries] == ["Due: Recent (Physics 101)"]


def test_coursework_is_registered_once_from_its_app_config(student):

    apps.get_app_config("coursework").ready()  # a second ready() does not register twice
    assert meetings_ics._sources.count(coursework_calendar_entries) == 1


def test_stored_control_characters_never_break_the_feed(client, course, enrollment, student):
    AssignmentFactory.create(course=course, title="A\nB;\r\nC,\x07D")
    (event,) = _feed(client, student).values()
    assert event["summary"] == "Due: A\nB;\nC,D (Physics 101)"


def test_feed_queries_do_not_grow_with_items(
    client, course, enrollment, student, django_assert_max_num_queries
):
    calendar_token_regenerate(user=student)
    student.refresh_from_db()
    url = reverse("meetings:calendar-feed", kwargs={"token": student.calendar_token})
    AssignmentFactory.create(course=course)
    with django_assert_max_num_queries(10) as small:
        client.get(url)
    for _ in range(10):
        AssignmentFactory.create(course=course)
        QuizFactory.create(course=course)
    with django_assert_max_num_queries(10) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def _course_calendar(client, user: User | None, course_id: int):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("meetings:course-calendar", kwargs={"course_id": course_id}))


def _uids(response) -> set[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {str(e["uid"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_course_calendar_gives_a_student_their_items_of_that_course_only(
    client, course, student, work, due
):
    meeting = MeetingFactory.create(course=course, starts_at=due)
    elsewhere = EnrollmentFactory.create(student=student).course
    MeetingFactory.create(course=elsewhere, starts_at=due)
    AssignmentFactory.create(course=elsewhere, title="Other course's")
    response = _course_calendar(client, student, course.pk)
    assert _uids(response) == {
        f"{meeting.ical_uid}@classmeet",
        f"assignment-{work['everybody'].pk}@classmeet",
        f"assignment-{work['named'].pk}@classmeet",
        f"quiz-{work['quiz'].pk}@classmeet",
    }
    assert str(Calendar.from_ical(response.content)["x-wr-calname"]) == "Physics 101"
    assert response["Content-Disposition"] == f'attachment; filename="course-{course.pk}.ics"'


def test_course_calendar_gives_staff_every_published_item(client, course, teacher, work):
    expected = {f"assignment-{work[k].pk}@classmeet" for k in ("everybody", "named", "other")} | {
        f"quiz-{work['quiz'].pk}@classmeet"
    }
    assert _uids(_course_calendar(client, teacher, course.pk)) == expected
    assistant = TeacherFactory.create()
    CourseAssistant.objects.create(course=course, user=assistant)
    assert _uids(_course_calendar(client, assistant, course.pk)) == expected


def test_course_calendar_is_404_to_outsiders_and_sends_anonymous_to_sign_in(
    client, course, work, outsider, other_teacher
):
    assert _course_calendar(client, outsider, course.pk).status_code == 404
    assert _course_calendar(client, other_teacher, course.pk).status_code == 404
    response = _course_calendar(client, None, course.pk)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signin"))


def test_course_calendar_keeps_a_cancelled_meeting_as_cancelled(client, course, student, work):
    cancelled = MeetingFactory.create(
        course=course, starts_at=timezone.now() + timedelta(days=1), status=Meeting.Status.CANCELLED
    )
    response = _course_calendar(client, student, course.pk)
    (event,) = [
        e
        for e in Calendar.from_ical(response.content).walk("VEVENT")
        if str(e["uid"]) == f"{cancelled.ical_uid}@classmeet"
    ]
    assert str(event["status"]) == "CANCELLED"


def test_the_course_page_links_its_calendar(client, course, student, enrollment):
    client.force_login(student)
    html = client.get(reverse("courses:course-detail", args=[course.pk])).content.decode()
    assert reverse("meetings:course-calendar", kwargs={"course_id": course.pk}) in html
    assert "Course calendar (.ics)" in html


def test_feed_is_in_its_owners_language(client, test_catalog, course, enrollment, student, due):
    """A calendar app sends no browser language: the owner's profile decides; without one, the
    site's default."""
    test_catalog(
        "es",
        {
            "Due: %(title)s (%(course)s)": "Entrega: %(title)s (%(course)s)",
            "Classmeet meetings": "Reuniones de Classmeet",
        },
    )
    essay = AssignmentFactory.create(course=course, title="Essay", due_at=due)
    uid = f"assignment-{essay.pk}@classmeet"
    assert _feed(client, student)[uid]["summary"] == "Due: Essay (Physics 101)"
    student.language = "es"
    student.save(update_fields=["language"])
    assert _feed(client, student)[uid]["summary"] == "Entrega: Essay (Physics 101)"
    response = client.get(
        reverse("meetings:calendar-feed", kwargs={"token": student.calendar_token}),
        HTTP_ACCEPT_LANGUAGE="fr",  # the owner's profile wins
    )
    assert "X-WR-CALNAME:Reuniones de Classmeet" in response.content.decode()


def test_course_calendar_download_is_in_the_requests_language(
    client, test_catalog, course, enrollment, student, due
):
    test_catalog("fr", {"Due: %(title)s (%(course)s)": "À rendre : %(title)s (%(course)s)"})
    essay = AssignmentFactory.create(course=course, title="Essay", due_at=due)
    client.force_login(student)
    response = client.get(
        reverse("meetings:course-calendar", kwargs={"course_id": course.pk}),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    events = {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert str(events[f"assignment-{essay.pk}@classmeet"]["summary"]) == (
        "À rendre : Essay (Physics 101)"
    )
