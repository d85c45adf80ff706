"""Rate limits behind the proxy: the client address comes from X-Forwarded-For / X-Real-IP only
when the peer is a trusted proxy (CLASSMEET_TRUSTED_PROXIES), for our limiter, django-axes and
the API throttles alike.

Behind deploy/nginx every request comes from 127.0.0.1: keyed on that, one abuser would lock
everybody out. From any other peer the headers are the client's own words and are ignored, so
rotating them never escapes a limit.
"""

from __future__ import annotations

import importlib
import re
import sys

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from classmeet.accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from classmeet.core.ratelimit import axes_client_ip, client_ip
from tests.deploy.stack import DEPLOY_NGINX

pytestmark = pytest.mark.django_db

NGINX = "127.0.0.1"


@pytest.fixture
def behind_nginx(settings):
    settings.CLASSMEET_TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.8.0.0/16"]


def ip_of(remote: str, **headers: str) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)
    return client_ip(request)


def test_the_forwarded_address_is_used_when_the_peer_is_a_trusted_proxy(behind_nginx):
    assert ip_of(NGINX, x_forwarded_for="203.0.113.7") == "203.0.113.7"
    assert ip_of("::1", x_forwarded_for="2001:db8::0:7") == "2001:db8::7"
    # A load balancer (trusted network) in front of nginx: both hops are skipped.
    assert ip_of(NGINX, x_forwarded_for="203.0.113.7, 10.8.3.4") == "203.0.113.7"
    # No X-Forwarded-For: X-Real-IP, then the proxy itself.
    assert ip_of(NGINX, x_real_ip="198.51.100.2") == "198.51.100.2"
    assert ip_of(NGINX) == NGINX


def test_a_client_cannot_choose_its_address_through_the_proxy(behind_nginx):
    """nginx appends what it saw to the client's X-Forwarded-For: only that entry counts."""
    assert ip_of(NGINX, x_forwarded_for="1.1.1.1, 203.0.113.7") == "203.0.113.7"
    assert ip_of(NGINX, x_forwarded_for="127.0.0.1, 203.0.113.7") == "203.0.113.7"
    assert ip_of(NGINX, x_forwarded_for="not-an-ip, 203.0.113.7") == "203.0.113.7"
    assert ip_of(NGINX, x_forwarded_for="203.0.113.7, garbage") == NGINX


def test_headers_from_an_untrusted_peer_are_ignored(behind_nginx, settings):
    for headers in ({"x_forwarded_for": "1.1.1.1"}, {"x_real_ip": "1.1.1.1"}):
        assert ip_of("203.0.113.9", **headers) == "203.0.113.9"
    settings.CLASSMEET_TRUSTED_PROXIES = []  # the default: nobody is trusted
    assert ip_of(NGINX, x_forwarded_for="203.0.113.7", x_real_ip="203.0.113.7") == NGINX
    # No address at all (axes stores None in its address column, never a placeholder).
    assert ip_of("", x_forwarded_for="203.0.113.7") is None


def _signup(client: Client, i: int, **headers: str) -> int:
    data = {
        "username": f"proxied{i}",
        "email": f"proxied{i}@example.org",
        "first_name": "P",
        "last_name": "Roxied",
        "role": "student",
        "password1": "a-long-Secret-9931",
        "password2": "a-long-Secret-9931",
    }
    status: int = client.post(reverse("accounts:signup"), data, headers=headers).status_code
    client.logout()
    return status


def test_one_abuser_behind_nginx_does_not_lock_out_the_others(behind_nginx, settings):
    settings.CLASSMEET_RATELIMITS = {"signup": "2/hour"}
    nginx = Client(REMOTE_ADDR=NGINX)
    abuser = [_signup(nginx, i, x_forwarded_for="203.0.113.66") for i in range(3)]
    assert abuser == [302, 302, 429]
    # The abuser's forged header does not help either: nginx appends the real address.
    assert _signup(nginx, 3, x_forwarded_for="9.9.9.9, 203.0.113.66") == 429
    assert _signup(nginx, 4, x_forwarded_for="203.0.113.10") == 302


def test_rotating_forwarded_for_from_an_untrusted_peer_escapes_no_limit(behind_nginx, settings):
    settings.CLASSMEET_RATELIMITS = {"signup": "2/hour"}
    direct = Client(REMOTE_ADDR="198.51.100.50")
    statuses = [_signup(direct, i, x_forwarded_for=f"10.0.0.{i}") for i in range(3)]
    assert statuses == [302, 302, 429]


def _sign_in(client: Client, username: str, password: str, **headers: str) -> int:
    response = client.post(
        reverse("accounts:signin"), {"username": username, "password": password}, headers=headers
    )
    status: int = response.status_code
    client.logout()
    return status


