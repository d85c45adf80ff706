"""Production's PostgreSQL pool (config/settings/base.py): a request that cannot get a
connection in time answers the friendly 503, and the pool serves again once one is free."""

import pytest
from django.db import connection
from django.test import Client
from psycopg_pool import PoolTimeout

from classmeet.accounts.models import User

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pool is PostgreSQL's (psycopg_pool)"
)


@pytest.mark.django_db(transaction=True)
def test_an_exhausted_pool_answers_503_then_serves_again():
    pool = getattr(connection, "pool", None)  # the PostgreSQL backend's
    assert pool is not None, "the test settings pool PostgreSQL connections like production"
    user = User.objects.create_user("pooled", password="x-pool-test-9", role="student")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    assert client.get("/notifications/").status_code == 200
    connection.close()  # back to the pool: this thread holds none now

    sizes, timeout = (pool.min_size, pool.max_size), pool.timeout
    pool.resize(1, 1)  # no growth: every connection it has is taken below
    pool.timeout = 0.5
    held = []
    while True:
        try:
            held.append(pool.getconn(timeout=0.2))
        except PoolTimeout:
            break
    try:
        busy = client.get("/notifications/")
        assert busy.status_code == 503
        assert "Temporarily unavailable" in busy.content.decode()
        assert busy["Retry-After"]
    finally:
        for taken in held:
            pool.putconn(taken)
        pool.timeout = timeout
        pool.resize(*sizes)
    assert client.get("/notifications/").status_code == 200
