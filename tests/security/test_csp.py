"""Content-Security-Policy: every response of the app carries the policy (no 'unsafe-inline'), and
no template or rendered page holds what that policy would block: an inline <script> body, an
on*= handler attribute, a style="" attribute, an inline <style> block or a javascript: URL.

Two proofs: a static walk of every template file under classmeet/**/templates/, and a GET of
every URL pattern of the project (owner teacher; a superuser for /admin/) with the HTML parsed.
The browser side (zero violations reported by Chromium) is tests/e2e/test_csp.py.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.security.test_csrf_walk import url_for, walk, world  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "classmeet").glob("**/templates/**/*.html"))


class InlineCodeFinder(HTMLParser):
    """Collect everything a CSP without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in: str | None = None
        self._has_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and name.isalpha():
                self.problems.append(f"<{tag} {name}=...> handler attribute")
            if name == "style":
                self.problems.append(f'<{tag} style="..."> attribute')
            if (
                name in ("href", "src", "action", "formaction")
                and value
                and value.strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag in ("script", "style"):
            self._in = tag
            self._has_src = any(n == "src" for n, _ in attrs)
            types = [v for n, v in attrs if n == "type"]
            # JSON data islands (json_script) are not executed and are allowed by the CSP.
            if tag == "script" and types and types[0] == "application/json":
                self._in = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and data.strip():
            kind = "script" if self._in == "script" else "style"
            if kind == "script" and self._has_src:
                self.problems.append("<script src> with a body")
            else:
                self.problems.append(f"inline <{kind}> body: {data.strip()[:60]!r}")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def test_the_finder_catches_each_kind_of_inline_code():
    bad = (
        "<script>alert(1)</script><img src=x onerror=alert(1)><p style='color:red'>x</p>"
        "<style>p{}</style><a href=' javascript:alert(1)'>x</a><svg onload=alert(1)></svg>"
    )
    assert len(inline_code(bad)) == 6
    good = (
        '<script type="module" src="/static/a.js"></script>'
        '<script type="application/json" id="d">{"a": 1}</script><a href="/x">ok</a>'
    )
    assert inline_code(good) == []


def test_templates_are_found():
    assert len(TEMPLATES) > 60


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_inline_code(template: Path):
    assert inline_code(template.read_text()) == []


def test_policy_forbids_inline_code():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives[directive]
        assert "'unsafe-eval'" not in directives[directive]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def check_response(response: Any) -> list[str]:
    problems = []
    policy = response.get("Content-Security-Policy", "")
    # The app's policy, or a stricter one (files served with default-src 'none').
    strict = "script-src 'self'" in policy or policy.startswith("default-src 'none'")
    if not strict or "unsafe-inline" in policy:
        problems.append(f"policy {policy!r}")
    if response.get("Content-Type", "").startswith("text/html") and not getattr(
        response, "streaming", False
    ):
        problems.extend(inline_code(response.content.decode()))
    return problems


@pytest.mark.django_db
def test_every_page_sends_the_policy_and_renders_no_inline_code(world):  # noqa: F811
    owner, admin = Client(), Client()
    owner.force_login(world["owner"])
    admin.force_login(world["admin"])
    failures: list[str] = []
    html_pages = 0
    for route in walk():
        url = url_for(route, world)
        client = admin if route.pattern.startswith("admin/") else owner
        response = client.get(url)
        if response.get("Content-Type", "").startswith("text/html"):
            html_pages += 1
        failures += [
            f"GET {url} ({route.name}) {response.status_code}: {p}"
            for p in check_response(response)
        ]
    assert not failures, "\n".join(failures)
    assert html_pages > 100


@pytest.mark.django_db
def test_anonymous_pages_and_error_pages_send_the_policy(client):
    for url in ("/auth/signin/", "/auth/signup/", "/auth/password/reset/", "/nope/", "/api/docs/"):
        response = client.get(url)
        assert check_response(response) == [], url
