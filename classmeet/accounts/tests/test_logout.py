import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/auth/logout/"


def test_logout_url_name():
    assert reverse("accounts:logout") == URL


def test_logout_get_shows_confirm_form_and_keeps_session(client, student):
    client.force_login(student)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<form method="post" action="{URL}"' in page
    assert "csrfmiddlewaretoken" in page
    assert client.session.get("_auth_user_id") == str(student.pk)


def test_logout_post_signs_out(client, student):
    client.force_login(student)
    response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signin")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_logout_post_requires_csrf(student):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.post(URL).status_code == 403
    assert client.session.get("_auth_user_id") == str(student.pk)


def test_logout_get_for_anonymous_goes_to_signin(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signin")


def test_navbar_logout_is_a_post_form(client, student):
    client.force_login(student)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert f'<form method="post" action="{URL}"' in page
