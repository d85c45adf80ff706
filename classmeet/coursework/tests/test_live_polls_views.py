"""The meeting page's polls and the results CSV, for the course's staff only."""

import csv
import io

import pytest
from django.urls import reverse

from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.coursework.tests.live_poll_factories import live_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_poll(live_meeting, student, enrollment, teacher):
    return live_poll(
        live_meeting,
        question="Speed of light?",
        options=["=c", "2c"],
        correct=[0],
        answers=[(student.pk, [0])],
        present=1,
    )


def test_the_meeting_page_lists_polls_with_results_for_staff(client, teacher, closed_poll):
    client.force_login(teacher)
    url = reverse("meetings:meeting-detail", kwargs={"meeting_id": closed_poll.meeting_id})
    page = client.get(url).content.decode()
    assert 'id="meeting-polls"' in page
    assert "Speed of light?" in page
    assert "1 answered · 1 present" in page
    assert 'class="table-success"' in page  # the correct option is marked
    assert reverse("coursework:meeting-polls-csv", kwargs={"meeting_id": closed_poll.meeting_id})
    assert "graded" in page


def test_students_do_not_see_the_polls_on_the_meeting_page(client, student, closed_poll):
    client.force_login(student)
    url = reverse("meetings:meeting-detail", kwargs={"meeting_id": closed_poll.meeting_id})
    response = client.get(url)
    assert response.status_code == 200
    assert 'id="meeting-polls"' not in response.content.decode()


def test_the_csv_has_one_row_per_student_per_poll_with_formulas_guarded(
    client, teacher, course, closed_poll
):
    absent = StudentFactory.create(username="absent", first_name="Al", last_name="Away")
    EnrollmentFactory.create(course=course, student=absent)
    client.force_login(teacher)
    response = client.get(
        reverse("coursework:meeting-polls-csv", kwargs={"meeting_id": closed_poll.meeting_id})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Poll",
        "Opened at",
        "Question",
        "Correct answer",
        "Student",
        "Username",
        "Answer",
        "Status",
        "Points",
    ]
    by_user = {row[5]: row for row in rows[1:]}
    assert by_user["student"][6:] == ["'=c", "right", "1.00"]
    assert by_user["student"][3] == "'=c"
    # The poll closed before Al enrolled: an enrolled student without an answer is absent.
    assert by_user["absent"][6:] == ["", "absent", "0"]


def test_the_gradebook_shows_the_live_quiz_with_absent_students(
    client, teacher, course, closed_poll
):
    away = StudentFactory.create(username="away", first_name="Al", last_name="Away")
    EnrollmentFactory.create(course=course, student=away)
    live_poll(closed_poll.meeting, question="Second?", options=["a", "b"], answers=[], present=2)
    client.force_login(teacher)
    page = client.get(reverse("coursework:gradebook", kwargs={"course_id": course.pk}))
    text = page.content.decode()
    assert "Live quiz: Speed of light?" in text
    assert "Live quiz: Second?" in text
    row = text[text.index('data-student="away"') :]
    row = row[: row.index("</tr>")]
    assert row.count(">absent<") == 1  # the second poll; the first closed before Al enrolled
