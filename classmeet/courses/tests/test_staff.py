"""Course staff: assistants added and removed by the owner (services, selectors, access rules,
the staff page and the notification the new assistant gets)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classmeet import access
from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory, UserFactory
from classmeet.courses import selectors, services
from classmeet.courses.models import Course, CourseAssistant
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def assistant(course, teacher):
    user = TeacherFactory.create(username="ada", email="Ada@Example.test")
    services.assistant_add(course=course, user=user, added_by=teacher)
    return user


def _staff_url(course: Course, name: str = "staff", **kwargs: int) -> str:
    return reverse(f"courses:{name}", kwargs={"course_id": course.pk, **kwargs})


# Services -----------------------------------------------------------------------------------


def test_assistant_add_creates_the_row_and_notifies_the_assistant(course, teacher):
    user = StudentFactory.create(username="tim")
    assistant = services.assistant_add(course=course, user=user, added_by=teacher)
    assert (assistant.course, assistant.user, assistant.added_by) == (course, user, teacher)
    note = Notification.objects.get(recipient=user)
    assert note.kind == Notification.Kind.ASSISTANT_ADDED
    assert note.title == f"You were added as an assistant of {course.title}"
    assert note.url == course.get_absolute_url()


@pytest.mark.parametrize(
    ("who", "code"),
    [("owner", "owner"), ("assistant", "assistant"), ("student", "student"), ("off", "inactive")],
)
def test_assistant_add_refuses_who_cannot_assist(course, teacher, enrollment, assistant, who, code):
    user = {
        "owner": teacher,
        "assistant": assistant,
        "student": enrollment.student,
        "off": UserFactory.create(is_active=False),
    }[who]
    with pytest.raises(ValidationError) as raised:
        services.assistant_add(course=course, user=user, added_by=teacher)
    assert raised.value.code == code
    assert CourseAssistant.objects.filter(course=course).count() == 1


def test_assistant_remove_deletes_only_that_row(course, teacher, assistant):
    other = CourseFactory.create()
    services.assistant_add(course=other, user=assistant)
    row = selectors.assistant_get(course=course, user_id=assistant.pk)
    assert row is not None
    services.assistant_remove(assistant=row, removed_by=teacher)
    assert not CourseAssistant.objects.filter(course=course).exists()
    assert CourseAssistant.objects.filter(course=other, user=assistant).exists()


# Selectors ----------------------------------------------------------------------------------


def test_visible_and_staffed_courses_include_assisted_ones_once(course, assistant):
    taught = CourseFactory.create(teacher=assistant)
    EnrollmentFactory.create_batch(3, course=course)
    CourseFactory.create()  # neither
    visible = Course.objects.filter(selectors.course_visible_q(user=assistant))
    assert set(visible.values_list("pk", flat=True)) == {course.pk, taught.pk}
    assert list(selectors.course_list_staffed(user=assistant)) == sorted(
        [course, taught], key=lambda c: (c.title, c.pk)
    )
    assert selectors.course_staff_ids(course=course) == {course.teacher_id, assistant.pk}
    assert selectors.course_assisted_ids(user=assistant) == {course.pk}


def test_user_find_is_case_insensitive_for_username_and_email(assistant):
    assert selectors.user_find(identifier="ADA") == assistant
    assert selectors.user_find(identifier="ada@example.TEST") == assistant


# Access -------------------------------------------------------------------------------------


def test_an_assistant_is_staff_but_not_owner(course, assistant, enrollment):
    rules = access.courses
    assert rules.is_course_staff(user=assistant, course=course)
    assert rules.can_manage_course(user=assistant, course=course)
    assert rules.can_view_course(user=assistant, course=course)
    assert not rules.can_delete_course(user=assistant, course=course)
    assert not rules.can_manage_staff(user=assistant, course=course)
    assert rules.can_manage_staff(user=course.teacher, course=course)
    assert not rules.is_course_staff(user=enrollment.student, course=course)
    with pytest.raises(PermissionDenied):
        rules.access_course_for_owner(user=assistant, course_id=course.pk)
    assert rules.access_course_for_manage(user=assistant, course_id=course.pk) == course


def test_an_assistant_of_another_course_sees_nothing_here(course):
    other_assistant = TeacherFactory.create()
    services.assistant_add(course=CourseFactory.create(), user=other_assistant)
    assert not access.courses.is_course_staff(user=other_assistant, course=course)
    assert not access.courses.can_view_course(user=other_assistant, course=course)


def test_a_student_role_assistant_runs_the_room_and_does_not_enroll(course, live_meeting):
    ta = StudentFactory.create()
    services.assistant_add(course=course, user=ta)
    assert not access.courses.can_enroll(user=ta, course=course)
    assert access.rooms.can_control_room(user=ta, meeting=live_meeting)
    assert not access.rooms.can_raise_hand(user=ta, meeting=live_meeting)


def test_staff_is_decided_once_per_course_instance(course, assistant):
    fresh = Course.objects.get(pk=course.pk)
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            assert access.courses.can_manage_course(user=assistant, course=fresh)
    assert len(ctx.captured_queries) == 1
    loaded = access.courses.access_course(user=assistant, course_id=course.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert access.courses.can_manage_course(user=assistant, course=loaded)
        assert access.courses.can_view_course(user=assistant, course=loaded)
    assert len(ctx.captured_queries) == 0


def test_a_course_list_with_viewer_decides_every_row_without_a_query_each(assistant):
    for _ in range(4):
        services.assistant_add(course=CourseFactory.create(), user=assistant)
    courses = list(
        access.courses.with_viewer(
            Course.objects.filter(selectors.course_staff_q(user=assistant)), user=assistant
        )
    )
    with CaptureQueriesContext(connection) as ctx:
        assert all(access.courses.is_course_staff(user=assistant, course=c) for c in courses)
    assert len(courses) == 5
    assert len(ctx.captured_queries) == 0


# Pages --------------------------------------------------------------------------------------


def test_the_owner_adds_an_assistant_by_email_in_any_case(client, course, teacher):
    user = TeacherFactory.create(username="bea", email="bea@example.test")
    client.force_login(teacher)
    response = client.post(
        _staff_url(course, "assistant-add"), {"identifier": " BEA@Example.TEST "}
    )
    assert response.status_code == 302
    assert response["Location"] == _staff_url(course)
    assert CourseAssistant.objects.filter(course=course, user=user, added_by=teacher).exists()
    page = client.get(_staff_url(course))
    assert "is now an assistant" in page.content.decode()
    assert 'data-assistant="bea"' in page.content.decode()


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("nobody", "No account has the username or e-mail"),
        ("teacher", "is the course&#x27;s teacher already"),
        ("ada", "is already an assistant of this course"),
        ("student", "is enrolled in this course as a student"),
        ("", "This field is required"),
    ],
)
def test_adding_an_impossible_assistant_is_a_form_error(
    client, course, teacher, enrollment, assistant, identifier, message
):
    client.force_login(teacher)
    response = client.post(_staff_url(course, "assistant-add"), {"identifier": identifier})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert CourseAssistant.objects.filter(course=course).count() == 1


def test_an_assistant_reads_the_staff_page_without_the_forms(client, course, assistant):
    client.force_login(assistant)
    body = client.get(_staff_url(course)).content.decode()
    assert 'data-assistant="ada"' in body
    assert reverse("courses:assistant-add", kwargs={"course_id": course.pk}) not in body
    assert "Remove" not in body


def test_the_owner_removes_an_assistant_after_confirming(client, course, teacher, assistant):
    client.force_login(teacher)
    url = _staff_url(course, "assistant-remove", user_id=assistant.pk)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert CourseAssistant.objects.filter(course=course).exists()
    assert client.post(url).status_code == 302
    assert not CourseAssistant.objects.filter(course=course).exists()
    assert client.post(url).status_code == 404


def test_enrolling_an_assistant_is_a_form_error(client, course, teacher):
    ta = StudentFactory.create(username="sta")
    services.assistant_add(course=course, user=ta)
    client.force_login(teacher)
    url = reverse("courses:enrollment-add", kwargs={"course_id": course.pk})
    response = client.post(url, {"identifier": "sta"})
    assert response.status_code == 400
    assert "is an assistant of this course" in response.content.decode()


def test_the_course_page_shows_assistants_and_hides_delete_from_them(
    client, course, teacher, assistant
):
    client.force_login(assistant)
    body = client.get(course.get_absolute_url()).content.decode()
    assert "data-course-assistants" in body
    assert assistant.display_name in body
    assert _staff_url(course) in body
    assert reverse("courses:course-delete", kwargs={"course_id": course.pk}) not in body
    client.force_login(teacher)
    body = client.get(course.get_absolute_url()).content.decode()
    assert reverse("courses:course-delete", kwargs={"course_id": course.pk}) in body


def test_the_dashboard_marks_assisted_courses(client, course, assistant):
    own = CourseFactory.create(teacher=assistant, title="Own course")
    client.force_login(assistant)
    response = client.get(reverse("dashboard:dashboard"))
    cards = {card.course_id: card.is_assistant for card in response.context["cards"]}
    assert cards == {course.pk: True, own.pk: False}
    assert response.content.decode().count("data-assistant-badge") == 1


def test_course_for_viewer_loads_what_the_orm_loads(course, teacher, student, enrollment):
    """The written-out course query: every field of the course and its teacher as the ORM reads
    them (datetimes aware on SQLite too), the viewer's membership and the assistants, escaped
    where the page shows them."""
    hostile = TeacherFactory.create(username="zed", first_name='<b>"A&B"', last_name="it's")
    services.assistant_add(course=course, user=hostile, added_by=teacher)
    plain = TeacherFactory.create(username="amy", first_name="", last_name="")
    services.assistant_add(course=course, user=plain, added_by=teacher)
    expected = Course.objects.select_related("teacher").get(pk=course.pk)
    with CaptureQueriesContext(connection) as queries:
        loaded = selectors.course_for_viewer(course_id=course.pk, user_id=student.pk)
    assert len(queries) == 1
    assert loaded is not None
    for field in Course._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    for field in type(teacher)._meta.concrete_fields:
        assert getattr(loaded.teacher, field.attname) == getattr(teacher, field.attname)
    assert loaded.created_at.tzinfo is not None
    assert loaded.enrolled_viewer == (student.pk, True)
    assert loaded.staff_viewer == (student.pk, False)
    assert [m.display_name for m in loaded.assistants_shown or ()] == ["amy", '<b>"A&B" it\'s']
    as_hostile = selectors.course_for_viewer(course_id=course.pk, user_id=hostile.pk)
    assert as_hostile is not None
    assert as_hostile.staff_viewer == (hostile.pk, True)
    assert as_hostile.enrolled_viewer == (hostile.pk, False)
    assert selectors.course_for_viewer(course_id=course.pk + 1000, user_id=student.pk) is None
    client = Client()
    client.force_login(student)
    page = client.get(course.get_absolute_url()).content.decode()
    assert "&lt;b&gt;&quot;A&amp;B&quot; it&#x27;s" in page
    assert '<b>"A&B"' not in page
