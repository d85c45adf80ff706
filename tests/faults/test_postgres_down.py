"""Stop PostgreSQL under a running deployment (nginx + worker, a private PostgreSQL cluster made
by initdb on a free port, never the machine's): pages answer the friendly 503 page with
Retry-After, never a traceback or a bare 500; when PostgreSQL is back, the same session works
again without restarting anything."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests

from tests.deploy.stack import BASE_DIR, PrivatePostgres

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PASSWORD = "pg-down-test-password-9"
PAGES = ["/classmeet/dashboard/", "/courses/new/", "/meetings/", "/notifications/"]

SETUP = f"""
from classmeet.accounts.models import User
u = User.objects.create_user("tina", password={PASSWORD!r}, role="teacher", first_name="Tina")
"""


def manage(
    env: dict[str, str], *args: str, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def sign_in(stack) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = False
    page = session.get(f"{stack.url}/auth/signin/", timeout=30)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found is not None
    token = found.group(1)
    done = session.post(
        f"{stack.url}/auth/signin/",
        data={"csrfmiddlewaretoken": token, "username": "tina", "password": PASSWORD},
        headers={"Origin": stack.url, "Referer": f"{stack.url}/auth/signin/"},
        timeout=30,
    )
    assert done.status_code == 200, done.text[:2000]
    assert "/auth/signin/" not in done.url
    return session


def test_postgres_stopped_pages_answer_503_then_recover(start_stack, stack_dir, redis_url):
    pg = PrivatePostgres(logdir=stack_dir)
    pg.init()
    try:
        stack = start_stack(redis_url=redis_url, database_url=pg.url, workers=1)
        manage(stack.env, "migrate", "--noinput", "-v", "0")
        manage(stack.env, "shell", "-c", SETUP)
        session = sign_in(stack)
        for path in PAGES:
            assert session.get(f"{stack.url}{path}", timeout=30).status_code == 200, path

        pg.stop("immediate")
        for path in [*PAGES, "/auth/signin/"]:
            down = session.get(f"{stack.url}{path}", timeout=30)
            assert down.status_code == 503, (path, down.status_code, down.text[:3000])
            assert "Temporarily unavailable" in down.text
            assert "Traceback" not in down.text
            assert down.headers["Retry-After"]
        # An anonymous visitor gets the same page, not an error.
        stranger = requests.Session()
        stranger.trust_env = False
        stranger.verify = False
        anonymous = stranger.get(f"{stack.url}/auth/signin/", timeout=30)
        assert anonymous.status_code in {200, 503}
        assert "Traceback" not in anonymous.text

        pg.start()
        for path in PAGES:
            back = session.get(f"{stack.url}{path}", timeout=30)
            assert back.status_code == 200, (path, back.status_code, back.text[:2000])
        assert stack.workers[0].alive()
    finally:
        pg.stop("immediate")
