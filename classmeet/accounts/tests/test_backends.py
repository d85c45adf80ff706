"""The sign-in backend: the session's user read by one statement, and sessions signed in before it
(they name Django's ModelBackend) still signed in."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classmeet.accounts.backends import UserBackend
from classmeet.accounts.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_the_session_user_is_read_by_one_statement() -> None:
    student = StudentFactory.create()
    with CaptureQueriesContext(connection) as ctx:
        user = UserBackend().get_user(student.pk)
    assert user == student
    assert len(ctx.captured_queries) == 1


def test_an_inactive_or_missing_user_is_nobody() -> None:
    student = StudentFactory.create(is_active=False)
    assert UserBackend().get_user(student.pk) is None
    assert UserBackend().get_user(student.pk + 1000) is None


def test_a_sign_in_records_the_user_backend() -> None:
    student = StudentFactory.create()
    client = Client()
    client.force_login(student)
    assert client.session[BACKEND_SESSION_KEY] == "classmeet.accounts.backends.UserBackend"


def test_a_session_from_before_the_user_backend_stays_signed_in() -> None:
    student = StudentFactory.create()
    client = Client()
    session = client.session
    session[SESSION_KEY] = str(student.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = student.get_session_auth_hash()
    session.save()
    client.cookies["sessionid"] = session.session_key or ""
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert response.wsgi_request.user == student
