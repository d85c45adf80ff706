"""The translation catalogs (locale/<lang>/LC_MESSAGES/*.po): complete, valid, placeholders kept;
and their build (manage.py build_catalogs: .mo with polib, the ES modules' catalogs).

msgfmt (Debian's gettext) checks them as translators' tools do; it is required in CI
(.ci/run installs it) and the check is skipped only on a machine without it outside CI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings

from classmeet.core.management.commands.build_catalogs import compile_messages, javascript_catalog
from tests.support import require_service

CATALOGS = sorted(
    path for root in settings.LOCALE_PATHS for path in Path(root).glob("*/LC_MESSAGES/*.po")
)
# msgfmt --statistics: "12 translated messages, 1 fuzzy translation, 3 untranslated messages."
STATISTICS = re.compile(r"^\d+ translated messages?\b.*\.$", re.M)
# %(name)s and %s (Python, Django templates, interpolate() in the ES modules), {name} (the room's
# data-label-* strings, filled in by the modules).
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")


def catalog_id(path: Path) -> str:
    return f"{path.parts[-3]}/{path.name}"


def test_there_are_catalogs_for_every_language_but_english():
    languages = {path.parts[-3] for path in CATALOGS}
    assert languages == {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_msgfmt_finds_no_error_and_every_message_translated(path: Path, tmp_path: Path):
    msgfmt = shutil.which("msgfmt") or ""
    require_service(
        bool(msgfmt),
        "msgfmt not installed (apt-get install gettext)",
        required="msgfmt is required in CI (Debian's gettext package)",
    )
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )
    report = result.stderr.strip()
    assert result.returncode == 0, f"msgfmt --check failed on {path}:\n{report}"
    match = STATISTICS.search(report)
    assert match, f"no statistics from msgfmt: {report}"
    statistics = match.group(0)
    assert "fuzzy" not in statistics, f"{catalog_id(path)}: {statistics}"
    assert "untranslated" not in statistics, f"{catalog_id(path)}: {statistics}"


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_the_header_is_final_and_names_the_plural_forms(path: Path):
    """msgfmt leaves out a fuzzy header, and with it Plural-Forms (Arabic has six)."""
    catalog = polib.pofile(str(path))
    assert not catalog.metadata_is_fuzzy, (
        f"{catalog_id(path)}: remove the '#, fuzzy' line above the header (msgid \"\")"
    )
    assert "nplurals=" in catalog.metadata.get("Plural-Forms", ""), catalog_id(path)


def placeholders(text: str) -> Counter[str]:
    return Counter(match.group(0) for match in PLACEHOLDER.finditer(text))


def placeholder_problems(entry: polib.POEntry) -> list[str]:
    """What a translation breaks: a placeholder of the English dropped, renamed or added.

    Singular messages keep exactly the msgid's placeholders. Plural forms never add one; the
    last form (the general one) keeps all of msgid_plural's, the others may leave out one
    (the number: Arabic's "one minute" and "two minutes" are words, without a %(count)s).
    """
    if not entry.msgid_plural:
        if entry.msgstr and placeholders(entry.msgstr) != placeholders(entry.msgid):
            return [f"{entry.msgid!r} -> {entry.msgstr!r}"]
        return []
    problems = []
    wanted = placeholders(entry.msgid_plural) | placeholders(entry.msgid)
    forms = sorted(entry.msgstr_plural.items())
    for index, text in forms:
        if not text:
            continue
        found = placeholders(text)
        added = found - wanted
        missing = wanted - found
        last = index == forms[-1][0]
        if added or (missing and (last or sum(missing.values()) > 1)):
            problems.append(f"{entry.msgid_plural!r} [{index}] -> {text!r}")
    return problems


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_translations_keep_the_placeholders(path: Path):
    problems = [
        problem
        for entry in polib.pofile(str(path))
        if not entry.obsolete
        for problem in placeholder_problems(entry)
    ]
    assert not problems, f"{catalog_id(path)}: placeholders changed in\n" + "\n".join(problems)


def test_placeholder_check_catches_dropped_and_renamed_ones():
    ok = polib.POEntry(msgid="Hi, %(name)s", msgstr="Hola, %(name)s")
    renamed = polib.POEntry(msgid="Hi, %(name)s", msgstr="Hola, %(nombre)s")
    dropped = polib.POEntry(msgid="Pin {name}", msgstr="Épingler")
    plural = polib.POEntry(
        msgid="%(minutes)s minute",
        msgid_plural="%(minutes)s minutes",
        msgstr_plural={0: "دقيقة", 1: "%(minutes)s دقيقتان", 2: "%(minutes)s دقائق"},
    )
    plural_last_dropped = polib.POEntry(
        msgid="%(minutes)s minute",
        msgid_plural="%(minutes)s minutes",
        msgstr_plural={0: "%(minutes)s minuto", 1: "minutos"},
    )
    assert placeholder_problems(ok) == []
    assert placeholder_problems(plural) == []
    assert placeholder_problems(renamed)
    assert placeholder_problems(dropped)
    assert placeholder_problems(plural_last_dropped)


def test_build_compiles_translated_messages_and_writes_the_js_catalog(tmp_path, settings):
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = polib.POFile()
    catalog.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    catalog.append(polib.POEntry(msgid="Mute", msgstr="Silenciar"))
    catalog.append(polib.POEntry(msgid="Leave", msgstr="Salir", flags=["fuzzy"]))
    catalog.append(
        polib.POEntry(
            msgid="%(count)s hand",
            msgid_plural="%(count)s hands",
            msgstr_plural={0: "%(count)s mano", 1: "%(count)s manos"},
        )
    )
    catalog.save(str(folder / "djangojs.po"))
    settings.LOCALE_PATHS = [tmp_path]
    assert compile_messages() == [folder / "djangojs.mo"]
    script = javascript_catalog("es")
    assert '"Mute": "Silenciar"' in script
    assert '"%(count)s mano"' in script
    assert "Salir" not in script, "a fuzzy translation is not used"
    assert "django.pluralidx = function(n)" in script or "pluralidx" in script
