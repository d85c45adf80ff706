"""Links to pages of another part of coursework that may not be routed yet (a quiz's page of one
student, a submitted file): a page leaves such a link out rather than fail."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import NoReverseMatch

from classmeet.core.links import id_url_for


def optional_id_url(name: str, kwarg: str, **fixed: int) -> Callable[[int], str] | None:
    """`core.links.id_url_for`, or None when no such route exists."""
    try:
        return id_url_for(name, kwarg, **fixed)
    except NoReverseMatch:
        return None
