"""The cards: the selector's next meeting follows Meeting.phase, and {% course_cards %} gives the
markup the former per-card template gave, for every kind of card."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from django.template import Context, Template
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.models import Course, CourseAssistant
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.dashboard.selectors import course_card_list
from classmeet.dashboard.templatetags.dashboard_cards import course_cards
from classmeet.meetings.models import MAX_DURATION, Meeting
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 31, 0, 30, tzinfo=UTC)  # Paris changes to summer time at 01:00 UTC

# The card template the dashboard had before {% course_cards %} (40bd4bf, with the assistant
# badge and button of branch staff), verbatim.
FORMER_CARD = """{% load i18n when %}<div class="col">
  <div class="card h-100 shadow-sm course-card">
    <img src="{% url 'courses:course-thumbnail' course_id=card.course.pk %}?v={{ card.course.updated_at|date:'U' }}" class="card-img-top course-thumb" alt="" loading="lazy">
    <div class="card-body">
      <h3 class="h5 card-title d-flex align-items-start justify-content-between gap-2">
        <a href="{{ card.course.get_absolute_url }}" class="stretched-link text-body text-decoration-none">{{ card.course.title }}</a>
        {% if card.unread_count %}<span class="badge rounded-pill text-bg-danger" title="{% translate 'Unread notifications' %}"><i class="bi bi-bell-fill"></i> {{ card.unread_count }}<span class="visually-hidden"> {% translate "unread notifications" %}</span></span>{% endif %}
      </h3>
      <p class="card-text text-body-secondary small mb-2">{% blocktranslate with name=card.course.teacher.display_name %}Prof. {{ name }}{% endblocktranslate %}{% if card.is_assistant %} <span class="badge text-bg-info" data-assistant-badge>{% translate "Assistant" %}</span>{% endif %}</p>
      {% with meeting=card.next_meeting %}
      {% if meeting %}
        {% if meeting.phase == "live" %}
        <p class="card-text mb-0"><a class="position-relative z-2 text-body text-decoration-none live-now-link" href="{% url 'rooms:room' meeting_id=meeting.pk %}"><span class="badge text-bg-danger"><i class="bi bi-broadcast"></i> {% translate "Live now" %}</span> <span class="text-decoration-underline">{{ meeting.title }}</span></a></p>
        {% else %}
        <p class="card-text mb-0 small"><i class="bi bi-calendar-event"></i> {% translate "Next:" %} {{ meeting.title }} · {{ meeting.starts_at|when }}</p>
        {% endif %}
      {% else %}
        <p class="card-text mb-0 small text-body-secondary">{% translate "No upcoming meeting" %}</p>
      {% endif %}
      {% endwith %}
    </div>
    {% if card.course.teacher_id == user.pk or card.is_assistant %}{% if card.next_meeting.phase != "live" %}
    <div class="card-footer bg-transparent border-0 pt-0">
      <form method="post" action="{% url 'meetings:meeting-start-now' course_id=card.course.pk %}" class="position-relative z-2 start-class-now">
        {% csrf_token %}
        <button type="submit" class="btn btn-outline-danger btn-sm"><i class="bi bi-broadcast"></i> {% translate "Start a class now" %}</button>
      </form>
    </div>
    {% endif %}{% endif %}
  </div>
