"""Production settings, seen from the outside: a request over HTTPS to the app configured with
config.settings.production gets HSTS, a referrer policy, nosniff, frame denial and the CSP, and
its cookies are Secure (and HttpOnly for the session); plain HTTP is redirected to HTTPS.
(`check --deploy` is classmeet/core/tests/test_deploy_check.py.)

Runs in a subprocess, because settings modules cannot be swapped inside the test process.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
https = Client(HTTP_HOST="classmeet.example.org", HTTP_X_FORWARDED_PROTO="https")
page = https.get("/auth/signin/")
plain = Client(HTTP_HOST="classmeet.example.org").get("/auth/signin/")
csrf = page.cookies.get(settings.CSRF_COOKIE_NAME)
print(json.dumps({
    "status": page.status_code,
    "headers": {k: page.get(k) for k in (
        "Strict-Transport-Security", "Referrer-Policy", "X-Content-Type-Options",
        "X-Frame-Options", "Content-Security-Policy", "Cross-Origin-Opener-Policy")},
    "csrf_cookie_secure": bool(csrf and csrf["secure"]),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "session_cookie_samesite": settings.SESSION_COOKIE_SAMESITE,
    "debug": settings.DEBUG,
}))
"""


def probe() -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "classmeet.example.org",
        "DATABASE_URL": "sqlite:////tmp/classmeet-prod-probe-unused.sqlite3",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


def test_production_https_response_has_the_security_headers_and_secure_cookies():
    seen = probe()
    assert seen["status"] == 200
    headers = seen["headers"]
    hsts = headers["Strict-Transport-Security"] or ""
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"] or ""
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert seen["csrf_cookie_secure"] is True
    assert seen["session_cookie_secure"] is True
    assert seen["session_cookie_httponly"] is True
    assert seen["session_cookie_samesite"] == "Lax"
    assert seen["debug"] is False


def test_production_redirects_plain_http_to_https():
    seen = probe()
    assert seen["plain_status"] == 301
    assert seen["plain_location"].startswith("https://classmeet.example.org/")
