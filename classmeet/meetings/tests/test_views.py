import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Component

from classmeet.meetings.models import Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def _future(days: int = 1, hour: int = 9) -> datetime:
    """A whole minute at least `days` days ahead (in UTC)."""
    base = timezone.now() + timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


def _events(body: bytes) -> list[Component]:
    return Calendar.from_ical(body).walk("VEVENT")


def test_meeting_list_groups_live_upcoming_and_past_for_a_student(client, student, enrollment):
    course = enrollment.course
    live = MeetingFactory.create(course=course, title="Live one")
    upcoming = MeetingFactory.create(course=course, title="Soon one", starts_at=_future())
    past = MeetingFactory.create(
        course=course, title="Old one", starts_at=timezone.now() - timedelta(days=2)
    )
    hidden = MeetingFactory.create(title="Not my course")
    client.force_login(student)
    response = client.get(reverse("meetings:meeting-list"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [r.meeting for r in groups.live] == [live]
    assert [r.meeting for r in groups.upcoming] == [upcoming]
    assert [r.meeting for r in groups.past] == [past]
    html = response.content.decode()
    assert hidden.title not in html
    assert reverse("rooms:room", kwargs={"meeting_id": live.pk}) in html
    assert reverse("rooms:room", kwargs={"meeting_id": upcoming.pk}) not in html
    assert "Schedule Meeting" not in html


def test_meeting_list_pages_the_upcoming_meetings(
    client, student, enrollment, django_assert_max_num_queries
):
    """The upcoming section shows the next 25, then the later ones page by page, at a constant
    number of queries; a page that is not a positive number is a 404."""
    first = _future()
    soon = [
        MeetingFactory.create(course=enrollment.course, starts_at=first + timedelta(hours=i))
        for i in range(30)
    ]
    client.force_login(student)
    url = reverse("meetings:meeting-list")
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert [r.meeting for r in response.context["groups"].upcoming] == soon[:25]
    assert "?upcoming_page=2" in response.content.decode()
    response = client.get(url, {"upcoming_page": "2"})
    assert [r.meeting for r in response.context["groups"].upcoming] == soon[25:]
    html = response.content.decode()
    assert "?upcoming_page=1" in html
    assert "?upcoming_page=3" not in html
    for bad in ("0", "-1", "two", "9999999"):
        assert client.get(url, {"upcoming_page": bad}).status_code == 404


def test_meeting_list_for_a_teacher_offers_scheduling_for_own_courses(client, teacher, course):
    MeetingFactory.create(course=course, title="Mine", starts_at=_future())
    client.force_login(teacher)
    html = client.get(reverse("meetings:meeting-list")).content.decode()
    assert "Mine" in html
    assert reverse("meetings:meeting-schedule", kwargs={"course_id": course.pk}) in html


def test_join_button_opens_in_the_join_window(client, student, enrollment, settings):
    settings.CLASSMEET_JOIN_WINDOW_MINUTES = 10
    soon = MeetingFactory.create(
        course=enrollment.course, starts_at=timezone.now() + timedelta(minutes=9)
    )
    later = MeetingFactory.create(
        course=enrollment.course, starts_at=timezone.now() + timedelta(minutes=30)
    )
    client.force_login(student)
    html = client.get(reverse("meetings:meeting-list")).content.decode()
    assert reverse("rooms:room", kwargs={"meeting_id": soon.pk}) in html
    assert reverse("rooms:room", kwargs={"meeting_id": later.pk}) not in html
    assert "Join opens at" in html


def test_meeting_time_in_kolkata_shows_in_the_viewers_utc(client, student, enrollment):
    """A meeting at 09:00 in Asia/Kolkata is 03:30 for a viewer in UTC."""
    day = (timezone.now() + timedelta(days=3)).date()
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=KOLKATA)
    meeting = MeetingFactory.create(course=enrollment.course, starts_at=start)
    student.timezone = "UTC"
    student.save(update_fields=["timezone"])
    client.force_login(student)
    html = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "03:30" in html
    assert "UTC" in html
    student.timezone = "Asia/Kolkata"
    student.save(update_fields=["timezone"])
    html = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "09:00" in html
    assert "Asia/Kolkata" in html


def test_schedule_form_reads_the_start_in_the_teachers_time_zone(client, teacher, course):
    teacher.timezone = "Asia/Kolkata"
    teacher.save(update_fields=["timezone"])
    client.force_login(teacher)
    day = (timezone.now() + timedelta(days=3)).date()
    response = client.post(
        reverse("meetings:meeting-schedule", args=[course.pk]),
        {
            "title": "Morning class",
            "description": "",
            "starts_at": f"{day.isoformat()}T09:00",
            "duration_minutes": "45",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.starts_at == datetime(
        day.year, day.month, day.day, 3, 30, tzinfo=zoneinfo.ZoneInfo("UTC")
    )


def test_schedule_form_weekly_recurrence(client, teacher, course):
    client.force_login(teacher)
    start = timezone.localtime(_future(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("meetings:meeting-schedule", args=[course.pk]),
        {
            "title": "Weekly",
            "starts_at": start,
            "duration_minutes": "60",
            "repeat_weekly": "on",
            "weeks": "5",
        },
    )
    assert Meeting.objects.filter(course=course).count() == 5


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"starts_at": "2000-01-01T10:00"}, "starts_at", "The start is in the past."),
        ({"duration_minutes": "481"}, "duration_minutes", "less than or equal to 480"),
        ({"duration_minutes": "4"}, "duration_minutes", "greater than or equal to 5"),
        ({"starts_at": "not a date"}, "starts_at", "Enter a valid date/time."),
        ({"title": ""}, "title", "This field is required."),
        ({"repeat_weekly": "on", "weeks": "99"}, "weeks", "less than or equal to 52"),
    ],
)
def test_schedule_form_shows_clear_errors(client, teacher, course, data, field, message):
    client.force_login(teacher)
    values = {
        "title": "Class",
        "starts_at": timezone.localtime(_future()).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60",
    } | data
    response = client.post(reverse("meetings:meeting-schedule", args=[course.pk]), values)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert message.replace("/", "/") in response.content.decode()
    assert not Meeting.objects.exists()


