"""The dependency tree: every app imports only the apps below it, and core imports none.

Read with `ast` from every module of classmeet/ (migrations and tests aside), including imports
made inside functions or under TYPE_CHECKING: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

CLASSMEET = Path(__file__).resolve().parent.parent / "classmeet"

# The apps, lowest first: an app may import only the apps listed before it.
LAYERS = (
    "core",  # primitives (middleware, logging, cache, base forms, error pages): imports no app
    "accounts",  # users, sign-in, profiles
    "courses",  # courses, enrollments, materials; announces enrollments with courses.signals
    "notifications",  # a course-scoped inbox: knows courses, nothing of its senders above
    "discussions",  # a course's questions and answers; notifies through notifications
    "meetings",  # the schedule and the class record; knows nothing of the live room
    "coursework",  # assignments, quizzes, the gradebook; reads meetings for live-class grades
    "rooms",  # the live transport: consumers, protocol, presence, sfu/; offers rooms.hooks
    "recordings",  # records a live room through rooms.hooks and rooms.sfu
    "api",  # REST on top of the same services, selectors and access rules
    "dashboard",  # gathers courses, meetings and notifications on one page
    "demo",  # seed_demo: the one module that may import every app
)
# Every permission rule: any app but core may ask it (outside CALLER_DECIDES below), and it reads
# only the domain apps' models and selectors (never a service, view or transport), so it sits
# beside the ladder.
ACCESS = "access"
ACCESS_READS = frozenset({"models", "selectors"})
ACCESS_DOMAIN = frozenset(LAYERS[1 : LAYERS.index("coursework") + 1]) | {"recordings"}
# What access reads may not ask it back: models, selectors and services (modules or packages of
# these names, in any app) take the caller's decision, made by a view, API view, template tag,
# form, consumer or task. Which rows a user may see is a selector's filter (course_visible_q).
CALLER_DECIDES = frozenset({"models", "selectors", "services"})


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        where = self.path.relative_to(CLASSMEET.parent) if self.path.is_absolute() else self.path
        return f"{where}:{self.line}: {self.importer} -> {self.imported}"


def _apps() -> set[str]:
    return {p.name for p in CLASSMEET.iterdir() if (p / "apps.py").exists()} | {ACCESS}


def _modules() -> list[Path]:
    return sorted(
        path
        for path in CLASSMEET.rglob("*.py")
        if not {"migrations", "tests"} & set(path.relative_to(CLASSMEET).parts)
    )


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Return (line, dotted name) for each import; `from a import b` gives `a.b`."""
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            names += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return names


def _allowed(importer: str, kind: str, target: list[str]) -> bool:
    """Whether module `kind` (e.g. "views") of app `importer` may import `classmeet.<target...>`."""
    app = target[0]
    if app == ACCESS:
        return importer != "core" and kind not in CALLER_DECIDES
    if importer == ACCESS:
        return app == "core" or (
            app in ACCESS_DOMAIN and len(target) > 1 and target[1] in ACCESS_READS
        )
    if importer not in LAYERS or app not in LAYERS:
        return False
    return LAYERS.index(app) < LAYERS.index(importer)


def violations_in(path: Path, source: str) -> list[Violation]:
    """Return the imports of one module of classmeet/ that break the layers."""
    parts = path.relative_to(CLASSMEET).with_suffix("").parts
    if len(parts) < 2:  # classmeet/__init__.py belongs to no app
        return []
    importer = parts[0]
    is_package = path.name == "__init__.py"
    # A package is named without its __init__, so its relative imports resolve from it.
    module = ".".join(("classmeet", *(parts[:-1] if is_package else parts)))
    found = []
    apps = _apps()
    for line, name in _imported_names(ast.parse(source), module, is_package):
        target = name.split(".")[1:] if name.startswith("classmeet.") else []
        if not target or target[0] == importer or target[0] not in apps:
            continue
        if not _allowed(importer, parts[1], target):
            found.append(Violation(path, line, importer, ".".join(("classmeet", *target))))
    return found


def test_every_app_has_a_place_in_the_layers() -> None:
    assert _apps() - {ACCESS} == set(LAYERS), "add the new app to LAYERS, where it belongs"


def test_every_app_imports_only_the_apps_below_it() -> None:
    found = [v for path in _modules() for v in violations_in(path, path.read_text())]
    assert not found, "imports against the layers (importer -> imported):\n" + "\n".join(
        str(v) for v in found
    )


def test_a_lower_app_importing_a_higher_one_is_caught() -> None:
    source = (
        "from classmeet.rooms.services import events\n"
        "def f():\n"
        "    from ..rooms import protocol\n"
        "from classmeet.courses.models import Course\n"
    )
    found = violations_in(CLASSMEET / "meetings" / "views.py", source)
    assert [(v.line, v.imported) for v in found] == [
        (1, "classmeet.rooms.services.events"),
        (3, "classmeet.rooms.protocol"),
    ]
    assert (
        str(found[0])
        == "classmeet/meetings/views.py:1: meetings -> classmeet.rooms.services.events"
    )


def test_core_may_not_even_ask_access() -> None:
    found = violations_in(CLASSMEET / "core" / "views.py", "from classmeet import access\n")
    assert [v.imported for v in found] == ["classmeet.access"]


def test_access_reads_models_and_selectors_only() -> None:
    source = (
        "from classmeet.courses.models import Course\n"
        "from classmeet.accounts.selectors import user_get\n"
        "from classmeet.courses.services import course_create\n"
        "from classmeet.rooms.models import RoomRemoval\n"
    )
    found = violations_in(CLASSMEET / "access" / "courses.py", source)
    assert [v.line for v in found] == [3, 4]


def test_models_selectors_and_services_do_not_ask_access() -> None:
    for module in ("meetings/selectors.py", "recordings/services/capture.py", "courses/models.py"):
        found = violations_in(CLASSMEET / module, "from classmeet import access\n")
        assert [v.imported for v in found] == ["classmeet.access"], module
    source = "def f():\n    from ...access.meetings import can_view_meeting\n"
    found = violations_in(CLASSMEET / "recordings" / "selectors" / "__init__.py", source)
    assert [(v.line, v.imported) for v in found] == [
        (2, "classmeet.access.meetings.can_view_meeting")
    ]
    for module in ("meetings/views.py", "recordings/templatetags/recordings.py", "rooms/tasks.py"):
        assert violations_in(CLASSMEET / module, "from classmeet import access\n") == [], module
