"""request_user: the one way page views and API views get the signed-in User."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework.request import Request

from classmeet.accounts.selectors import request_user


@pytest.mark.django_db
def test_request_user_returns_the_signed_in_user_of_a_page_request(student) -> None:
    request = RequestFactory().get("/")
    request.user = student
    assert request_user(request) == student


@pytest.mark.django_db
def test_request_user_returns_the_signed_in_user_of_an_api_request(student) -> None:
    django_request = RequestFactory().get("/")
    request = Request(django_request)
    request.user = student
    assert request_user(request) == student


def test_request_user_refuses_an_anonymous_request() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        request_user(request)
