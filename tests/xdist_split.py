"""`make test` on three pytest-xdist workers: the browser tests on one, the rest on the others.

The browser tests (real Chromium, Janus, coturn, media in real time) are half the suite's time and
must run one at a time, after any async test of their process (see conftest.py): worker gw0 runs
all of them, in the collection's order, and nothing else. The other workers take the remaining
tests a module at a time, each the next module as it finishes the last (many of those tests wait on
real servers and Celery workers more than they compute, so two share the second core well). Tests
that share a fixed resource form one unit: those with real Celery workers use one Redis broker
database. Each worker has its own test database (pytest-django), Redis database and media folder
(config/settings/test.py).

The controller collects nothing: the workers tell it which tests are browser tests, and which form
a unit, through a file named after the controller's process.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SPLIT_DIR = Path(__file__).resolve().parent.parent / "var" / "xdist"
BROWSER = "(browser tests)"
# Fixtures whose tests must not run at the same time on two workers: the unit they form.
SHARED_FIXTURES = {"celery_processes": "(real Celery workers: one broker database)"}


def _units_path(controller_pid: int) -> Path:
    return SPLIT_DIR / f"units-{controller_pid}.json"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In a worker, after conftest.py marked the browser tests `e2e` (and put them last): leave
    the tests that form units where the controller (this worker's parent process) reads them."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    units: dict[str, str] = {}
    for item in items:
        if item.get_closest_marker("e2e"):
            units[item.nodeid] = BROWSER
            continue
        names = set(getattr(item, "fixturenames", ())) & SHARED_FIXTURES.keys()
        if names:
            units[item.nodeid] = SHARED_FIXTURES[min(names)]
    SPLIT_DIR.mkdir(parents=True, exist_ok=True)
    path = _units_path(os.getppid())
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(units))
    partial.replace(path)  # whole or absent: the other workers may be writing the same map


def _scheduler_class() -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class SplitScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """xdist's scope scheduling (a unit at a time per worker, the next when it finishes) with
        the browser tests as one unit that only gw0 runs, and gw0 running nothing else."""

        units: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.units is None:
                path = _units_path(os.getpid())
                self.units = json.loads(path.read_text()) if path.exists() else {}
                path.unlink(missing_ok=True)
            return self.units.get(nodeid) or nodeid.split("::", 1)[0]

        def _mine(self, node: Any, scope: str) -> bool:
            if len(self.nodes) == 1 or BROWSER not in self._all_scopes():
                return True
            browser_node = min(self.nodes, key=lambda n: n.gateway.id)
            return (scope == BROWSER) == (node is browser_node)

        def _all_scopes(self) -> set[str]:
            if not hasattr(self, "_scopes"):
                self._scopes = {self._split_scope(nodeid) for nodeid in self.collection or ()}
            return self._scopes

        def _assign_work_unit(self, node: Any) -> None:
            scope = next((s for s in self.workqueue if self._mine(node, s)), None)
            if scope is None:
                if not node.shutting_down:
                    node.shutdown()  # it finishes what it has, then ends
                return
            work_unit = self.workqueue.pop(scope)
            self.assigned_work.setdefault(node, {})[scope] = work_unit
            collection = self.registered_collections[node]
            node.send_runtest_some(
                [collection.index(nodeid) for nodeid, done in work_unit.items() if not done]
            )

        def _reschedule(self, node: Any) -> None:
            if node.shutting_down:
                return
            if not any(self._mine(node, s) for s in self.workqueue):
                node.shutdown()
                return
            if self._pending_of(self.assigned_work.get(node, {})) > 2:
                return
            self._assign_work_unit(node)

    return SplitScheduling


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`-n N` (xdist's default `--dist load`) splits as above; other `--dist` modes are xdist's."""
    if config.getvalue("dist") != "load":
        return None
    return _scheduler_class()(config, log)
