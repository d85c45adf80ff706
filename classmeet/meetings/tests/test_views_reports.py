import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.meetings.models import Attendance, Meeting
from classmeet.meetings.tests.factories import AttendanceFactory, ChatMessageFactory, MeetingFactory
from tests.support import ClientResponse

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def meeting(course):
    return MeetingFactory.create(course=course, title="Optics", starts_at=T0, duration_minutes=60)


def visit(meeting: Meeting, user: User, start: int, end: int) -> Attendance:
    return AttendanceFactory.create(
        meeting=meeting,
        user=user,
        joined_at=T0 + timedelta(minutes=start),
        left_at=T0 + timedelta(minutes=end),
        closed_by="leave",
    )


def read_csv(response: ClientResponse) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


REPORT_URLS = [
    ("meetings:meeting-attendance", "meeting"),
    ("meetings:meeting-attendance-csv", "meeting"),
    ("meetings:meeting-chat-log", "meeting"),
    ("meetings:course-attendance-csv", "course"),
]


def url_for(name: str, kind: str, meeting: Meeting) -> str:
    if kind == "course":
        return reverse(name, kwargs={"course_id": meeting.course_id})
    return reverse(name, kwargs={"meeting_id": meeting.pk})


@pytest.mark.parametrize(("name", "kind"), REPORT_URLS)
def test_reports_are_for_the_courses_teacher_only(
    client, meeting, enrollment, student, outsider, other_teacher, teacher, name, kind
):
    url = url_for(name, kind, meeting)
    assert client.get(url).status_code == 302  # anonymous: to sign-in
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(other_teacher)
    assert client.get(url).status_code == 404
    client.force_login(student)
    assert client.get(url).status_code == 403
    client.force_login(teacher)
    assert client.get(url).status_code == 200


def test_reports_of_a_missing_meeting_are_404(client, teacher):
    client.force_login(teacher)
    assert client.get("/meetings/999999/attendance/").status_code == 404
    assert client.get("/meetings/course/999999/attendance.csv").status_code == 404


def test_reports_refuse_post(client, teacher, meeting):
    client.force_login(teacher)
    assert client.post(f"/meetings/{meeting.pk}/attendance.csv").status_code == 405


def test_attendance_page_shows_present_and_absent(client, teacher, meeting, course, student):
    EnrollmentFactory.create(course=course, student=student)
    absent = StudentFactory.create(username="absentee", first_name="Abe", last_name="Sent")
    EnrollmentFactory.create(course=course, student=absent)
    visit(meeting, student, 0, 30)
    client.force_login(teacher)
    response = client.get(reverse("meetings:meeting-attendance", args=[meeting.pk]))
    page = response.content.decode()
    assert "1 of 2 enrolled students present" in page
    assert "Present" in page
    assert "Absent" in page
    assert "30.0" in page


def test_attendance_page_escapes_names(client, teacher, meeting, course):
    evil = StudentFactory.create(username="evil", first_name="<img src=x onerror=alert(1)>")
    EnrollmentFactory.create(course=course, student=evil)
    client.force_login(teacher)
    page = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_attendance_csv_has_one_row_per_enrolled_student(client, teacher, meeting, course, student):
    EnrollmentFactory.create(course=course, student=student)
    absent = StudentFactory.create(username="absentee", last_name="Zed")
    EnrollmentFactory.create(course=course, student=absent)
    visit(meeting, student, 0, 30)
    visit(meeting, student, 20, 40)  # a second tab
    client.force_login(teacher)
    rows = read_csv(client.get(f"/meetings/{meeting.pk}/attendance.csv"))
    assert rows[0] == [
        "Username",
        "Name",
        "Email",
        "Status",
        "First join (UTC)",
        "Last leave (UTC)",
        "Minutes",
        "Joins",
    ]
    assert rows[1][0] == "student"
    assert rows[1][3:] == [
        "present",
        "2026-03-02T09:00:00+00:00",
        "2026-03-02T09:40:00+00:00",
        "40.0",
        "2",
    ]
    assert rows[2][0] == "absentee"
    assert rows[2][3:] == ["absent", "", "", "0.0", "0"]


