from typing import Any

import pytest
from django.urls import reverse

from classmeet.accounts.models import User
from classmeet.accounts.selectors import timezone_choices

pytestmark = pytest.mark.django_db

URL = "/auth/profile/"


def _data(**overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "Samantha",
        "last_name": "Study",
        "email": "sam@example.test",
        "timezone": "Europe/Paris",
        "email_notifications": "daily",
    }
    data.update(overrides)
    return data


def test_profile_url_name():
    assert reverse("accounts:profile") == URL


def test_profile_requires_signin(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:signin')}?next={URL}"


def test_profile_shows_fields_and_password_link(client, student):
    client.force_login(student)
    page = client.get(URL).content.decode()
    for name in ("first_name", "last_name", "email", "timezone", "email_notifications"):
        assert f'name="{name}"' in page
    assert '<option value="Europe/Paris">' in page
    assert reverse("accounts:password-change") in page


def test_profile_edit_saves_every_field(client, student):
    client.force_login(student)
    response = client.post(URL, _data())
    assert response.status_code == 302
    student.refresh_from_db()
    assert (student.first_name, student.last_name, student.email) == (
        "Samantha",
        "Study",
        "sam@example.test",
    )
    assert student.timezone == "Europe/Paris"
    assert student.email_notifications == User.EmailPreference.DAILY


def test_profile_empty_timezone_means_browser(client, student):
    student.timezone = "Asia/Tokyo"
    student.save()
    client.force_login(student)
    assert client.post(URL, _data(timezone="")).status_code == 302
    student.refresh_from_db()
    assert student.timezone == ""


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "x" * 200, "localtime"])
def test_profile_rejects_invalid_timezone(client, student, zone):
    client.force_login(student)
    response = client.post(URL, _data(timezone=zone))
    assert response.status_code == 400
    assert "timezone" in response.context["form"].errors
    student.refresh_from_db()
    assert student.timezone == ""
    assert student.first_name == "Sam"


def test_profile_rejects_unknown_notification_choice(client, student):
    client.force_login(student)
    response = client.post(URL, _data(email_notifications="hourly"))
    assert response.status_code == 400
    assert "email_notifications" in response.context["form"].errors


def test_profile_rejects_email_of_another_account(client, student, teacher):
    client.force_login(student)
    response = client.post(URL, _data(email=teacher.email.upper()))
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


def test_rejected_profile_does_not_rename_user_in_navbar(client, student):
    client.force_login(student)
    response = client.post(URL, _data(first_name="Mallory", email="bad"))
    assert response.status_code == 400
    assert "Hi, Mallory" not in response.content.decode()


def test_profile_escapes_user_text(client, student):
    client.force_login(student)
    client.post(URL, _data(first_name="<script>x</script>"))
    page = client.get(URL).content.decode()
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_profile_shows_saved_timezone_selected(client, student):
    client.force_login(student)
    client.post(URL, _data(timezone="Asia/Tokyo"))
    response = client.get(URL)
    assert 'value="Asia/Tokyo" selected' in response.content.decode()


def test_timezone_choices_start_with_browser_option_and_contain_utc():
    choices = timezone_choices()
    assert choices[0][0] == ""
    names = [value for value, _ in choices]
    assert "UTC" in names
    assert "localtime" not in names
