"""Django's ASGI handler with the middleware chain built for sync code, entered in one hop.

Django's own handler builds the chain for async code: every middleware here is sync (or both),
so it runs the chain on the request's thread through `sync_to_async`, comes back to the event
loop for the bottom of the chain (axes' async half and `_get_response_async`), then goes to the
thread again for the view: three thread round trips per request. Built in sync mode, as for
WSGI, the chain (middleware, view, template rendering) runs in one call on that same thread.
The request's thread is the one Django would use (the request's ThreadSensitiveContext), so
thread-bound state (the database connection, the active time zone) is the same.
"""

from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        chain: Callable[[HttpRequest], HttpResponseBase] = getattr(self, "_middleware_chain")  # noqa: B009
        setattr(self, "_middleware_chain", sync_to_async(chain, thread_sensitive=True))  # noqa: B010
