"""Compile the translations: locale/*/LC_MESSAGES/*.po to .mo, then the ES modules' catalogs.

Run by `make assets` before the static build (docs/translating.md):
- each .po under LOCALE_PATHS becomes its .mo beside it, with polib (pure Python: no gettext on the
  machine that runs Classmeet; CI checks the catalogs with msgfmt, tests/test_translations.py);
- for each language but the default one, build/static/i18n/catalog.<lang>.js: what Django's
  JavaScriptCatalog view answers for the djangojs domain with that language active, written once
  here instead of rendered on every request. base.html loads it with a classic script before the
  modules (core/js/i18n.js reads it as globalThis.django); English pages load none.
"""

from pathlib import Path
from typing import Any, cast

import polib  # type: ignore[import-untyped]
from django.conf import settings
from django.core.management.base import BaseCommand
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation
from django.views.i18n import JavaScriptCatalog

# Where the static pipeline picks it up (STATICFILES_DIRS), hashed like every other asset.
CATALOG_DIR = Path(settings.BASE_DIR) / "build" / "static" / "i18n"


def compile_messages() -> list[Path]:
    """Write every .po's .mo (only the translated, non-fuzzy messages, as msgfmt does)."""
    written = []
    for locale_path in settings.LOCALE_PATHS:
        for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written


def javascript_catalog(language: str) -> str:
    """The djangojs catalog of one language, as Django's JavaScriptCatalog view renders it."""
    view = JavaScriptCatalog.as_view(domain="djangojs", packages=["classmeet.core"])
    with translation.override(language):
        response = cast(HttpResponse, view(RequestFactory().get("/")))
    return response.content.decode()


def build_javascript_catalogs(out: Path = CATALOG_DIR) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for language, _name in settings.LANGUAGES:
        if language == settings.LANGUAGE_CODE:
            continue
        path = out / f"catalog.{language}.js"
        path.write_text(javascript_catalog(language), encoding="utf-8")
        written.append(path)
    return written


class Command(BaseCommand):
    help = "Compile locale/*.po to .mo (polib) and write the ES modules' catalogs."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = compile_messages()
        catalogs = build_javascript_catalogs()
        if options["verbosity"] > 0:
            self.stdout.write(
                f"{len(compiled)} catalogs compiled, {len(catalogs)} for the ES modules"
            )
