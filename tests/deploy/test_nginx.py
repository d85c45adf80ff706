"""The production recipe on loopback: Debian's nginx with deploy/nginx/classmeet.conf (TLS with a
self-signed certificate) in front of two uvicorn workers running config.settings.production on
one database and one Redis channel layer; a real 2-party call in Chromium goes through it, both
participants' WebSockets on the worker that nginx's hash gives their meeting (a call across two
workers is tests/faults/test_asgi_kill.py's second half)."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page

from classmeet.meetings.models import Meeting
from tests.e2e.test_room_call import remote_tiles, room_url, wait_for_media

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]


def join(page: Page, meeting: Meeting) -> None:
    page.goto(room_url(meeting), wait_until="domcontentloaded")
    page.wait_for_selector("#room[data-joined='true']", timeout=30_000)


def test_two_party_call_through_nginx_keeps_the_meeting_on_one_worker(
    start_stack, open_room_page, redis_url, teacher, student, enrollment, live_meeting
):
    stack = start_stack(redis_url=redis_url)
    one, two = (w.label for w in stack.workers)

    teacher_page = open_room_page(stack, teacher)
    join(teacher_page, live_meeting)
    student_page = open_room_page(stack, student)
    join(student_page, live_meeting)

    # The meeting's sockets share a worker: its signaling never crosses Redis.
    assert teacher_page.served_by in ([one], [two]), stack.logs()
    assert student_page.served_by == teacher_page.served_by

    teacher_stats = wait_for_media(teacher_page, peers=1, timeout=45)
    student_stats = wait_for_media(student_page, peers=1, timeout=45)
    teacher_peer = teacher_page.evaluate("window.classmeetRoom.peerId")
    student_peer = student_page.evaluate("window.classmeetRoom.peerId")
    assert list(teacher_stats) == [student_peer]
    assert list(student_stats) == [teacher_peer]
    assert all(s["frames"] > 0 for s in (*teacher_stats.values(), *student_stats.values()))
    assert remote_tiles(teacher_page) == [student_peer]

    # Both workers answered pages too, and nothing failed on either.
    for worker in stack.workers:
        assert worker.alive(), stack.logs()
    assert "[error]" not in stack.nginx.error_log() or "upstream" not in stack.nginx.error_log()


def test_nginx_serves_static_refuses_media_and_redirects_to_https(
    start_stack, redis_url, transactional_db
):
    stack = start_stack(redis_url=redis_url)
    nginx = stack.nginx
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify=False
    session.verify = False

    page = session.get(f"{nginx.url}/auth/signin/", timeout=20)
    assert page.status_code == 200
    assert page.headers["X-Served-By"] in {w.label for w in stack.workers}
    assert page.headers["X-Request-ID"]  # set by nginx, kept by the app
    # A CSRF-checked form post passes through the proxy (Origin, Host and scheme agree).
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    signin = session.post(
        f"{nginx.url}/auth/signin/",
        data={"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong"},
        headers={"Origin": nginx.url, "Referer": f"{nginx.url}/auth/signin/"},
        timeout=20,
    )
    assert signin.status_code == 400
    assert "correct username and password" in signin.text
    # Static files come from STATIC_ROOT through nginx itself (no worker header), cached a year.
    css = next(
        line.split('href="')[1].split('"')[0]
        for line in page.text.splitlines()
        if 'rel="stylesheet"' in line and "/static/" in line
    )
    static = session.get(f"{nginx.url}{css}", timeout=20)
    assert static.status_code == 200
    assert "X-Served-By" not in static.headers
    assert "immutable" in static.headers["Cache-Control"]
    # Uploaded files are never public.
    assert session.get(f"{nginx.url}/media/materials/x.pdf", timeout=20).status_code == 404
    # Plain HTTP is redirected to HTTPS.
    plain = session.get(
        f"http://127.0.0.1:{nginx.http_port}/auth/signin/", allow_redirects=False, timeout=20
    )
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://127.0.0.1")
    # Bodies over the upload limit are refused by nginx before they reach a worker.
    big = session.post(f"{nginx.url}/auth/signin/", data=b"x" * (56 * 1024 * 1024), timeout=60)
    assert big.status_code == 413
