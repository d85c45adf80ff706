"""A small fixed-window rate limiter on Django's cache, for views that django-axes and DRF's
throttles do not cover (sign-up, password reset).

    @ratelimit(scope="signup", default_rate="20/hour")
    def signup(request): ...

The rate is read from ``settings.CLASSMEET_RATELIMITS[scope]`` when set (``"<count>/<period>"``,
period ``second``, ``minute``, ``hour`` or ``day``), else ``default_rate``. Only the listed methods
count (POST by default), per client IP address. Past the limit the view is not called: the client
gets 429 with a ``Retry-After`` header, a page for browsers and a JSON body for JSON clients.

The client address (``client_ip``, also used by django-axes and the API throttles) is
``REMOTE_ADDR``, unless that is a proxy listed in ``settings.CLASSMEET_TRUSTED_PROXIES``
(addresses or networks; production trusts loopback, where deploy/nginx runs): then it is the
nearest untrusted address of ``X-Forwarded-For``, read from the right, or else ``X-Real-IP``.
What a client writes into those headers itself is never believed: nginx appends the address it
saw to the client's ``X-Forwarded-For``, and that is the entry the walk stops at.
"""

from __future__ import annotations

import functools
import ipaddress
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

View = Callable[..., HttpResponseBase]


def parse_rate(rate: str) -> tuple[int, int]:
    """Return (count, seconds) from ``"5/minute"``; raise ValueError on anything else."""
    count, _sep, period = rate.partition("/")
    seconds = _PERIODS.get(period.strip()[:1].lower())
    if seconds is None or not count.strip().isdigit():
        raise ValueError(f"bad rate {rate!r}")
    return int(count), seconds


def rate_for(scope: str, default_rate: str) -> tuple[int, int]:
    rates: dict[str, str] = getattr(settings, "CLASSMEET_RATELIMITS", {})
    return parse_rate(rates.get(scope, default_rate))


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client: REMOTE_ADDR, or what a trusted proxy in front of us saw.

    None when the request has no address at all (django-axes stores it in an address column,
    which refuses anything else).
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    trusted = _networks(tuple(getattr(settings, "CLASSMEET_TRUSTED_PROXIES", ())))
    peer = _address(remote)
    if peer is None or not any(peer in network for network in trusted):
        return remote or None
    hops = [_address(hop) for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if hop is None:  # not an address: whatever is left of it was written by the client
            break
        if not any(hop in network for network in trusted):
            return str(hop)
    real = _address(request.META.get("HTTP_X_REAL_IP", ""))
    if real is not None:
        return str(real)
    return remote


def axes_client_ip(request: HttpRequest) -> str | None:
    """`client_ip` for django-axes, which stores it in an address column: None when there is none.

    A request built by Django itself (``Client.force_login``) carries no REMOTE_ADDR; PostgreSQL's
    ``inet`` column refuses the placeholder the rate limiter keys such requests on.
    """
    address = client_ip(request)
    return address if address is not None and _address(address) is not None else None


def hit(*, scope: str, key: str, limit: int, window: int) -> int:
    """Count one request in the current window; return the seconds to wait (0 when allowed)."""
    now = int(time.time())
    start = now - now % window
    cache_key = f"ratelimit:{scope}:{key}:{start}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return 0 if count <= limit else max(start + window - now, 1)


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 answer: JSON for API-style clients, a page for browsers."""
    response: HttpResponse
    wants_json = "application/json" in request.headers.get("Accept", "") or (
        request.content_type == "application/json"
    )
    if wants_json:
        response = JsonResponse(
            {
                "detail": _("Too many requests. Try again in %(s)s seconds.") % {"s": retry_after},
                "code": "throttled",
            },
            status=429,
        )
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(
    *, scope: str, default_rate: str, methods: tuple[str, ...] = ("POST",)
) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                limit, window = rate_for(scope, default_rate)
                key = client_ip(request) or "unknown"
                wait = hit(scope=scope, key=key, limit=limit, window=window)
                if wait:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
