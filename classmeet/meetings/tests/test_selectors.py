from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.models import CourseAssistant
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.models import Attendance, Meeting
from classmeet.meetings.selectors import (
    AttendanceRow,
    MeetingGroups,
    attendance_report,
    chat_history,
    course_attendance,
    meeting_groups,
    meeting_groups_for_page,
    meeting_list_for_user,
    merge_intervals,
)
from classmeet.meetings.services.attendance import attendance_close, attendance_open
from classmeet.meetings.tests.factories import AttendanceFactory, ChatMessageFactory, MeetingFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def meeting(course):
    """A one-hour class on 2026-03-02 09:00 UTC, long over."""
    return MeetingFactory.create(course=course, starts_at=T0, duration_minutes=60)


def visit(
    meeting: Meeting, user: User, start: int, end: int | None, closed_by: str = "leave"
) -> Attendance:
    return AttendanceFactory.create(
        meeting=meeting,
        user=user,
        joined_at=at(start),
        left_at=None if end is None else at(end),
        closed_by="" if end is None else closed_by,
    )


def row_of(rows: Iterable[AttendanceRow], user: User) -> AttendanceRow:
    return next(r for r in rows if r.user == user)


def test_merge_intervals_unions_overlaps_and_keeps_gaps():
    merged = merge_intervals([(at(10), at(20)), (at(0), at(5)), (at(15), at(30)), (at(5), at(6))])
    assert merged == [(at(0), at(6)), (at(10), at(30))]


def test_merge_intervals_drops_inverted_ones():
    assert merge_intervals([(at(5), at(1))]) == []


def test_overlapping_tabs_count_once(meeting, enrollment, student):
    visit(meeting, student, 0, 30)
    visit(meeting, student, 10, 40)  # a second tab opened during the first
    row = row_of(attendance_report(meeting=meeting, now=at(120)), student)
    assert row.present
    assert row.joins == 2
    assert row.minutes == 40
    assert (row.first_join, row.last_leave) == (at(0), at(40))


def test_a_tab_inside_another_adds_nothing(meeting, enrollment, student):
    visit(meeting, student, 0, 50)
    visit(meeting, student, 10, 20)
    assert row_of(attendance_report(meeting=meeting, now=at(120)), student).minutes == 50


def test_reconnects_add_up_without_the_gaps(meeting, enrollment, student):
    visit(meeting, student, 0, 10, closed_by="crash")
    visit(meeting, student, 12, 30)
    visit(meeting, student, 45, 50)
    row = row_of(attendance_report(meeting=meeting, now=at(120)), student)
    assert row.joins == 3
    assert row.minutes == 10 + 18 + 5
    assert (row.first_join, row.last_leave) == (at(0), at(50))


def test_a_crash_closed_by_heartbeat_expiry_counts_until_the_last_heartbeat(
    meeting, enrollment, student
):
    attendance_open(meeting_id=meeting.pk, user_id=student.pk, peer_id="p", at=at(5))
    attendance_close(peer_ids=["p"], closed_by="crash", at=at(25))
    row = row_of(attendance_report(meeting=meeting, now=at(120)), student)
    assert row.minutes == 20
    assert row.last_leave == at(25)


def test_no_shows_are_absent(meeting, course, enrollment, student):
    no_show = StudentFactory.create(username="noshow", last_name="Zed")
    EnrollmentFactory.create(course=course, student=no_show)
    visit(meeting, student, 0, 15)
    rows = attendance_report(meeting=meeting, now=at(120))
    assert [r.user for r in rows] == [student, no_show]  # enrolled students, by name
    absent = row_of(rows, no_show)
    assert not absent.present
    assert (absent.joins, absent.minutes, absent.first_join, absent.last_leave) == (
        0,
        0,
        None,
        None,
    )


def test_the_report_lists_enrolled_students_only(meeting, enrollment, student, teacher, outsider):
    visit(meeting, teacher, 0, 60)
    visit(meeting, outsider, 0, 60)
    rows = attendance_report(meeting=meeting, now=at(120))
    assert [r.user for r in rows] == [student]


def test_a_student_still_in_the_room_counts_until_now(meeting, enrollment, student):
    visit(meeting, student, 10, None)
    row = row_of(attendance_report(meeting=meeting, now=at(25)), student)
    assert row.in_room
    assert row.last_leave is None
    assert row.minutes == 15


def test_an_open_row_never_counts_past_the_meetings_end(meeting, enrollment, student):
    """A row a crashed server never closed stops at the scheduled end."""
    visit(meeting, student, 50, None)
    row = row_of(attendance_report(meeting=meeting, now=at(600)), student)
    assert not row.in_room
    assert row.minutes == 10
    assert row.last_leave == at(60)


def test_an_open_row_stops_when_the_meeting_was_ended_early(meeting, enrollment, student):
    meeting.status = Meeting.Status.ENDED
    meeting.ended_at = at(30)
    meeting.save()
    visit(meeting, student, 20, None)
    row = row_of(attendance_report(meeting=meeting, now=at(40)), student)
    assert row.minutes == 10
    assert not row.in_room