def test_axes_locks_the_forwarded_client_not_the_proxy(behind_nginx, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = StudentFactory.create(username="shared-name")
    nginx = Client(REMOTE_ADDR=NGINX)
    for _ in range(3):
        _sign_in(nginx, user.username, "wrong", x_forwarded_for="203.0.113.66")
    assert _sign_in(nginx, user.username, DEFAULT_PASSWORD, x_forwarded_for="203.0.113.66") == 429
    # The real user, from their own address through the same nginx, still signs in.
    assert _sign_in(nginx, user.username, DEFAULT_PASSWORD, x_forwarded_for="203.0.113.10") == 302


def test_axes_lockout_is_not_escaped_by_a_forged_header(behind_nginx, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = StudentFactory.create(username="target-name")
    direct = Client(REMOTE_ADDR="198.51.100.50")
    for i in range(3):
        _sign_in(direct, user.username, "wrong", x_forwarded_for=f"10.0.0.{i}")
    assert _sign_in(direct, user.username, DEFAULT_PASSWORD, x_forwarded_for="10.0.0.99") == 429


def test_api_throttle_keys_on_the_same_address(behind_nginx, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "1000/hour", "anon": "2/hour"},
    }
    schema = reverse("api:schema")
    direct = Client(REMOTE_ADDR="198.51.100.50")
    rotating = [direct.get(schema, headers={"x_forwarded_for": f"10.0.0.{i}"}) for i in range(3)]
    assert [r.status_code for r in rotating] == [200, 200, 429]
    nginx = Client(REMOTE_ADDR=NGINX)
    other = [nginx.get(schema, headers={"x_forwarded_for": "203.0.113.10"}) for _ in range(3)]
    assert [r.status_code for r in other] == [200, 200, 429]


def test_the_deploy_nginx_sends_the_headers_the_app_relies_on():
    """Every proxied location of deploy/nginx/classmeet.conf forwards the client's address."""
    text = DEPLOY_NGINX.read_text()
    locations = re.findall(r"location [^{]*\{[^}]*proxy_pass[^}]*\}", text)
    assert len(locations) >= 2  # /ws/ and /
    for block in locations:
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in block, block
        assert "proxy_set_header X-Real-IP $remote_addr;" in block, block


def test_the_deploy_recipe_binds_every_worker_to_loopback():
    """Workers trust X-Forwarded-For from 127.0.0.1: only nginx, on loopback, may reach them."""
    deploy = DEPLOY_NGINX.parent.parent
    commands = [
        line
        for line in (deploy / "Procfile").read_text().splitlines()
        if "uvicorn" in line and not line.startswith("#")
    ]
    unit = (deploy / "systemd" / "classmeet-asgi@.service").read_text().replace("\\\n", " ")
    commands += [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert len(commands) >= 3
    for command in commands:
        assert re.search(r"--host 127\.0\.0\.1\b", command), command
        assert re.search(r"--forwarded-allow-ips 127\.0\.0\.1\b", command), command
    upstreams = re.findall(r"upstream \w+ \{([^}]*)\}", DEPLOY_NGINX.read_text())
    upstream_servers = [
        s for block in upstreams for s in re.findall(r"^\s*server\s+(\S+)", block, re.M)
    ]
    assert len(upstreams) >= 2
    assert upstream_servers
    assert all(s.startswith("127.0.0.1:") for s in upstream_servers), upstream_servers


def test_production_trusts_only_loopback_by_default(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "example.org")
    monkeypatch.delenv("CLASSMEET_TRUSTED_PROXIES", raising=False)
    monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
    production = importlib.import_module("config.settings.production")
    monkeypatch.delitem(sys.modules, "config.settings.production")
    assert production.CLASSMEET_TRUSTED_PROXIES == ["127.0.0.1", "::1"]
    assert production.AXES_CLIENT_IP_CALLABLE == "classmeet.core.ratelimit.axes_client_ip"


def test_axes_gets_no_address_rather_than_a_placeholder(settings):
    """django-axes stores the address in an inet column (PostgreSQL): a request without one
    (``Client.force_login`` builds such a request) must give None, not the limiter's key."""
    settings.CLASSMEET_TRUSTED_PROXIES = [NGINX]
    bare = RequestFactory().get("/")
    del bare.META["REMOTE_ADDR"]
    assert client_ip(bare) is None  # the rate limiter keys it on "unknown" itself
    assert axes_client_ip(bare) is None
    proxied = RequestFactory().get("/", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert axes_client_ip(proxied) == "203.0.113.9"


def test_force_login_is_logged_by_axes_without_an_address(student):
    """The signal handler writes an AccessLog row; it must not fail for lack of an address."""
    from axes.models import AccessLog

    Client().force_login(student)
    assert AccessLog.objects.filter(username=student.username).exists()
