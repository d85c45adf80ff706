"""Personal API tokens in `Authorization: Bearer cm_<id>_<secret>`; the browser uses its session."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from classmeet.accounts.models import User

from .models import ApiToken
from .services import api_token_authenticate
from .throttles import FailedTokenThrottle

KEYWORD = "Bearer"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        token = None
        if len(header) == 2:
            try:
                token = api_token_authenticate(raw=header[1].decode())
            except UnicodeError:
                token = None
        if token is None or not token.user.is_active:
            # Wrong tokens count per IP; past the anonymous rate they get 429 instead of 401.
            # A valid token is never held back by others' mistakes behind the same address.
            throttle = FailedTokenThrottle()
            if throttle.is_blocked(request):
                raise exceptions.Throttled(wait=throttle.wait())
            throttle.record_failure()
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes unauthenticated requests 401 (with WWW-Authenticate) rather than 403.
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "classmeet.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from /api/tokens/: `cm_<id>_<secret>`.",
        }
