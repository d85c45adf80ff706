"""Joining by code and link, regenerating and disabling them, the roster, and removal."""

from typing import Any

import pytest
from django.urls import reverse

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.models import Course, Enrollment
from classmeet.courses.tests.factories import CourseFactory, MaterialFactory
from classmeet.notifications.models import Notification
from classmeet.rooms.services.events import meeting_group_name

pytestmark = pytest.mark.django_db

JOIN_URL = reverse("courses:course-join")


def invite_url(course: Course) -> str:
    return reverse("courses:course-invite", kwargs={"token": course.invite_token})


def course_action(name: str, course: Course, **kwargs: Any) -> str:
    return reverse(f"courses:{name}", kwargs={"course_id": course.pk, **kwargs})


def enrolled(course: Course, user: User) -> bool:
    return Enrollment.objects.filter(course=course, student=user).exists()


# Join code -----------------------------------------------------------------------------------


def test_student_joins_with_code(client, course, outsider):
    client.force_login(outsider)
    response = client.post(JOIN_URL, {"code": course.join_code})
    assert response.status_code == 302
    assert response["Location"] == course.get_absolute_url()
    assert enrolled(course, outsider)
    assert client.get(course.get_absolute_url()).status_code == 200


def test_join_code_is_forgiving_about_case_spaces_and_dashes(client, course, outsider):
    code = course.join_code.lower()
    client.force_login(outsider)
    client.post(JOIN_URL, {"code": f" {code[:4]}-{code[4:]} "})
    assert enrolled(course, outsider)


@pytest.mark.parametrize("code", ["", "NOPE", "ABCDEFGH", "<script>", "x" * 32])
def test_unknown_code_shows_form_error(client, course, outsider, code):
    client.force_login(outsider)
    response = client.post(JOIN_URL, {"code": code})
    assert response.status_code == 400
    assert not enrolled(course, outsider)
    assert "<script>" not in response.content.decode()


def test_joining_twice_is_harmless(client, enrollment):
    client.force_login(enrollment.student)
    response = client.post(JOIN_URL, {"code": enrollment.course.join_code})
    assert response.status_code == 302
    assert Enrollment.objects.filter(course=enrollment.course).count() == 1


def test_teachers_cannot_join_with_code(client, course, other_teacher):
    client.force_login(other_teacher)
    assert client.post(JOIN_URL, {"code": course.join_code}).status_code == 403
    assert not Enrollment.objects.exists()


def test_regenerated_code_replaces_the_old_one(client, course, teacher, outsider):
    old = course.join_code
    client.force_login(teacher)
    assert client.post(course_action("course-regenerate-code", course)).status_code == 302
    course.refresh_from_db()
    assert course.join_code != old

    client.force_login(outsider)
    response = client.post(JOIN_URL, {"code": old})
    assert response.status_code == 400
    assert "No course accepts this code" in response.content.decode()
    assert not enrolled(course, outsider)
    client.post(JOIN_URL, {"code": course.join_code})
    assert enrolled(course, outsider)


def test_disabled_joining_refuses_code_and_link(client, course, teacher, outsider):
    client.force_login(teacher)
    client.post(course_action("course-joining", course), {"enabled": "0"})
    course.refresh_from_db()
    assert course.joining_enabled is False

    client.force_login(outsider)
    assert client.post(JOIN_URL, {"code": course.join_code}).status_code == 400
    response = client.get(invite_url(course))
    assert response.status_code == 404
    assert "This invite link does not work" in response.content.decode()
    assert client.post(invite_url(course)).status_code == 404
    assert not enrolled(course, outsider)

    client.force_login(teacher)
    client.post(course_action("course-joining", course), {"enabled": "1"})
    client.force_login(outsider)
    client.post(JOIN_URL, {"code": course.join_code})
    assert enrolled(course, outsider)


# Invite link -----------------------------------------------------------------------------


def test_invite_link_shows_confirm_page_then_enrolls_on_post(client, course, outsider):
    client.force_login(outsider)
    page = client.get(invite_url(course))
    assert page.status_code == 200
    assert course.title in page.content.decode()
    assert not enrolled(course, outsider)  # a GET never enrolls
    response = client.post(invite_url(course))
    assert response.status_code == 302
    assert enrolled(course, outsider)


def test_anonymous_invite_link_goes_through_sign_in_and_back(client, course):
    response = client.get(invite_url(course))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signin"))
    assert "next=" in response["Location"]


def test_regenerated_invite_link_replaces_the_old_one(client, course, teacher, outsider):
    old_url = invite_url(course)
    client.force_login(teacher)
    client.post(course_action("course-regenerate-invite", course))
    course.refresh_from_db()
    assert invite_url(course) != old_url

    client.force_login(outsider)
    assert client.get(old_url).status_code == 404
    assert client.post(old_url).status_code == 404
    assert not enrolled(course, outsider)
    assert client.post(invite_url(course)).status_code == 302
    assert enrolled(course, outsider)


def test_teacher_opening_invite_link_cannot_enroll(client, course, other_teacher):
    client.force_login(other_teacher)
    page = client.get(invite_url(course))
    assert "Only students can join" in page.content.decode()
    assert client.post(invite_url(course)).status_code == 403
    assert not Enrollment.objects.exists()


# Roster ----------------------------------------------------------------------------------


def test_teacher_sees_roster_and_students_do_not(client, course, teacher, enrollment):
    other = StudentFactory.create(first_name="Olga", last_name="Other")
    Enrollment.objects.create(course=course, student=other)
    client.force_login(teacher)
    page = client.get(course.get_absolute_url()).content.decode()
    assert 'id="roster"' in page
    assert "Olga Other" in page
    assert "Sam Study" in page
    assert course.join_code in page
    assert course.invite_token in page

    client.force_login(enrollment.student)
    page = client.get(course.get_absolute_url()).content.decode()
    assert 'id="roster"' not in page
    assert "Olga Other" not in page
    assert course.join_code not in page
    assert course.invite_token not in page


