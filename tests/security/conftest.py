"""Security tests start from an empty cache: rate-limit windows and DRF throttle histories live
there, and one test's hits must not count against another's."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
