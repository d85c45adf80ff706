"""Django's `static` template library, its `{% static %}` answering from a per-process table.

Loaded by `{% load static %}` (TEMPLATES' "libraries" maps the name here). Every page's layout has
seven `{% static %}` tags, and each asked the storage again (the manifest lookup, URL quoting
and joining): the same path always gives the same URL in a process, so it is worked out once.
The table is emptied whenever a setting changes (tests that override STORAGES, STATIC_URL or
DEBUG), and a path the storage refuses is never kept.
"""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.templatetags import static as django_static
from django.templatetags.static import StaticNode

register = django_static.register.__class__()
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)

_urls: dict[str, str] = {}


class CachedStaticNode(StaticNode):
    @classmethod
    def handle_simple(cls, path: str) -> str:
        url = _urls.get(path)
        if url is None:
            url = _urls[path] = super().handle_simple(path)
        return url


def _clear(**kwargs: Any) -> None:
    _urls.clear()


setting_changed.connect(_clear, dispatch_uid="classmeet-static-urls")


@register.tag("static")
def do_static(parser: Any, token: Any) -> StaticNode:
    """`{% static "path" [as name] %}`, as Django's (its output too)."""
    return CachedStaticNode.handle_token(parser, token)


def static(path: str) -> str:
    return CachedStaticNode.handle_simple(path)
