import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from classmeet.accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/auth/signin/"


def test_signin_url_name():
    assert reverse("accounts:signin") == URL


def test_signin_page_links_to_signup_and_reset(client):
    page = client.get(URL).content.decode()
    assert reverse("accounts:signup") in page
    assert reverse("accounts:password-reset") in page


def test_signin_with_good_credentials_goes_to_dashboard(client, student):
    response = client.post(URL, {"username": "student", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:dashboard")


def test_signin_honours_safe_next(client, student):
    response = client.post(
        f"{URL}?next=/courses/1/", {"username": "student", "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == "/courses/1/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_signin_ignores_offsite_next(client, student, target):
    response = client.post(
        URL, {"username": "student", "password": DEFAULT_PASSWORD, "next": target}
    )
    assert response["Location"] == reverse("dashboard:dashboard")


def test_signin_page_keeps_next_in_form(client):
    page = client.get(f"{URL}?next=/courses/1/").content.decode()
    assert 'name="next" value="/courses/1/"' in page


def test_wrong_password_shows_form_error(client, student):
    response = client.post(URL, {"username": "student", "password": "wrong"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures_even_with_right_password(client, student, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert client.post(URL, {"username": "student", "password": "wrong"}).status_code == 400
    fifth = client.post(URL, {"username": "student", "password": "wrong"})
    assert fifth.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in fifth.templates]
    response = client.post(URL, {"username": "student", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert b"15 minutes" in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, student, outsider):
    for _ in range(5):
        client.post(URL, {"username": "student", "password": "wrong"})
    response = client.post(URL, {"username": "outsider", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_success_before_limit_resets_failures(client, student):
    for _ in range(4):
        client.post(URL, {"username": "student", "password": "wrong"})
    assert (
        client.post(URL, {"username": "student", "password": DEFAULT_PASSWORD}).status_code == 302
    )
    assert not AccessAttempt.objects.filter(username="student", failures_since_start__gt=0).exists()


def test_signed_in_user_visiting_signin_is_redirected(client, student):
    client.force_login(student)
    response = client.get(URL)
    assert response.status_code == 302
