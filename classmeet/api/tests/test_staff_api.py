"""The staff endpoints and the assistant's view of the course API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.models import CourseAssistant
from classmeet.courses.services import assistant_add
from classmeet.courses.tests.factories import CourseFactory
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def assistant(course, teacher):
    user = TeacherFactory.create(username="ada")
    assistant_add(course=course, user=user, added_by=teacher)
    return user


def test_the_owner_adds_lists_and_removes_an_assistant(token_client, teacher, course):
    user = StudentFactory.create(username="tom", email="tom@example.test")
    client = token_client(teacher)
    added = client.post(
        reverse("api:assistant-create", kwargs={"course_id": course.pk}),
        {"identifier": "TOM@example.test"},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert added.json()["user"]["username"] == "tom"
    assert Notification.objects.filter(
        recipient=user, kind=Notification.Kind.ASSISTANT_ADDED
    ).exists()
    listed = client.get(reverse("api:assistant-list", kwargs={"course_id": course.pk})).json()
    assert [row["user"]["username"] for row in listed["results"]] == ["tom"]
    url = reverse("api:assistant-delete", kwargs={"course_id": course.pk, "user_id": user.pk})
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404
    assert not CourseAssistant.objects.exists()


@pytest.mark.parametrize(
    ("identifier", "fragment"),
    [
        ("nobody", "No account"),
        ("teacher", "teacher already"),
        ("ada", "already an assistant"),
        ("student", "enrolled in this course as a student"),
    ],
)
def test_adding_an_impossible_assistant_is_a_400_naming_the_field(
    token_client, teacher, course, enrollment, assistant, identifier, fragment
):
    response = token_client(teacher).post(
        reverse("api:assistant-create", kwargs={"course_id": course.pk}),
        {"identifier": identifier},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert fragment in " ".join(body["errors"]["identifier"])
    assert CourseAssistant.objects.count() == 1


def test_an_assistant_sees_the_course_as_staff_but_not_owner(token_client, course, assistant):
    body = token_client(assistant).get(
        reverse("api:course-detail", kwargs={"course_id": course.pk})
    )
    data = body.json()
    assert (data["is_teacher"], data["is_owner"]) == (True, False)
    assert data["join_code"] == course.join_code


def test_the_course_list_decides_staff_without_a_query_per_course(token_client, assistant):
    client = token_client(assistant)
    url = reverse("api:course-list")
    client.get(url)  # the token's first use writes its last-used time
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"role": "teaching"}).json()["count"] == 1
    for _ in range(5):
        assistant_add(course=CourseFactory.create(), user=assistant)
    with CaptureQueriesContext(connection) as large:
        body = client.get(url, {"role": "teaching"}).json()
    assert body["count"] == 6
    assert all(row["is_teacher"] and not row["is_owner"] for row in body["results"])
    assert len(large.captured_queries) == len(small.captured_queries)
