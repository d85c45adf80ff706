"""Static files storage: whitenoise's compressed manifest storage, each file's URL kept.

Every page's layout has seven `{% static %}` tags, and each asked the storage again (the
manifest lookup, URL quoting and joining). The same name gives the same URL as long as the
storage lives: the manifest is read once when the storage is made, and a settings change that
could alter a URL (STORAGES, STATIC_URL, STATIC_ROOT) makes a new storage. DEBUG (unhashed names)
is part of the key; a name the storage refuses (ValueError, not in the manifest) is not kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.storage import (
    CompressedManifestStaticFilesStorage as WhiteNoiseCompressedManifestStaticFilesStorage,
)


class CachedURLMixin:
    """A static storage whose `url()` answers each name once from the storage's own table."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str, force: bool = False) -> str:
        key = (name, force, settings.DEBUG)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = super().url(name, force=force)  # type: ignore[misc]
        return url


class CompressedManifestStaticFilesStorage(
    CachedURLMixin,
    WhiteNoiseCompressedManifestStaticFilesStorage,  # type: ignore[misc]
):
    pass