</div>
"""


def first_not_ended(course: Course, now: datetime) -> Meeting | None:
    """What the dashboard showed: the first scheduled meeting of the course live or upcoming."""
    meetings = [
        m
        for m in course.meetings.order_by("starts_at", "id")
        if m.status == Meeting.Status.SCHEDULED
        and m.starts_at >= now - timedelta(minutes=MAX_DURATION)
        and m.phase(now) in (Meeting.Phase.LIVE, Meeting.Phase.UPCOMING)
    ]
    return meetings[0] if meetings else None


def make_courses(student: User, now: datetime = NOW) -> list[Course]:
    """Courses whose meetings sit on every edge of "live", "upcoming" and "ended"."""
    teacher = TeacherFactory.create(first_name="Ann", last_name="O'Brien & <Co>")
    nameless = TeacherFactory.create(first_name="", last_name="")
    cases: list[list[dict[str, object]]] = [
        [],
        [{"starts_at": now - timedelta(minutes=60), "duration_minutes": 60}],  # ends now: ended
        [{"starts_at": now, "duration_minutes": 30}],  # starts now: live
        [{"starts_at": now - timedelta(minutes=479), "duration_minutes": 480}],  # still live
        [
            {"starts_at": now - timedelta(minutes=5), "status": Meeting.Status.CANCELLED},
            {"starts_at": now - timedelta(minutes=5), "status": Meeting.Status.ENDED},
            {"starts_at": now + timedelta(days=3), "title": "<b>Later</b> & more"},
            {"starts_at": now + timedelta(days=1), "title": 'Sooner "q"'},
        ],
        [  # two at the same time: the lower id
            {"starts_at": now + timedelta(hours=1), "title": "first"},
            {"starts_at": now + timedelta(hours=1), "title": "second"},
        ],
        [{"starts_at": now - timedelta(days=2)}, {"starts_at": now + timedelta(hours=2)}],
        [{"starts_at": now + timedelta(minutes=45)}],  # after the DST change
        [  # an ended one before a live one, then upcoming ones: the live one
            {"starts_at": now - timedelta(minutes=120), "duration_minutes": 60},
            {"starts_at": now - timedelta(minutes=30), "duration_minutes": 60},
            {"starts_at": now + timedelta(hours=1)},
        ],
        [  # two live ones: the one that started first
            {"starts_at": now - timedelta(minutes=40), "duration_minutes": 60, "title": "late"},
            {"starts_at": now - timedelta(minutes=50), "duration_minutes": 60, "title": "early"},
        ],
        [  # one that started MAX_DURATION ago has ended: the next one
            {"starts_at": now - timedelta(minutes=MAX_DURATION), "duration_minutes": 480},
            {"starts_at": now + timedelta(days=9)},
        ],
    ]
    courses = []
    for index, meetings in enumerate(cases):
        course = CourseFactory.create(
            teacher=nameless if index % 3 == 0 else teacher, title=f"<C{index}> & 'x'"
        )
        EnrollmentFactory.create(course=course, student=student)
        for fields in meetings:
            MeetingFactory.create(course=course, **fields)
        courses.append(course)
    return courses


def test_next_meeting_is_the_first_scheduled_one_not_ended():
    student = StudentFactory.create()
    courses = make_courses(student)
    cards = {card.course_id: card for card in course_card_list(user=student, now=NOW)}
    assert set(cards) == {course.pk for course in courses}
    shown = 0
    for course in courses:
        expected = first_not_ended(course, NOW)
        meeting = cards[course.pk].next_meeting
        assert (meeting and meeting.id) == (expected and expected.pk), course.title
        if meeting and expected:
            shown += 1
            assert meeting.live == (expected.phase(NOW) == Meeting.Phase.LIVE)
            assert (meeting.title, meeting.starts_at) == (expected.title, expected.starts_at)
    assert shown == 9


def test_cards_keep_the_course_order_teacher_names_and_unread_counts():
    student = StudentFactory.create()
    courses = make_courses(student)
    other = StudentFactory.create()
    EnrollmentFactory.create(course=courses[1], student=other)
    for course, read_at in ((courses[1], None), (courses[1], None), (courses[1], NOW)):
        Notification.objects.create(
            recipient=student, course=course, kind="upvote", title="t", read_at=read_at
        )
    Notification.objects.create(recipient=other, course=courses[1], kind="upvote", title="t")
    Notification.objects.create(recipient=student, course=courses[2], kind="upvote", title="t")
    cards = course_card_list(user=student, now=NOW)
    assert [card.course_id for card in cards] == [
        c.pk for c in Course.objects.filter(enrollments__student=student)
    ]
    by_id = {card.course_id: card for card in cards}
    assert (by_id[courses[1].pk].unread_count, by_id[courses[2].pk].unread_count) == (2, 1)
    assert sum(card.unread_count for card in cards) == 3
    for course in courses:
        assert by_id[course.pk].teacher_name == course.teacher.display_name
    assert [c.course_id for c in course_card_list(user=other, now=NOW)] == [courses[1].pk]
    teacher = courses[1].teacher
    assert [c.course_id for c in course_card_list(user=teacher, now=NOW)] == [
        c.pk for c in Course.objects.filter(teacher=teacher)
    ]
    assert course_card_list(user=StudentFactory.create(), now=NOW) == []


def assist(user: User, *courses: Course) -> User:
    for course in courses:
        CourseAssistant.objects.create(course=course, user=user, added_by=course.teacher)
    return user


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_cards_of_assisted_courses(role):
    """Either role sees the courses it assists beside its own, marked, in Course's order."""
    student = StudentFactory.create()
    courses = make_courses(student)
    factory = TeacherFactory if role == "teacher" else StudentFactory
    user = assist(factory.create(), courses[5], courses[2])
    if role == "teacher":
        own = Q(teacher=user)
        CourseFactory.create(teacher=user, title="<C9> own")
    else:
        own = Q(enrollments__student=user)
        EnrollmentFactory.create(course=courses[0], student=user)
    Notification.objects.create(recipient=user, course=courses[5], kind="upvote", title="t")
    expected = Course.objects.filter(own | Q(assistants__user=user)).distinct()
    cards = course_card_list(user=user, now=NOW)
    assert [card.course_id for card in cards] == [course.pk for course in expected]
    assert len(cards) == 3
    marked = {card.course_id for card in cards if card.is_assistant}
    assert marked == {courses[5].pk, courses[2].pk}
    by_id = {card.course_id: card for card in cards}
    assert by_id[courses[5].pk].unread_count == 1
    meeting = by_id[courses[2].pk].next_meeting  # live now
    assert meeting is not None
    assert meeting.live


@dataclass
class FormerCard:
    """The card the former template read: the course, its next meeting, the unread count."""

    course: Course
    next_meeting: Meeting | None
    unread_count: int
    is_assistant: bool


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("viewer", ["student", "teacher", "assistant", "student_assistant"])
def test_course_cards_render_what_the_former_template_rendered(zone, viewer):
    # The former template asked the clock (meeting.phase with no time): so does this test.
    now = timezone.now()
    student = StudentFactory.create()
    courses = make_courses(student, now)
    for course in courses[:3]:
        for _ in range(course.pk % 3 + 1):
            Notification.objects.create(recipient=student, course=course, kind="upvote", title="t")
    user = {
        "student": student,
        "teacher": courses[1].teacher,
        "assistant": assist(TeacherFactory.create(), courses[2], courses[4]),
        "student_assistant": assist(StudentFactory.create(), courses[3], courses[5]),
    }[viewer]
    cards = course_card_list(user=user, now=now)
    assert cards
    assert any(card.is_assistant for card in cards) == ("assistant" in viewer)
    former = Template(FORMER_CARD)
    with timezone.override(ZoneInfo(zone)):
        for card in cards:
            shown = card.next_meeting
            meeting = Meeting.objects.get(pk=shown.id) if shown else None
            context = Context({"user": user, "csrf_token": "token<&>"})
            with context.push(
                card=FormerCard(
                    Course.objects.select_related("teacher").get(pk=card.course_id),
                    meeting,
                    card.unread_count,
                    card.is_assistant,
                )
            ):
                expected = former.render(context)
            assert course_cards(context, [card]) == expected
