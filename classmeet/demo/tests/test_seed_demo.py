"""`manage.py seed_demo`: the demo people, courses, materials and live meeting, idempotently."""

import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from classmeet.accounts.models import User
from classmeet.courses.models import Course, CourseAssistant, Enrollment, Material
from classmeet.demo.files import demo_pdf
from classmeet.demo.seeders import DEMO_PASSWORD
from classmeet.meetings.models import Meeting
from classmeet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def run_json() -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(run("--json"))
    return summary


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Course.objects.count(),
        Enrollment.objects.count(),
        Material.objects.count(),
        Meeting.objects.count(),
    )


def test_seed_demo_creates_people_courses_materials_and_live_meeting():
    data = run_json()
    teachers = User.objects.filter(role=User.Role.TEACHER).order_by("username")
    students = User.objects.filter(role=User.Role.STUDENT).order_by("username")
    assert [u.username for u in teachers] == ["teacher1", "teacher2"]
    assert [u.username for u in students] == ["student1", "student2", "student3", "student4"]
    for user in [*teachers, *students]:
        assert user.check_password(DEMO_PASSWORD)
        assert user.email
    first, second = (Course.objects.get(teacher=teacher) for teacher in teachers)
    assert sorted(first.students.values_list("username", flat=True)) == [
        "student1",
        "student2",
        "student3",
    ]
    assert not second.students.exists()
    assert not Enrollment.objects.filter(student__username="student4").exists()
    meeting = Meeting.objects.get()
    assert meeting.course == first
    assert meeting.phase() == Meeting.Phase.LIVE
    assert meeting.is_joinable()
    assert meeting.duration_minutes == 90
    assert meeting.waiting_room is False  # the demo's students walk straight in
    started = timezone.now() - meeting.starts_at
    assert timedelta(minutes=4) < started < timedelta(minutes=6)
    assert data["meetings"][0]["id"] == meeting.pk


def test_seed_demo_materials_are_real_pdf_and_png_files():
    run()
    for course in Course.objects.all():
        kinds = sorted(course.materials.values_list("content_type", flat=True))
        assert kinds == ["application/pdf", "image/png"]
    for material in Material.objects.all():
        with material.file.open("rb") as handle:
            data = handle.read()
        assert len(data) == material.size > 100
        assert material.uploaded_by == material.course.teacher
        assert "/" not in material.original_name
        if material.content_type == "application/pdf":
            assert data.startswith(b"%PDF-1.4")
            assert material.original_name.endswith(".pdf")
        else:
            image = Image.open(io.BytesIO(data))
            assert image.format == "PNG"
            assert image.size == (640, 360)
            assert material.original_name.endswith(".png")


def test_demo_pdf_xref_points_at_every_object():
    data = demo_pdf(title="Notes (part 1) \\ draft", lines=["Über line"])
    found = re.search(rb"startxref\n(\d+)\n%%EOF", data)
    assert found is not None
    start = int(found.group(1))
    assert data[start:].startswith(b"xref\n0 6\n")
    offsets = re.findall(rb"(\d{10}) 00000 n ", data[start:])
    assert len(offsets) == 5
    for number, offset in enumerate(offsets, start=1):
        assert data[int(offset) :].startswith(b"%d 0 obj" % number)


def test_seed_demo_is_idempotent_and_prints_the_same():
    first_text = run()
    first_json = run_json()
    before = counts()
    files_before = sorted(Material.objects.values_list("file", flat=True))
    assert run() == first_text
    assert run_json() == first_json
    assert counts() == before == (6, 2, 3, 4, 1)
    assert sorted(Material.objects.values_list("file", flat=True)) == files_before


def test_seed_demo_plain_output_lists_the_logins():
    text = run()
    for username, role in [
        ("teacher1", "teacher"),
        ("teacher2", "teacher"),
        ("student1", "student"),
        ("student4", "student"),
    ]:
        assert re.search(rf"^\s+{username}\s+{DEMO_PASSWORD}\s+{role}\s", text, re.M), username
    assert "/auth/signin/" in text
    meeting = Meeting.objects.get()
    assert f"/meetings/room/{meeting.pk}/" in text


