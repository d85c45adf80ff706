"""The room page's classroom states: a removed student, an ended class, the raise-hand button."""

import pytest
from django.urls import reverse

from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.rooms.services.controls import meeting_end, room_removal_create

pytestmark = pytest.mark.django_db


def test_a_removed_student_sees_why_on_the_room_page(
    client, live_meeting, enrollment, student, teacher
):
    room_removal_create(meeting=live_meeting, user_id=student.pk, by_id=teacher.pk)
    client.force_login(student)
    response = client.get(reverse("rooms:room", args=[live_meeting.pk]))
    assert response.status_code == 403
    assert "removed you from this class" in response.content.decode()


def test_a_late_joiner_of_an_ended_meeting_sees_it_has_ended(
    client, live_meeting, enrollment, student, teacher
):
    meeting_end(meeting=live_meeting, by_id=teacher.pk)
    client.force_login(student)
    response = client.get(reverse("rooms:room", args=[live_meeting.pk]))
    assert response.status_code == 409
    assert "This class has ended." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "has_hand"),
    [("teacher", False), ("student", True), ("enrolled_teacher", False)],
)
def test_only_students_get_a_raise_hand_button(
    client, request, enrollment, live_meeting, other_teacher, who, has_hand
):
    """The teacher sees the queue of raised hands instead; a teacher enrolled in someone else's
    course is no student either."""
    if who == "enrolled_teacher":
        EnrollmentFactory.create(course=live_meeting.course, student=other_teacher)
        user = other_teacher
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("rooms:room", args=[live_meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ('id="btn-hand"' in html) is has_hand
    assert 'id="hand-queue-template"' in html  # everyone sees who raised a hand
