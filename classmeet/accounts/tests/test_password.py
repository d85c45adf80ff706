import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from classmeet.accounts.tests.factories import DEFAULT_PASSWORD
from tests.support import ClientResponse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "brand-new-secret-777"


def test_password_change_requires_signin(client):
    response = client.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signin"))


def test_password_change_rejects_wrong_old_password(client, student):
    client.force_login(student)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    student.refresh_from_db()
    assert student.check_password(DEFAULT_PASSWORD)


def test_password_change_changes_password_and_keeps_session(client, student):
    client.force_login(student)
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-change-done")
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:password-change-done")).status_code == 200


def _request_reset(client: Client, email: str) -> ClientResponse:
    return client.post(reverse("accounts:password-reset"), {"email": email})


def test_password_reset_sends_usable_link(client, student):
    response = _request_reset(client, student.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [student.email]
    assert message.subject == "Reset your Classmeet password"
    assert "student" in message.body
    link = re.search(r"https?://[^/\s]+(/auth/password/reset/\S+/)", str(message.body))
    assert link is not None
    # Django swaps the token for a session marker and redirects to the form.
    response = client.get(link.group(1))
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.context["validlink"] is True
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-complete")
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert again.context["validlink"] is False


def test_password_reset_for_unknown_email_sends_nothing_but_looks_the_same(client):
    response = _request_reset(client, "nobody@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_password_reset_with_tampered_token_is_refused(client, student):
    _request_reset(client, student.email)
    link = re.search(r"(/auth/password/reset/[^/\s]+/)(\S+)/", str(mail.outbox[0].body))
    assert link is not None
    response = client.get(f"{link.group(1)}not-a-token/", follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert b"invalid" in response.content


def test_password_reset_rejects_invalid_email_with_form_error(client):
    response = _request_reset(client, "not an email")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
