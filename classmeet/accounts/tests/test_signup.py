from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from classmeet import access
from classmeet.accounts import selectors, services
from classmeet.accounts.forms import SignupForm
from classmeet.accounts.models import TeacherInvite, User

pytestmark = pytest.mark.django_db

URL = "/auth/signup/"


def _data(**overrides: Any) -> dict[str, Any]:
    data = {
        "username": "newbie",
        "first_name": "New",
        "last_name": "Bie",
        "email": "newbie@example.test",
        "password1": "a-long-unusual-pass-42",
        "password2": "a-long-unusual-pass-42",
        "role": "student",
    }
    data.update(overrides)
    return data


def test_signup_url_name():
    assert reverse("accounts:signup") == URL


def test_signup_page_renders_for_anonymous(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert b'name="role"' in response.content


def test_signup_redirects_signed_in_user_to_dashboard(client, student):
    client.force_login(student)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:dashboard")


def test_student_signup_creates_student_and_signs_in(client):
    response = client.post(URL, _data())
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:dashboard")
    user = User.objects.get(username="newbie")
    assert user.role == User.Role.STUDENT
    assert user.email == "newbie@example.test"
    assert user.check_password("a-long-unusual-pass-42")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_signup_honours_safe_next(client):
    response = client.post(f"{URL}?next=/courses/3/", _data())
    assert response["Location"] == "/courses/3/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "foo"])
def test_signup_ignores_offsite_next(client, target):
    """A next that is not a local path (a bare word was reversed as a URL name: 500)."""
    response = client.post(URL, {**_data(), "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:dashboard")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "something-else-42"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password2"),
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"role": "admin"}, "role"),
        ({"username": "bad name!"}, "username"),
    ],
)
def test_signup_rejects_bad_input_with_form_error(client, overrides, field):
    response = client.post(URL, _data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not User.objects.filter(username=_data(**overrides)["username"]).exists()


def test_signup_rejects_taken_email_case_insensitively(client, student):
    response = client.post(URL, _data(email=student.email.upper()))
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


def test_signup_rejects_taken_username(client, student):
    response = client.post(URL, _data(username="student"))
    assert response.status_code == 400
    assert "username" in response.context["form"].errors


def test_open_mode_lets_anyone_sign_up_as_teacher(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "open"
    response = client.post(URL, _data(role="teacher"))
    assert response.status_code == 302
    assert User.objects.get(username="newbie").role == User.Role.TEACHER


def test_open_mode_hides_invite_field(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "open"
    assert b'name="invite_code"' not in client.get(URL).content


def test_closed_mode_refuses_teacher_role(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "closed"
    response = client.post(URL, _data(role="teacher"))
    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()


def test_closed_mode_offers_only_student_role_and_still_accepts_students(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "closed"
    page = client.get(URL).content.decode()
    assert 'value="teacher"' not in page
    assert client.post(URL, _data()).status_code == 302
    assert User.objects.get(username="newbie").role == User.Role.STUDENT


def test_closed_mode_service_refuses_teacher_even_without_form(settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "closed"
    with pytest.raises(ValidationError):
        services.user_signup(
            username="sneaky", email="s@example.test", password="x-long-pass-99", role="teacher"
        )
    assert not User.objects.filter(username="sneaky").exists()


def test_unknown_mode_is_treated_as_closed(settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "sometimes"
    assert selectors.teacher_signup_mode() is selectors.TeacherSignup.CLOSED
    assert not access.accounts.can_sign_up_as_teacher(invite_code="anything")


def test_invite_mode_requires_a_code_for_teachers(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "invite"
    response = client.post(URL, _data(role="teacher"))
    assert response.status_code == 400
    assert "invite_code" in response.context["form"].errors


def test_invite_mode_rejects_unknown_code(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "invite"
    response = client.post(URL, _data(role="teacher", invite_code="nope"))
    assert response.status_code == 400
    assert "invite_code" in response.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()


def test_invite_mode_rejects_expired_code(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.CLASSMEET_TEACHER_SIGNUP = "invite"
    invite = TeacherInvite.objects.create(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(URL, _data(role="teacher", invite_code=invite.code))
    assert response.status_code == 400
    invite.refresh_from_db()
    assert invite.used_at is None


def test_invite_mode_accepts_usable_code_and_consumes_it(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "invite"
    invite = TeacherInvite.objects.create(note="for New")
    response = client.post(URL, _data(role="teacher", invite_code=f"  {invite.code} "))
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.role == User.Role.TEACHER
    invite.refresh_from_db()
    assert invite.used_by == user
    assert invite.used_at is not None
    assert not invite.is_usable


def test_invite_code_is_consumed_only_once(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "invite"
    invite = TeacherInvite.objects.create()
    assert client.post(URL, _data(role="teacher", invite_code=invite.code)).status_code == 302
    client.logout()
    second = _data(
        role="teacher", invite_code=invite.code, username="second", email="second@example.test"
    )
    response = client.post(URL, second)
    assert response.status_code == 400
    assert "invite_code" in response.context["form"].errors
    assert not User.objects.filter(username="second").exists()


def test_invite_mode_students_need_no_code(client, settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "invite"
    assert client.post(URL, _data()).status_code == 302
    assert User.objects.get(username="newbie").role == User.Role.STUDENT


def test_invite_used_between_form_check_and_save_rolls_back_the_signup(settings):
    """The form saw a usable code, then another sign-up consumed it: no second teacher is made."""
    settings.CLASSMEET_TEACHER_SIGNUP = "invite"
    invite = TeacherInvite.objects.create()
    form = SignupForm(data=_data(role="teacher", invite_code=invite.code))
    assert form.is_valid(), form.errors
    winner = services.user_signup(
        username="winner",
        email="w@example.test",
        password="x-long-pass-99",
        role="teacher",
        invite_code=invite.code,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.user_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            role="teacher",
            invite_code=form.cleaned_data["invite_code"],
        )
    assert "invite_code" in excinfo.value.message_dict
    assert not User.objects.filter(username="newbie").exists()
    invite.refresh_from_db()
    assert invite.used_by == winner