def test_seed_demo_json_shape():
    data = run_json()
    assert set(data) >= {"users", "courses", "meetings"}
    assert len(data["users"]) == 6
    for user in data["users"]:
        assert {"username", "password", "role", "courses"} <= set(user)
        assert user["role"] in {"teacher", "student"}
        assert user["password"] == DEMO_PASSWORD
        assert all(isinstance(course_id, int) for course_id in user["courses"])
    by_name = {user["username"]: user for user in data["users"]}
    course_ids = [course["id"] for course in data["courses"]]
    assert by_name["teacher1"]["courses"] == [course_ids[0]]
    assert by_name["teacher2"]["courses"] == [course_ids[1]]
    for name in ("student1", "student2", "student3"):
        assert by_name[name]["courses"] == [course_ids[0]]
    assert by_name["student4"]["courses"] == []
    for course in data["courses"]:
        assert {"id", "title", "teacher", "url", "join_code"} <= set(course)
        assert course["url"] == f"/courses/{course['id']}/"
        assert Course.objects.get(pk=course["id"]).join_code == course["join_code"]
    assert [course["teacher"] for course in data["courses"]] == ["teacher1", "teacher2"]
    (meeting,) = data["meetings"]
    assert {"id", "course_id", "title", "url", "room_url"} <= set(meeting)
    assert meeting["course_id"] == course_ids[0]
    assert meeting["url"] == f"/meetings/{meeting['id']}/"
    assert meeting["room_url"] == f"/meetings/room/{meeting['id']}/"


@pytest.mark.parametrize(
    "change",
    [
        {"starts_at_ago": timedelta(hours=3)},  # over by the clock
        {"starts_at_ago": -timedelta(days=2)},  # moved into the future
        {"status": Meeting.Status.ENDED},  # ended by the teacher
        {"status": Meeting.Status.CANCELLED},
    ],
)
def test_seed_demo_moves_a_meeting_that_is_no_longer_live(change):
    run()
    meeting = Meeting.objects.get()
    if "starts_at_ago" in change:
        meeting.starts_at = timezone.now() - change["starts_at_ago"]
    if "status" in change:
        meeting.status = change["status"]
        meeting.ended_at = timezone.now() if change["status"] == Meeting.Status.ENDED else None
    meeting.save()
    assert meeting.phase() != Meeting.Phase.LIVE
    before = counts()
    data = run_json()
    assert counts() == before
    meeting.refresh_from_db()
    assert data["meetings"][0]["id"] == meeting.pk
    assert meeting.phase() == Meeting.Phase.LIVE
    assert meeting.status == Meeting.Status.SCHEDULED
    assert meeting.ended_at is None
    assert meeting.is_joinable()


def test_seed_demo_keeps_a_live_meeting_as_it_is():
    run()
    meeting = Meeting.objects.get()
    meeting.starts_at = timezone.now() - timedelta(minutes=30)
    meeting.save()
    run()
    reloaded = Meeting.objects.get()
    assert reloaded.starts_at == meeting.starts_at
    assert reloaded.sequence == meeting.sequence


def test_seed_demo_restores_a_changed_demo_password_and_role():
    run()
    user = User.objects.get(username="student2")
    user.set_password("something-else-entirely")
    user.role = User.Role.TEACHER
    user.save()
    run()
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
    assert user.role == User.Role.STUDENT


def test_seed_demo_rewrites_a_missing_material_file_without_a_new_row():
    run()
    material = Material.objects.filter(content_type="image/png").order_by("id")[0]
    material.file.storage.delete(material.file.name)
    before = counts()
    run()
    assert counts() == before
    material.refresh_from_db()
    assert material.file.storage.exists(material.file.name)
    with material.file.open("rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_demo_logins_work_and_see_what_they_should(client):
    data = run_json()
    course_url = data["courses"][0]["url"]
    meeting = data["meetings"][0]
    response = client.post(
        "/auth/signin/", {"username": "student1", "password": data["users"][2]["password"]}
    )
    assert response.status_code == 302
    assert client.get(course_url).status_code == 200
    assert client.get(meeting["url"]).status_code == 200
    assert client.get(meeting["room_url"]).status_code == 200
    material = Material.objects.filter(course_id=data["courses"][0]["id"]).order_by("id")[0]
    download = client.get(material.get_absolute_url())
    assert download.status_code == 200
    with material.file.open("rb") as handle:
        assert b"".join(download.streaming_content) == handle.read()
    client.post("/auth/logout/")
    client.post("/auth/signin/", {"username": "student4", "password": DEMO_PASSWORD})
    assert client.get(course_url).status_code == 404
    assert client.get(meeting["room_url"]).status_code == 404


def test_seed_demo_makes_teacher2_an_assistant_of_the_live_class_course_once():
    for _ in range(2):
        out = io.StringIO()
        call_command("seed_demo", "--json", stdout=out)
    data = json.loads(out.getvalue())
    first = data["courses"][0]
    assert first["assistants"] == ["teacher2"]
    assert data["meetings"][0]["course_id"] == first["id"]
    by_name = {user["username"]: user for user in data["users"]}
    assert by_name["teacher2"]["assists"] == [first["id"]]
    assert by_name["teacher1"]["assists"] == []
    assert CourseAssistant.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.ASSISTANT_ADDED).count() == 1
