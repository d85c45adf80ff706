"""The admin of accounts and courses: list pages with search and filters, invite codes."""

import re
from typing import Any

import pytest
from django.urls import reverse

from classmeet.accounts.models import TeacherInvite
from classmeet.courses.models import Course, Material
from classmeet.courses.tests.factories import EnrollmentFactory, MaterialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("accounts/user", "?q=student&role__exact=student&is_active__exact=1"),
        ("accounts/teacherinvite", "?q=abc&state=usable"),
        ("accounts/teacherinvite", "?state=used"),
        ("accounts/teacherinvite", "?state=expired"),
        ("courses/course", "?q=Physics&joining_enabled__exact=1&o=5"),
        ("courses/enrollment", "?q=student"),
        ("courses/material", "?q=notes&content_type=application%2Fpdf"),
    ],
)
def test_admin_changelists_search_and_filter(admin_client, enrollment, model, query):
    MaterialFactory.create(course=enrollment.course)
    response = admin_client.get(f"/admin/{model}/{query}")
    assert response.status_code == 200


def test_admin_is_closed_to_non_staff(client, teacher):
    client.force_login(teacher)
    response = client.get("/admin/courses/course/")
    assert response.status_code == 302


def test_course_changelist_counts_students_and_materials(admin_client, course):
    EnrollmentFactory.create_batch(3, course=course)
    MaterialFactory.create_batch(2, course=course)
    page = admin_client.get("/admin/courses/course/").content.decode()
    row = re.search(r"Physics 101.*?</tr>", page, re.S)
    assert row is not None
    assert '<td class="field-student_count">3</td>' in row.group(0)
    assert '<td class="field-material_count">2</td>' in row.group(0)


def test_course_change_page_shows_enrollment_inline(admin_client, enrollment):
    response = admin_client.get(f"/admin/courses/course/{enrollment.course.pk}/change/")
    assert response.status_code == 200
    assert b"enrollments-TOTAL_FORMS" in response.content


def test_admin_course_delete_removes_material_files(
    admin_client, course, django_capture_on_commit_callbacks
):
    material = MaterialFactory.create(course=course)
    storage, name = material.file.storage, material.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/courses/course/{course.pk}/delete/", {"post": "yes"}, follow=True
        )
    assert response.status_code == 200
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not Material.objects.filter(pk=material.pk).exists()
    assert not storage.exists(name)


def test_materials_cannot_be_added_in_admin(admin_client):
    assert admin_client.get("/admin/courses/material/add/").status_code == 403


def test_invite_changelist_shows_code_and_generate_link(admin_client):
    invite = TeacherInvite.objects.create(note="for Ada")
    page = admin_client.get("/admin/accounts/teacherinvite/").content.decode()
    assert invite.code in page
    assert reverse("admin:accounts_teacherinvite_generate") in page


def test_generate_codes_page_issues_and_shows_codes(admin_client, staff):
    url = reverse("admin:accounts_teacherinvite_generate")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"count": 3, "note": "spring term", "valid_days": 7})
    assert response.status_code == 200
    invites = list(TeacherInvite.objects.all())
    assert len(invites) == 3
    page = response.content.decode()
    for invite in invites:
        assert invite.code in page
        assert invite.note == "spring term"
        assert invite.created_by == staff
        assert invite.is_usable
        assert invite.expires_at is not None
    assert len({invite.code for invite in invites}) == 3


@pytest.mark.parametrize("count", [0, 101, "many"])
def test_generate_codes_rejects_bad_count(admin_client, count):
    url = reverse("admin:accounts_teacherinvite_generate")
    response = admin_client.post(url, {"count": count})
    assert response.status_code == 200
    assert "count" in response.context["form"].errors
    assert not TeacherInvite.objects.exists()


def test_generate_codes_page_is_closed_to_non_staff(client, teacher):
    client.force_login(teacher)
    response = client.get(reverse("admin:accounts_teacherinvite_generate"))
    assert response.status_code == 302
    assert not TeacherInvite.objects.exists()


def test_generate_replacements_action(admin_client):
    old = TeacherInvite.objects.create(note="for Bob")
    response = admin_client.post(
        "/admin/accounts/teacherinvite/",
        {"action": "generate_replacements", "_selected_action": [old.pk]},
        follow=True,
    )
    assert response.status_code == 200
    new = TeacherInvite.objects.exclude(pk=old.pk).get()
    assert new.note == "for Bob"
    assert new.code in response.content.decode()


def test_add_invite_in_admin_records_creator(admin_client, staff):
    response = admin_client.post("/admin/accounts/teacherinvite/add/", {"note": "by hand"})
    assert response.status_code == 302
    invite = TeacherInvite.objects.get()
    assert invite.created_by == staff
    assert len(invite.code) >= 12


def test_user_admin_add_sets_role(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newteacher",
            "email": "nt@example.test",
            "role": "teacher",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    from classmeet.accounts.models import User

    assert User.objects.get(username="newteacher").is_teacher


def _course_post(course: Course, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": course.title,
        "description": course.description,
        "teacher": course.teacher.pk,
        "join_code": course.join_code,
        "invite_token": course.invite_token,
        "joining_enabled": "on",
        "enrollments-TOTAL_FORMS": "0",
        "enrollments-INITIAL_FORMS": "0",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "assistants-TOTAL_FORMS": "0",  # the read-only assistants inline
        "assistants-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_course_edit_saves(admin_client, course):
    response = admin_client.post(
        f"/admin/courses/course/{course.pk}/change/", _course_post(course, title="Physics 102")
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Physics 102"


def test_admin_course_teacher_must_be_a_teacher(admin_client, course, student):
    response = admin_client.post(
        f"/admin/courses/course/{course.pk}/change/", _course_post(course, teacher=student.pk)
    )
    assert response.status_code == 200
    assert "teacher" in response.context["adminform"].form.errors
    course.refresh_from_db()
    assert course.teacher.username == "teacher"


def test_admin_course_thumbnail_is_checked_like_in_the_app(admin_client, course):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = admin_client.post(
        f"/admin/courses/course/{course.pk}/change/", _course_post(course, thumbnail=fake)
    )
    assert response.status_code == 200
    assert "thumbnail" in response.context["adminform"].form.errors
    course.refresh_from_db()
    assert not course.thumbnail


@pytest.mark.parametrize(("who", "enrolled"), [("other_teacher", False), ("student", True)])
def test_admin_enrolls_students_only(admin_client, course, request, who, enrolled):
    user = request.getfixturevalue(who)
    data = _course_post(
        course,
        **{
            "enrollments-TOTAL_FORMS": "1",
            "enrollments-0-student": str(user.pk),
            "enrollments-0-course": str(course.pk),
        },
    )
    response = admin_client.post(f"/admin/courses/course/{course.pk}/change/", data)
    assert response.status_code == (302 if enrolled else 200)
    assert list(course.students.all()) == ([user] if enrolled else [])


def test_admin_change_pages_render(admin_client, student, enrollment):
    invite = TeacherInvite.objects.create(note="x")
    material = MaterialFactory.create(course=enrollment.course)
    for url in (
        f"/admin/accounts/user/{student.pk}/change/",
        f"/admin/accounts/teacherinvite/{invite.pk}/change/",
        f"/admin/courses/enrollment/{enrollment.pk}/change/",
        f"/admin/courses/material/{material.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/accounts/teacherinvite/add/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(f"/admin/accounts/user/{student.pk}/change/").content.decode()
    for name in ("role", "timezone", "email_notifications"):
        assert f'name="{name}"' in page