def test_other_meetings_do_not_leak_into_the_report(meeting, course, enrollment, student):
    other = MeetingFactory.create(course=course, starts_at=T0, duration_minutes=60)
    visit(other, student, 0, 60)
    assert not row_of(attendance_report(meeting=meeting, now=at(120)), student).present


def test_course_attendance_gives_students_by_meetings(course, enrollment, student, meeting):
    second = MeetingFactory.create(course=course, starts_at=at(24 * 60), duration_minutes=60)
    MeetingFactory.create(course=course, starts_at=at(48 * 60), status=Meeting.Status.CANCELLED)
    MeetingFactory.create(course=course, starts_at=at(72 * 60))  # not started yet at `now`
    absent = StudentFactory.create(username="absent", last_name="Zed")
    EnrollmentFactory.create(course=course, student=absent)
    visit(meeting, student, 0, 30)
    visit(meeting, student, 20, 45)
    grid = course_attendance(course=course, now=at(25 * 60))
    assert grid.meetings == [meeting, second]
    assert grid.students == [student, absent]
    assert grid.minutes[(student.pk, meeting.pk)] == 45
    assert grid.minutes[(student.pk, second.pk)] is None
    assert grid.minutes[(absent.pk, meeting.pk)] is None
    assert grid.attended_count(student) == 1
    assert grid.attended_count(absent) == 0


def test_chat_history_skips_deleted_and_keeps_the_latest(live_meeting, teacher, settings):
    settings.CLASSMEET_CHAT_HISTORY = 3
    messages = [ChatMessageFactory.create(meeting=live_meeting, text=f"m{i}") for i in range(5)]
    messages[4].deleted_at = timezone.now()
    messages[4].save()
    ChatMessageFactory.create(text="elsewhere")
    assert [m.text for m in chat_history(meeting_id=live_meeting.pk, viewer_id=teacher.pk)] == [
        "m1",
        "m2",
        "m3",
    ]


def test_chat_history_shows_a_viewer_only_the_private_lines_it_wrote_or_received(
    live_meeting, teacher, student
):
    other = StudentFactory.create()
    ChatMessageFactory.create(meeting=live_meeting, author=student, text="public")
    ChatMessageFactory.create(meeting=live_meeting, author=student, recipient=teacher, text="q")
    ChatMessageFactory.create(meeting=live_meeting, author=teacher, recipient=other, text="a")

    def seen(user: User) -> list[str]:
        return [m.text for m in chat_history(meeting_id=live_meeting.pk, viewer_id=user.pk)]

    assert seen(student) == ["public", "q"]
    assert seen(teacher) == ["public", "q", "a"]
    assert seen(other) == ["public", "a"]


@pytest.mark.parametrize("offset", [0, 2, 4])
def test_meetings_page_groups_are_meeting_groups_of_the_users_meetings(
    course, other_teacher, student, enrollment, offset
):
    # The page's own statement chooses the same meetings as the ORM version, through each way
    # a course is the user's (enrolled, teaching, assisting) and none of another course.
    taught = CourseFactory.create(teacher=student)
    assisted = CourseFactory.create(teacher=other_teacher)
    CourseAssistant.objects.create(course=assisted, user=student)
    elsewhere = CourseFactory.create(teacher=other_teacher)
    now = timezone.now().replace(microsecond=0)
    for index, (owner, minutes) in enumerate(
        [
            (course, -3000),
            (taught, -1000),
            (assisted, -600),
            (elsewhere, -500),
            (course, -30),
            (taught, 5),
            (assisted, 5),
            (course, 60),
            (elsewhere, 90),
            (assisted, 2000),
        ]
    ):
        status = Meeting.Status.CANCELLED if index == 7 else Meeting.Status.SCHEDULED
        MeetingFactory.create(
            course=owner, starts_at=now + timedelta(minutes=minutes), status=status
        )

    def shown(groups: MeetingGroups) -> list[list[tuple[int, str, bool, str, str]]]:
        return [
            [
                (
                    r.meeting.pk,
                    r.phase,
                    r.joinable,
                    r.meeting.course.title,
                    r.meeting.course.teacher.display_name,
                )
                for r in rows
            ]
            for rows in (groups.live, groups.upcoming, groups.past)
        ] + [[(groups.more_upcoming, "", False, "", "")]]

    page = meeting_groups_for_page(user=student, upcoming_limit=2, upcoming_offset=offset, now=now)
    expected = meeting_groups(
        meetings=meeting_list_for_user(user=student),
        upcoming_limit=2,
        upcoming_offset=offset,
        now=now,
    )
    assert shown(page) == shown(expected)
    assert sum(len(rows) for rows in (page.live, page.upcoming, page.past)) > 0
    assert elsewhere.pk not in {r.meeting.course_id for r in page.past + page.upcoming}
