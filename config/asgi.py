"""ASGI entry point: Django for HTTP, Channels for the WebSocket routes."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup(set_prefix=False)  # what get_asgi_application() does, with our handler below

from classmeet.core.asgi import SyncChainASGIHandler  # noqa: E402

# Pages and the API: the middleware chain and the view in one thread hop (see the module).
django_asgi_app = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from classmeet.core.lifespan import lifespan  # noqa: E402
from classmeet.core.websocket import ClientGoneMiddleware, SocketLanguageMiddleware  # noqa: E402
from classmeet.notifications.routing import websocket_urlpatterns as notification_ws  # noqa: E402
from classmeet.rooms.routing import websocket_urlpatterns as room_ws  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "lifespan": lifespan,  # server startup: see classmeet/core/lifespan.py
        # A send after the client closed is dropped: a normal disconnect, not an error. Each
        # socket speaks its user's language (profile, else Accept-Language).
        "websocket": ClientGoneMiddleware(
            AllowedHostsOriginValidator(
                AuthMiddlewareStack(
                    SocketLanguageMiddleware(URLRouter([*room_ws, *notification_ws]))
                )
            )
        ),
    }
)
