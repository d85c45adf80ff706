"""config/asgi.py's HTTP side with Django's own ASGIHandler, for before/after runs of
bench/request_path.py (production serves pages through classmeet.core.asgi)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
application = get_asgi_application()
