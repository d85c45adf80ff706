"""One error body for every API failure: `{"detail": "...", "code": "...", "errors": {...}}`.

`errors` appears only on validation failures (400) and maps each field, or `non_field_errors`,
to its messages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def _as_drf(exc: Exception) -> Exception:
    """Turn model/service validation errors into DRF ones, keeping their per-field messages."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                (NON_FIELD if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {NON_FIELD: exc.messages}
        return exceptions.ValidationError(detail)
    # Django's own messages may name models or internals: use the generic ones.
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _first_code(codes: Any) -> str:
    while isinstance(codes, dict | list):
        if not codes:
            return "invalid"
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Let DRF build the response (status, headers such as Retry-After), then reshape its body."""
    exc = _as_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
        response.data = {
            "detail": _("Invalid input."),
            "code": _first_code(exc.get_codes()) if isinstance(exc.detail, list) else "invalid",
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        response.data = {"detail": str(exc.detail), "code": _first_code(exc.get_codes())}
    return response


@csrf_exempt  # changes nothing; a POST to an unknown path is a 404, not a CSRF failure page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Answer unknown /api/ paths in the API's own shape instead of the HTML 404 page."""
    return JsonResponse(
        {"detail": _("Not found."), "code": "not_found"}, status=status.HTTP_404_NOT_FOUND
    )
