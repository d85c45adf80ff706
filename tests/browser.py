"""Browser-test fixtures, loaded for the whole suite by the root conftest (`pytest_plugins`), so
that every test shares ONE Playwright and ONE Chromium (a second `sync_playwright()` in the same
process fails). Never import these fixtures into a test module: request them by name.

Browser tests: a live ASGI server (uvicorn, in this process, on the test database) and real
headless Chromium driven by Playwright, with fake camera and microphone.

Fixtures:
- `live_server_url`: base URL of the running app (session-wide; tests need `transactional_db`).
- `browser`: one Chromium for the session.
- `new_page(user, sign_in="form"|"cookie")`: a fresh browser context for that user, signed in through
  the real sign-in page (default) or by a session cookie; requests to any other host are aborted.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.support import free_port, require_service

# Playwright's sync API keeps an event loop running in the test's thread; the ORM calls that tests
# make there (factories, assertions) are still synchronous and safe (Django's documented escape hatch).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CLASSMEET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
]


class LiveServer:
    """uvicorn serving an ASGI app (config.asgi.application by default) in a background thread.

    The benchmarks start theirs with it too (bench/bench_join.py, bench/join_bare.py): the same
    uvicorn options on both sides of a comparison.
    """

    def __init__(self, app: Any = "config.asgi:application", *, name: str = "live-asgi") -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            ws="websockets-sansio",
            lifespan="off",
            log_level="warning",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=name, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"{self.thread.name}: the ASGI server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server_url(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock():
        server = LiveServer()
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_service(
        bool(shutil.which(CHROMIUM)) or os.path.exists(CHROMIUM),
        f"Chromium not found at {CHROMIUM}",
        required=f"Chromium is required but missing at {CHROMIUM}",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def session_cookie_for(user: Any) -> dict[str, str]:
    """Create a real session for the user, as the sign-in view would, and return its cookie."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def sign_in_through_form(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/auth/signin/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/auth/signin/" not in url, timeout=10_000)


@pytest.fixture
def new_page(
    browser: Any, live_server_url: str, transactional_db: None
) -> Iterator[Callable[..., Any]]:
    """Open a new browser context signed in as a user; close every context at the end."""
    from classmeet.accounts.tests.factories import DEFAULT_PASSWORD

    contexts: list[Any] = []
    allowed = urlparse(live_server_url).netloc

    def open_page(
        user: Any | None = None,
        *,
        sign_in: str = "form",
        password: str = DEFAULT_PASSWORD,
        **context_options: Any,
    ) -> Any:
        context = browser.new_context(base_url=live_server_url, **context_options)
        contexts.append(context)

        def only_this_app(route: Any) -> None:
            if urlparse(route.request.url).netloc == allowed:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_this_app)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if user is not None:
            if sign_in == "cookie":
                cookie = session_cookie_for(user)
                context.add_cookies([{**cookie, "url": live_server_url}])
            else:
                sign_in_through_form(page, live_server_url, user.username, password)
        return page

    yield open_page
    for context in contexts:
        context.close()
