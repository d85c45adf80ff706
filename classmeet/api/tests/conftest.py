"""Clients for API tests: one that sends a personal token, and one with a browser session."""

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from classmeet.accounts.models import User
from classmeet.api.services import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # Throttle counters live in the cache; a test must not inherit another test's requests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_client() -> Callable[[User | None], APIClient]:
    """Return a factory: token_client(user) is an APIClient authenticated with a new token of
    that user; token_client(None) is anonymous."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, raw = api_token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
