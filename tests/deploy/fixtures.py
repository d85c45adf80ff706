"""Fixtures of the deploy and fault tests (imported by tests/deploy and tests/faults conftest).

- `start_stack(redis_url=..., database_url=None, workers=2, nginx=True)`: uvicorn workers with
  config.settings.production on the test database (or `database_url`), behind nginx.
- `open_room_page(stack, user)`: a Chromium page signed in through nginx's sign-in form, which
  records the `X-Served-By` header of every WebSocket handshake in `page.served_by`.
- `deploy_browser`: the suite's one Chromium (the `browser` fixture of tests/browser.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from tests.browser import session_cookie_for
from tests.deploy.stack import (
    NGINX,
    SERVED_BY,
    AsgiWorker,
    Nginx,
    app_env,
    database_url_of,
    ensure_static_collected,
    processes,
)
from tests.support import require_service

__all__ = ["Stack", "deploy_browser", "open_room_page", "stack_dir", "start_stack"]


@dataclass
class Stack:
    logdir: Path
    env: dict[str, str]
    workers: list[AsgiWorker]
    nginx: Nginx | None = None
    started: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.nginx is not None
        return self.nginx.url

    def worker(self, label: str) -> AsgiWorker:
        return next(w for w in self.workers if w.label == label)

    def logs(self) -> str:
        parts = [f"--- {w.label}\n{w.log_text()[-4000:]}" for w in self.workers]
        if self.nginx is not None:
            parts.append(f"--- nginx error.log\n{self.nginx.error_log()[-3000:]}")
        return "\n".join(parts)


@pytest.fixture
def stack_dir() -> Iterator[Path]:
    # Not tmp_path: a private PostgreSQL runs as `postgres`, which must reach this directory.
    path = Path(tempfile.mkdtemp(prefix="classmeet-stack-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start_stack(stack_dir: Path, transactional_db: None) -> Iterator[Callable[..., Stack]]:
    require_service(
        os.path.exists(NGINX),
        f"nginx not found at {NGINX}",
        required=f"nginx is required but missing at {NGINX}",
    )
    ensure_static_collected()
    with processes() as started:

        def start(
            *,
            redis_url: str,
            database_url: str | None = None,
            workers: int = 2,
            nginx: bool = True,
            extra_env: dict[str, str] | None = None,
        ) -> Stack:
            prefix = f"test-deploy-{uuid.uuid4().hex[:10]}"
            env = app_env(
                secret_key=settings.SECRET_KEY,
                database_url=database_url or database_url_of(connection.settings_dict),
                redis_url=redis_url,
                prefix=prefix,
            )
            env.update(extra_env or {})
            stack = Stack(logdir=stack_dir, env=env, workers=[], started=started)
            for _ in range(workers):
                worker = AsgiWorker(env=env, logdir=stack_dir)
                started.append(worker)
                worker.start()
                stack.workers.append(worker)
            if nginx:
                stack.nginx = Nginx(upstreams=[w.port for w in stack.workers], logdir=stack_dir)
                started.append(stack.nginx)
                stack.nginx.start()
            return stack

        yield start


@pytest.fixture
def deploy_browser(browser: Any) -> Any:
    """The suite's one Chromium (tests/browser.py)."""
    return browser


@pytest.fixture
def open_room_page(deploy_browser: Any) -> Iterator[Callable[..., Any]]:
    """A signed-in page on the stack's nginx; `page.served_by` lists the workers of its sockets.

    Signed in by a session cookie the test creates (the test's fast password hasher is not one
    production accepts; the sign-in form through nginx is tested with `requests`).
    """
    contexts: list[Any] = []

    def open_page(stack: Stack, user: Any) -> Any:
        context = deploy_browser.new_context(base_url=stack.url, ignore_https_errors=True)
        contexts.append(context)
        allowed = urlparse(stack.url).netloc

        def only_this_app(route: Any) -> None:
            if urlparse(route.request.url).netloc == allowed:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_this_app)
        page = context.new_page()
        page.set_default_timeout(20_000)
        # Which worker served each room socket, as the browser saw its handshake response.
        served_by: list[str] = []
        urls: dict[str, str] = {}
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")

        def on_created(event: dict[str, Any]) -> None:
            urls[event["requestId"]] = event["url"]

        def on_handshake(event: dict[str, Any]) -> None:
            if "/ws/meeting/" in urls.get(event["requestId"], ""):
                headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
                served_by.append(headers.get(SERVED_BY.lower(), "?"))

        cdp.on("Network.webSocketCreated", on_created)
        cdp.on("Network.webSocketHandshakeResponseReceived", on_handshake)
        page.served_by = served_by
        # The live-notification socket is answered by the browser itself (Playwright's WebSocket
        # route, never connected): only room sockets reach nginx, so where each lands is certain.
        context.route_web_socket("**/ws/notifications/", lambda ws: None)
        context.add_cookies([{**session_cookie_for(user), "url": stack.url}])
        return page

    yield open_page
    for context in contexts:
        context.close()
