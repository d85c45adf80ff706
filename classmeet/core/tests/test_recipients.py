"""The language and zone of text made for one person outside their request."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone, translation

from classmeet.core.recipients import (
    in_each_language,
    language_for,
    language_for_scope,
    language_from_accept,
    recipient_locale,
)


@pytest.mark.parametrize(
    ("chosen", "language"), [("fr", "fr"), ("es", "es"), ("", "en"), ("xx", "en"), ("fr-ca", "fr")]
)
def test_language_for_is_the_profiles_else_the_sites(chosen, language):
    assert language_for(SimpleNamespace(language=chosen)) == language
    assert language_for(None) == "en"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("es-ES,es;q=0.9,en;q=0.5", "es"),
        ("de, ar;q=0.5", "ar"),
        ("de, *;q=0.1", None),
        ("", None),
        ("x" * 5000, None),
    ],
)
def test_language_from_accept(header, language):
    assert language_from_accept(header) == language


def _scope(
    language: str, header: bytes | None = None, authenticated: bool = True
) -> dict[str, Any]:
    user = SimpleNamespace(language=language, is_authenticated=authenticated)
    headers = [(b"host", b"x")] + ([(b"accept-language", header)] if header else [])
    return {"user": user, "headers": headers}


def test_language_for_scope_prefers_the_profile_then_the_browser():
    assert language_for_scope(_scope("fr", b"es")) == "fr"
    assert language_for_scope(_scope("", b"es-MX")) == "es"
    assert language_for_scope(_scope("fr", b"es", authenticated=False)) == "es"
    assert language_for_scope(_scope("", None)) == "en"
    assert language_for_scope({}) == "en"


def test_recipient_locale_sets_language_and_zone_for_the_block():
    user = SimpleNamespace(language="fr", timezone="Asia/Kolkata")
    with translation.override("es"), timezone.override("UTC"):
        with recipient_locale(user):
            assert translation.get_language() == "fr"
            assert timezone.get_current_timezone_name() == "Asia/Kolkata"
        assert translation.get_language() == "es"
        assert timezone.get_current_timezone_name() == "UTC"


def test_in_each_language_renders_a_function_once_per_language():
    assert in_each_language(lambda: translation.gettext("May")) == {
        "en": "May",
        "es": "mayo",
        "fr": "mai",
        "ar": "مايو",
    }
    assert in_each_language("Waves", ["en", "fr"]) == {"en": "Waves", "fr": "Waves"}
