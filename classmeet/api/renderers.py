"""Renderers for the few endpoints that answer something other than JSON."""

import json
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's type in Accept; the view returns the bytes itself.
    Errors still go out as the API's JSON error body."""

    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


class ICalendarRenderer(_FileRenderer):
    media_type = "text/calendar"
    format = "ics"


class AnyFileRenderer(_FileRenderer):
    """A stored file keeps its own checked type (application/pdf, image/png...)."""

    media_type = "*/*"
    format = "file"