def test_removed_student_loses_access_at_once(
    client, course, teacher, enrollment, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    material = MaterialFactory.create(course=course)
    student = enrollment.student
    student_client = client.__class__()
    student_client.force_login(student)
    assert student_client.get(course.get_absolute_url()).status_code == 200

    url = course_action("enrollment-remove", course, student_id=student.pk)
    client.force_login(teacher)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert student.username in confirm.content.decode()
    assert enrolled(course, student)
    assert client.post(url).status_code == 302
    assert not enrolled(course, student)

    # The same session, the very next requests: everything of the course is gone.
    assert student_client.get(course.get_absolute_url()).status_code == 404
    assert student_client.get(material.get_absolute_url()).status_code == 404
    assert student_client.get(course_action("course-thumbnail", course)).status_code == 404
    dashboard = student_client.get(reverse("dashboard:dashboard")).content.decode()
    assert course.title not in dashboard


def test_removing_someone_not_enrolled_is_404(client, course, teacher, outsider):
    client.force_login(teacher)
    url = course_action("enrollment-remove", course, student_id=outsider.pk)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    "identifier", ["newbie", "NEWBIE", "newbie@school.test", "NewBie@School.TEST"]
)
def test_teacher_adds_student_by_username_or_email(client, course, teacher, identifier):
    newbie = StudentFactory.create(username="newbie", email="newbie@school.test")
    client.force_login(teacher)
    response = client.post(course_action("enrollment-add", course), {"identifier": identifier})
    assert response.status_code == 302
    assert enrolled(course, newbie)
    notification = Notification.objects.get(recipient=newbie)
    assert notification.kind == Notification.Kind.ENROLLED
    assert notification.course_id == course.pk


def test_adding_an_enrolled_student_again_changes_nothing(client, course, teacher, enrollment):
    client.force_login(teacher)
    response = client.post(
        course_action("enrollment-add", course),
        {"identifier": enrollment.student.username},
        follow=True,
    )
    assert "already enrolled" in response.content.decode()
    assert Enrollment.objects.filter(course=course).count() == 1


def test_adding_unknown_user_shows_clear_error(client, course, teacher):
    client.force_login(teacher)
    response = client.post(
        course_action("enrollment-add", course), {"identifier": "ghost@nowhere.test"}
    )
    assert response.status_code == 400
    assert "No account has the username or e-mail" in response.content.decode()
    assert "ghost@nowhere.test" in response.content.decode()


def test_adding_a_teacher_shows_clear_error(client, course, teacher):
    TeacherFactory.create(username="prof_x")
    client.force_login(teacher)
    response = client.post(course_action("enrollment-add", course), {"identifier": "prof_x"})
    assert response.status_code == 400
    assert "is a teacher; only students can be enrolled" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_adding_by_an_email_shared_by_two_accounts_is_refused(client, course, teacher):
    StudentFactory.create(username="twin1", email="twins@school.test")
    StudentFactory.create(username="twin2", email="twins@school.test")
    client.force_login(teacher)
    response = client.post(
        course_action("enrollment-add", course), {"identifier": "twins@school.test"}
    )
    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_other_teacher_cannot_touch_the_roster(client, course, other_teacher, enrollment):
    client.force_login(other_teacher)
    url = course_action("enrollment-remove", course, student_id=enrollment.student_id)
    assert client.post(url).status_code == 404
    assert enrolled(course, enrollment.student)


def test_enrolled_student_cannot_regenerate_or_disable(client, course, enrollment):
    code, token = course.join_code, course.invite_token
    client.force_login(enrollment.student)
    assert client.post(course_action("course-regenerate-code", course)).status_code == 403
    assert client.post(course_action("course-regenerate-invite", course)).status_code == 403
    assert client.post(course_action("course-joining", course), {"enabled": "0"}).status_code == 403
    course.refresh_from_db()
    assert (course.join_code, course.invite_token, course.joining_enabled) == (code, token, True)


def test_student_of_one_course_sees_nothing_of_another(client, enrollment):
    other = CourseFactory.create(title="Secret course")
    client.force_login(enrollment.student)
    assert client.get(other.get_absolute_url()).status_code == 404
    assert "Secret course" not in client.get(reverse("dashboard:dashboard")).content.decode()


def test_removal_closes_the_students_sockets_in_live_rooms(
    course, teacher, enrollment, live_meeting, django_capture_on_commit_callbacks
):
    """The removal reaches the live room's group on the channel layer, for that student only."""
    import asyncio
    from datetime import timedelta

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.utils import timezone

    from classmeet.courses.services import enrollment_delete
    from classmeet.meetings.tests.factories import MeetingFactory

    later = MeetingFactory.create(course=course, starts_at=timezone.now() + timedelta(days=1))
    layer = get_channel_layer()
    live_channel = async_to_sync(layer.new_channel)()
    later_channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(meeting_group_name(live_meeting.pk), live_channel)
    async_to_sync(layer.group_add)(meeting_group_name(later.pk), later_channel)

    async def receive(channel: str) -> Any:
        return await asyncio.wait_for(layer.receive(channel), timeout=2)

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_delete(enrollment=enrollment, removed_by=teacher)

    event = async_to_sync(receive)(live_channel)
    assert event == {"type": "room.removed", "user_id": enrollment.student_id, "by_id": teacher.pk}
    # Nothing was queued for tomorrow's meeting: the first message there is our marker.
    async_to_sync(layer.send)(later_channel, {"type": "marker"})
    assert async_to_sync(receive)(later_channel) == {"type": "marker"}
