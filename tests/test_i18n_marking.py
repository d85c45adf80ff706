"""The ES modules' text for users is marked for translation (the djangojs catalog).

tests/i18n_marking.mjs reads each module's syntax tree (espree, from ESLint) and lists string
literals written into the page (textContent, title, aria-label, placeholder, confirm/alert,
append…) outside gettext/ngettext/pgettext, and gettext calls whose arguments are not literals
(xgettext extracts only literals). Text the server rendered (data-* attributes, frames) is not a
literal, so it passes.
"""

import json
import posixpath
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "tests" / "i18n_marking.mjs"
I18N = "core/js/i18n.js"  # the static path of the gettext module
MODULES = sorted(
    path
    for path in ROOT.glob("classmeet/*/static/*/js/*.js")
    if path.relative_to(ROOT).as_posix() != f"classmeet/core/static/{I18N}"
)
# (file under classmeet/, literal) pairs that are not text for users although a sink gets them.
ALLOWED: set[tuple[str, str]] = set()


def _check(*paths: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the ES modules' checks (npm ci installs the rest)")
    result = subprocess.run(
        [node, str(CHECKER), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    problems: list[dict[str, Any]] = json.loads(result.stdout)
    return problems


def test_the_modules_are_found():
    assert len(MODULES) >= 25
    assert ROOT / "classmeet/rooms/static/rooms/js/main.js" in MODULES


def test_es_modules_mark_their_text():
    problems = [
        p
        for p in _check(*MODULES)
        if (Path(p["file"]).as_posix().split("classmeet/", 1)[-1], p["text"]) not in ALLOWED
    ]
    listing = "\n".join(f"{p['file']}:{p['line']}: {p['kind']} {p['text']!r}" for p in problems)
    assert not problems, (
        "Text for users must go through gettext/ngettext (import them from "
        f"{I18N}), with literal arguments:\n{listing}"
    )


def test_es_modules_import_the_gettext_module_by_its_static_url():
    """Modules are served from /static/<app>/js/: a relative import must land on core/js/i18n.js
    there (the room's bundle resolves imports the same way, scripts/bundle_room.mjs)."""
    wrong = []
    for path in MODULES:
        static_path = path.relative_to(ROOT).as_posix().split("/static/", 1)[1]
        for specifier in re.findall(r"""from\s+["']([^"']*i18n\.js)["']""", path.read_text()):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(static_path), specifier))
            if target != I18N:
                wrong.append(f"{static_path}: {specifier} -> {target}")
    assert not wrong


UNMARKED = [
    ('el.textContent = "Hello";', [("textContent", "Hello")]),
    ('el.title = on ? "Stop" : gettext("Start");', [("title", "Stop")]),
    ('b.setAttribute("aria-label", x || "Close");', [("aria-label", "Close")]),
    ("if (!window.confirm(`Remove ${name}?`)) stop();", [("confirm", "`Remove ${name}?`")]),
    ('box.append(document.createElement("br"), `Total: ${n}`);', [("append", "`Total: ${n}`")]),
    ('input.placeholder = "Write " + name;', [("placeholder", "Write ")]),
    ('showError(form, "The file is too large.");', [("showError", "The file is too large.")]),
    ('el.textContent = interpolate("%(n)s left", { n });', [("textContent", "%(n)s left")]),
    ("el.textContent = gettext(key);", [("not-literal", "gettext")]),
]
MARKED_OR_NOT_TEXT = [
    'el.textContent = gettext("Hello");',
    'el.textContent = interpolate(gettext("%(n)s left"), { n });',
    'el.textContent = ngettext("%(n)s vote", "%(n)s votes", n);',
    'el.textContent = pgettext("file size", "KB");',
    'el.textContent = label("labelMute");',  # text the server rendered, by its key
    'el.textContent = box.dataset.labelLeft ?? "";',
    'el.textContent = n > 99 ? "99+" : String(n);',
    "el.textContent = `${a} ${b}%`;",
    'el.className = "bi bi-check";',
    'el.setAttribute("aria-pressed", on ? "true" : "false");',
    'el.append(document.createElement("br"));',
    'showNotice(text, "danger");',
    'console.warn("classmeet: device switch failed", err);',
]


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, list[tuple[str, str]]]:
    """Every sample below, checked in one run of the checker: source -> [(kind, text)]."""
    folder = tmp_path_factory.mktemp("i18n-samples")
    sources = [source for source, _expected in UNMARKED] + MARKED_OR_NOT_TEXT
    paths = {}
    for index, source in enumerate(sources):
        paths[str(folder / f"sample{index}.js")] = source
        (folder / f"sample{index}.js").write_text(source)
    found: dict[str, list[tuple[str, str]]] = {source: [] for source in sources}
    for problem in _check(*map(Path, paths)):
        found[paths[problem["file"]]].append((problem["kind"], problem["text"]))
    return found


@pytest.mark.parametrize(("source", "expected"), UNMARKED)
def test_the_check_finds_unmarked_text(samples, source, expected):
    assert samples[source] == expected


@pytest.mark.parametrize("source", MARKED_OR_NOT_TEXT)
def test_the_check_passes_marked_and_non_text_strings(samples, source):
    assert samples[source] == []
