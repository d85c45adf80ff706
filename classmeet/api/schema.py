"""OpenAPI generation: every operation documents the shared error body for the codes it can give."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every API error (see classmeet.api.exceptions)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    # Only ever rendered into the schema, so shadowing Serializer.errors is harmless.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.JSONField(),
        required=False,
        help_text="Validation errors only: field name (or non_field_errors) to its messages.",
    )


# Any operation may fail these: no/invalid credentials, CSRF or role refusal, a hidden object or a
# page past the end, and the rate limit.
ALWAYS = ("401", "403", "404", "429")
WRITE_METHODS = {"POST", "PUT", "PATCH"}
DESCRIPTIONS = {
    "400": "Invalid input; `errors` maps each field to its messages.",
    "401": "No credentials, or an invalid or revoked token.",
    "403": "Not allowed for your role (or a missing CSRF token with session auth).",
    "404": "Missing, or hidden from you (the API doesn't tell the two apart).",
    "415": "Unsupported request content type.",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
}


class ApiAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        """Name nested serializers after their view: `CourseCreateApi.OutputSerializer` becomes
        `CourseCreateOutput`, so the components of different views never collide."""
        outer, _, inner = type(serializer).__qualname__.rpartition(".")
        if outer:
            return outer.removesuffix("Api") + inner.removesuffix("Serializer")
        name: str = super().get_serializer_name(serializer, direction)
        return name

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = list(ALWAYS)
        # drf-spectacular leaves these AutoSchema internals unannotated.
        if self.method in WRITE_METHODS or self._get_filter_parameters() or self._is_list_view():  # type: ignore[no-untyped-call]
            codes.append("400")
        if self.method in WRITE_METHODS:
            codes.append("415")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code]), code
                )
        return dict(sorted(responses.items()))
