"""Text made for one person outside their request (e-mails, reminders, notifications, feeds,
sockets): in their profile's language and time zone.

Out of a request the browser is unknown, so an empty profile language means the site's
(settings.LANGUAGE_CODE) and an empty zone the default one (core.times.zone_for_user).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation.trans_real import parse_accept_lang_header

from classmeet.core.times import zone_for_user

# A text for many readers: a string (the same for all) or a function called once per language
# with that language active, e.g. `lambda: _("New quiz in %(course)s") % {"course": title}`.
Text = str | Callable[[], str]


def site_languages() -> list[str]:
    """Return the codes of settings.LANGUAGES, the site's default first."""
    codes = [code for code, _name in settings.LANGUAGES]
    return sorted(codes, key=lambda code: code != settings.LANGUAGE_CODE)


def supported_language(code: str) -> str | None:
    """Return the site's language for `code` ("fr-CA" gives "fr"), or None if it has none."""
    if not code or len(code) > 32:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_for(user: object) -> str:
    """Return the language of text made for `user` out of a request: their profile's, else the
    site's default (anonymous users and empty or retired choices included)."""
    return supported_language(getattr(user, "language", "") or "") or settings.LANGUAGE_CODE


def language_from_accept(header: str) -> str | None:
    """Return the site's language the Accept-Language header prefers, or None if none fits."""
    for code, _quality in parse_accept_lang_header(header[:1000]):
        if code == "*":
            break
        language = supported_language(code)
        if language is not None:
            return language
    return None


def language_for_scope(scope: Mapping[str, object]) -> str:
    """Return the language of a socket's text: the signed-in user's profile language, else the
    browser's Accept-Language, else the site's default."""
    user = scope.get("user")
    chosen = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
    if language := supported_language(chosen or ""):
        return language
    headers = scope.get("headers") or ()
    for name, value in headers:  # type: ignore[attr-defined]
        if name == b"accept-language":
            language = language_from_accept(value.decode("latin-1"))
            if language is not None:
                return language
    return settings.LANGUAGE_CODE


@contextmanager
def recipient_locale(user: object) -> Iterator[None]:
    """Render text for `user`: their language and time zone active within the block."""
    with translation.override(language_for(user)), timezone.override(zone_for_user(user)):
        yield


def in_each_language(text: Text, languages: Sequence[str] | None = None) -> dict[str, str]:
    """Return `text` rendered in each language (default: every site language), by code."""
    codes = site_languages() if languages is None else list(languages)
    if isinstance(text, str):
        return dict.fromkeys(codes, text)
    rendered = {}
    for code in codes:
        with translation.override(code):
            rendered[code] = text()
    return rendered