def test_attendance_csv_uses_the_viewers_time_zone(client, teacher, meeting, enrollment, student):
    teacher.timezone = "Europe/Paris"
    teacher.save()
    visit(meeting, student, 0, 30)
    client.force_login(teacher)
    rows = read_csv(client.get(f"/meetings/{meeting.pk}/attendance.csv"))
    assert rows[0][4:6] == ["First join (Europe/Paris)", "Last leave (Europe/Paris)"]
    assert rows[1][4] == "2026-03-02T10:00:00+01:00"


def test_course_csv_names_the_viewers_zone(client, teacher, course, meeting, student):
    teacher.timezone = "Europe/Paris"
    teacher.save()
    client.force_login(teacher)
    rows = read_csv(client.get(f"/meetings/course/{course.pk}/attendance.csv"))
    assert rows[0][3] == "2026-03-02 10:00 CET Optics (minutes)"


def test_attendance_page_shows_times_in_the_viewers_zone_with_its_label(
    client, teacher, meeting, enrollment, student
):
    teacher.timezone = "Asia/Kolkata"
    teacher.save()
    visit(meeting, student, 0, 30)
    client.force_login(teacher)
    page = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    # 09:00 UTC is 14:30 in India; the cell says so and carries the instant.
    assert (
        '<time datetime="2026-03-02T09:00:00+00:00" title="Asia/Kolkata">14:30:00 IST</time>'
        in (page)
    )
    assert ">09:00:00" not in page


def test_chat_log_times_carry_the_zone_label(client, teacher, meeting):
    teacher.timezone = "America/New_York"
    teacher.save()
    ChatMessageFactory.create(meeting=meeting, text="hello", created_at=T0)
    client.force_login(teacher)
    page = client.get(f"/meetings/{meeting.pk}/chat/").content.decode()
    assert ">04:00:00 EST</time>" in page


def test_attendance_csv_neutralises_spreadsheet_formulas(client, teacher, meeting, course):
    evil = StudentFactory.create(username="formula", first_name="=HYPERLINK(1)", last_name="")
    EnrollmentFactory.create(course=course, student=evil)
    client.force_login(teacher)
    rows = read_csv(client.get(f"/meetings/{meeting.pk}/attendance.csv"))
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_course_csv_gives_students_by_meetings(client, teacher, course, meeting, student):
    EnrollmentFactory.create(course=course, student=student)
    second = MeetingFactory.create(
        course=course, title="Lenses", starts_at=T0 + timedelta(days=1), duration_minutes=60
    )
    visit(meeting, student, 0, 15)
    client.force_login(teacher)
    rows = read_csv(client.get(f"/meetings/course/{course.pk}/attendance.csv"))
    assert rows[0] == [
        "Username",
        "Name",
        "Meetings attended",
        "2026-03-02 09:00 UTC Optics (minutes)",
        "2026-03-03 09:00 UTC Lenses (minutes)",
    ]
    assert rows[1] == ["student", student.display_name, "1", "15.0", ""]
    assert second.pk


def test_chat_log_shows_messages_and_deletions_as_text(client, teacher, meeting):
    ChatMessageFactory.create(meeting=meeting, text="<script>alert(1)</script>")
    gone = ChatMessageFactory.create(meeting=meeting, text="rude words")
    gone.deleted_at = T0
    gone.deleted_by = teacher
    gone.save()
    ChatMessageFactory.create(text="from another meeting")
    client.force_login(teacher)
    page = client.get(f"/meetings/{meeting.pk}/chat/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "rude words" in page
    assert f"Deleted for everyone by {teacher.display_name}" in page
    assert "from another meeting" not in page


def test_chat_log_of_a_silent_meeting(client, teacher, meeting):
    client.force_login(teacher)
    page = client.get(f"/meetings/{meeting.pk}/chat/").content.decode()
    assert "Nobody wrote in the chat" in page


def test_chat_log_marks_private_lines_with_who_wrote_to_whom(client, teacher, meeting, student):
    ChatMessageFactory.create(meeting=meeting, author=student, text="for all")
    ChatMessageFactory.create(
        meeting=meeting, author=student, recipient=teacher, text="a private question"
    )
    client.force_login(teacher)
    for url in (f"/meetings/{meeting.pk}/chat/", f"/meetings/{meeting.pk}/"):
        page = client.get(url).content.decode()
        assert page.count('data-private="true"') == 1, url
        private = page[page.index('data-private="true"') :]
        assert "Private" in private[: private.index("a private question")]
        assert (
            f"<strong>{student.display_name}</strong> to <strong>{teacher.display_name}</strong>"
            in private
        )
