"""Rate limits per signed-in user and per anonymous IP address.

The rates are read on every request rather than frozen at import, so settings overrides apply.
"""

from typing import TYPE_CHECKING, Any

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from classmeet.core.ratelimit import client_ip

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes named in settings
    from rest_framework.request import Request


class _LiveRate(SimpleRateThrottle):
    def get_ident(self, request: "Request") -> str:
        # DRF's own believes any X-Forwarded-For (NUM_PROXIES unset): a client could rotate it.
        return client_ip(request._request) or ""

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)

    def allow_request(self, request: "Request", view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class UserThrottle(_LiveRate, UserRateThrottle):
    scope = "user"


class AnonThrottle(_LiveRate, AnonRateThrottle):
    scope = "anon"


class FailedTokenThrottle(_LiveRate):
    """Counts wrong or revoked tokens per client IP, at the anonymous rate, so that guessing
    tokens is throttled like other anonymous traffic (DRF itself checks throttles only after
    authentication succeeded). Only failures count."""

    scope = "anon"

    def get_cache_key(self, request: "Request", view: Any) -> str:
        return f"throttle_failed_token_{self.get_ident(request)}"

    def _load(self, request: "Request") -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [
            t for t in self.cache.get(self.key, []) if t > self.now - (self.duration or 0)
        ]

    def is_blocked(self, request: "Request") -> bool:
        self._load(request)
        return self.num_requests is not None and len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