def test_schedule_form_accepts_the_current_minute_and_refuses_the_previous_one(
    client, teacher, course, monkeypatch
):
    """At 21:56:40 the form's 21:56 is now; 21:55 is in the past, said on the field."""
    now = timezone.now().replace(second=40, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    client.force_login(teacher)
    url = reverse("meetings:meeting-schedule", args=[course.pk])
    values = {"title": "Right now", "duration_minutes": "30"}
    late = client.post(
        url, values | {"starts_at": (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")}
    )
    assert late.status_code == 400
    assert late.context["form"].errors["starts_at"] == ["The start is in the past."]
    assert not Meeting.objects.exists()
    response = client.post(url, values | {"starts_at": now.strftime("%Y-%m-%dT%H:%M")})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.starts_at == now.replace(second=0)


def test_schedule_form_reports_an_overlap(client, teacher, course):
    start = _future()
    MeetingFactory.create(course=course, starts_at=start, title="Existing")
    client.force_login(teacher)
    response = client.post(
        reverse("meetings:meeting-schedule", args=[course.pk]),
        {
            "title": "Clash",
            "starts_at": timezone.localtime(start + timedelta(minutes=30)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 400
    assert "overlaps" in response.content.decode()


def test_edit_and_cancel_by_the_owner(client, teacher, course, enrollment):
    meeting = MeetingFactory.create(course=course, starts_at=_future())
    client.force_login(teacher)
    new_start = timezone.localtime(meeting.starts_at + timedelta(hours=2))
    response = client.post(
        reverse("meetings:meeting-edit", args=[meeting.pk]),
        {
            "title": "Renamed",
            "description": "x",
            "starts_at": new_start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.starts_at, meeting.duration_minutes) == (
        "Renamed",
        new_start,
        30,
    )
    response = client.post(reverse("meetings:meeting-cancel", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {Notification.Kind.MEETING_CHANGED, Notification.Kind.MEETING_CANCELLED}
    html = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "Cancelled" in html
    assert reverse("meetings:meeting-edit", args=[meeting.pk]) not in html


def test_cancelled_meeting_shows_no_join_button(client, student, enrollment):
    meeting = MeetingFactory.create(course=enrollment.course, status=Meeting.Status.CANCELLED)
    client.force_login(student)
    html = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert reverse("rooms:room", kwargs={"meeting_id": meeting.pk}) not in html
    assert "Cancelled" in html


def test_cancel_needs_post(client, teacher, live_meeting):
    client.force_login(teacher)
    assert client.get(reverse("meetings:meeting-cancel", args=[live_meeting.pk])).status_code == 405


def test_description_is_escaped(client, student, enrollment):
    meeting = MeetingFactory.create(
        course=enrollment.course, description="<script>alert(1)</script>"
    )
    client.force_login(student)
    html = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_meeting_ics_parses_back_with_utc_times(client, student, enrollment):
    start = datetime(2031, 3, 4, 9, 0, tzinfo=KOLKATA)
    meeting = MeetingFactory.create(course=enrollment.course, starts_at=start, duration_minutes=45)
    client.force_login(student)
    response = client.get(reverse("meetings:meeting-ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = _events(response.content)
    assert event.decoded("dtstart") == datetime(2031, 3, 4, 3, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert str(event["uid"]) == f"{meeting.ical_uid}@classmeet"
    assert str(event["status"]) == "CONFIRMED"
    assert b"DTSTART:20310304T033000Z" in response.content


def test_cancelled_meeting_ics_has_status_cancelled_and_higher_sequence(client, teacher, course):
    meeting = MeetingFactory.create(course=course, starts_at=_future())
    client.force_login(teacher)
    client.post(reverse("meetings:meeting-cancel", args=[meeting.pk]))
    (event,) = _events(client.get(reverse("meetings:meeting-ics", args=[meeting.pk])).content)
    assert str(event["status"]) == "CANCELLED"
    assert int(event.decoded("sequence")) == 1


def test_calendar_feed_lists_the_users_meetings_and_rotates(client, student, enrollment):
    mine = MeetingFactory.create(course=enrollment.course, starts_at=_future())
    cancelled = MeetingFactory.create(
        course=enrollment.course, starts_at=_future(days=2), status=Meeting.Status.CANCELLED
    )
    MeetingFactory.create(starts_at=_future())  # another course
    client.force_login(student)
    client.post(reverse("meetings:calendar-token-regenerate"))
    student.refresh_from_db()
    token = student.calendar_token
    assert len(token) >= 40
    feed_url = reverse("meetings:calendar-feed", kwargs={"token": token})
    assert feed_url in client.get(reverse("meetings:meeting-list")).content.decode()
    client.logout()
    response = client.get(feed_url)  # calendar apps have no session
    assert response.status_code == 200
    events = {str(e["uid"]): str(e["status"]) for e in _events(response.content)}
    assert events == {
        f"{mine.ical_uid}@classmeet": "CONFIRMED",
        f"{cancelled.ical_uid}@classmeet": "CANCELLED",
    }
    client.force_login(student)
    client.post(reverse("meetings:calendar-token-regenerate"))
    client.logout()
    assert client.get(feed_url).status_code == 404


@pytest.mark.parametrize("token", ["nope", "x" * 43, ""])
def test_calendar_feed_unknown_or_empty_token_is_404(client, student, token):
    # A user without a token has "" stored: the empty token must never match it.
    url = f"/meetings/calendar/{token}.ics"
    assert client.get(url).status_code == 404


def test_course_meetings_include_renders_for_members_only(rf, student, outsider, enrollment):
    from django.template import Context, Template

    MeetingFactory.create(course=enrollment.course, title="Course meeting", starts_at=_future())
    template = Template("{% load meeting_tags %}{% course_meetings course %}")
    for user, expected in ((student, True), (outsider, False)):
        request = rf.get("/")
        request.user = user
        html = template.render(Context({"request": request, "course": enrollment.course}))
        assert ("Course meeting" in html) is expected


def test_owner_sees_attendance_and_chat_log_students_do_not(client, teacher, student, enrollment):
    from classmeet.meetings.tests.factories import AttendanceFactory, ChatMessageFactory

    meeting = MeetingFactory.create(
        course=enrollment.course, starts_at=timezone.now() - timedelta(minutes=20)
    )
    AttendanceFactory.create(meeting=meeting, user=student)
    ChatMessageFactory.create(meeting=meeting, author=student, text="<b>hello</b> class")
    client.force_login(teacher)
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    (line,) = response.context["report"]["attendance"]
    assert line.user == student
    assert line.minutes == 10.0
    html = response.content.decode()
    assert "Attendance" in html
    assert "&lt;b&gt;hello&lt;/b&gt; class" in html
    client.force_login(student)
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert response.context["report"] is None
    assert "hello" not in response.content.decode()


def test_no_report_before_the_meeting_starts(client, teacher, course):
    meeting = MeetingFactory.create(course=course, starts_at=_future())
    client.force_login(teacher)
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert response.context["report"] is None


def test_renaming_a_live_meeting_through_the_form_keeps_its_start(client, teacher, live_meeting):
    """The form shows minutes; the live meeting's start (with seconds) is not "in the past"."""
    client.force_login(teacher)
    start = timezone.localtime(live_meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("meetings:meeting-edit", args=[live_meeting.pk]),
        {"title": "Renamed live", "starts_at": start, "duration_minutes": "60"},
    )
    assert response.status_code == 302
    old_start = live_meeting.starts_at
    live_meeting.refresh_from_db()
    assert (live_meeting.title, live_meeting.starts_at) == ("Renamed live", old_start)


@pytest.mark.parametrize(
    "url",
    [
        "/meetings/99999999999999999999999/",
        "/meetings/99999999999999999999999/calendar.ics",
        "/meetings/schedule/99999999999999999999999/",
    ],
)
def test_huge_ids_are_404(client, student, url):
    client.force_login(student)
    assert client.get(url).status_code == 404


def test_meeting_list_rows_show_times_with_the_viewers_zone_label(client, student, enrollment):
    """One label for the row's start and its end (Asia/Kolkata's is "IST")."""
    day = (timezone.now() + timedelta(days=3)).date()
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=KOLKATA)
    MeetingFactory.create(course=enrollment.course, starts_at=start, duration_minutes=60)
    student.timezone = "Asia/Kolkata"
    student.save(update_fields=["timezone"])
    client.force_login(student)
    html = client.get(reverse("meetings:meeting-list")).content.decode()
    assert ">09:00\u201310:00 IST</time>" in html


def test_meeting_detail_shows_the_start_with_its_label_and_zone(client, student, enrollment):
    start = datetime(2030, 1, 15, 20, 56, tzinfo=zoneinfo.ZoneInfo("UTC"))
    meeting = MeetingFactory.create(course=enrollment.course, starts_at=start)
    student.timezone = "Europe/Paris"
    student.save(update_fields=["timezone"])
    client.force_login(student)
    html = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert ">Tuesday, Jan 15, 2030 21:56 CET</time>" in html
    assert "(Europe/Paris)" in html


def test_schedule_form_hint_can_be_replaced_by_the_browsers_zone(client, teacher, course):
    """The page marks the zone for meetings/js/zone.js and says whether the profile names one."""
    client.force_login(teacher)
    html = client.get(reverse("meetings:meeting-schedule", args=[course.pk])).content.decode()
    assert 'data-server-zone="UTC" data-profile-zone=""' in html
    assert '<span class="schedule-zone">UTC</span>' in html
    assert "meetings/js/zone.js" in html


def test_schedule_form_reads_the_start_in_the_zone_the_browser_sent(client, teacher, course):
    """First visit: no zone in the profile nor cookie yet; the page sent the browser's zone."""
    client.force_login(teacher)
    day = (timezone.now() + timedelta(days=3)).date()
    response = client.post(
        reverse("meetings:meeting-schedule", args=[course.pk]),
        {
            "title": "Morning class",
            "starts_at": f"{day.isoformat()}T09:00",
            "duration_minutes": "45",
            "browser_time_zone": "Asia/Kolkata",
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.get().starts_at == datetime(
        day.year, day.month, day.day, 9, 0, tzinfo=KOLKATA
    )


@pytest.mark.parametrize(
    ("profile_zone", "browser_zone", "read_in"),
    [("Europe/Paris", "Asia/Kolkata", "Europe/Paris"), ("", "Not/AZone", "UTC")],
)
def test_schedule_form_prefers_the_profiles_zone_and_ignores_a_bad_browser_zone(
    client, teacher, course, profile_zone, browser_zone, read_in
):
    teacher.timezone = profile_zone
    teacher.save(update_fields=["timezone"])
    client.force_login(teacher)
    day = (timezone.now() + timedelta(days=3)).date()
    response = client.post(
        reverse("meetings:meeting-schedule", args=[course.pk]),
        {
            "title": "Morning class",
            "starts_at": f"{day.isoformat()}T09:00",
            "duration_minutes": "45",
            "browser_time_zone": browser_zone,
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.get().starts_at == datetime(
        day.year, day.month, day.day, 9, 0, tzinfo=zoneinfo.ZoneInfo(read_in)
    )


def test_meeting_rows_escape_titles_and_names(client, student, enrollment):
    """The rows built by meeting_tags escape what users typed, in every list that shows them."""
    course = enrollment.course
    course.title = "Maths <b>\"&'"
    course.save()
    course.teacher.first_name = "<i>Ada</i>"
    course.teacher.save()
    MeetingFactory.create(course=course, title="<script>x</script>", starts_at=_future())
    client.force_login(student)
    for url in (reverse("meetings:meeting-list"), course.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<script>x</script>" not in html
        assert "&lt;script&gt;x&lt;/script&gt;" in html
        assert "<i>Ada</i>" not in html
        assert "&lt;i&gt;Ada&lt;/i&gt;" in html
    html = client.get(reverse("meetings:meeting-list")).content.decode()
    assert "Course: Maths &lt;b&gt;&quot;&amp;&#x27;" in html
