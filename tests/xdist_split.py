"""`make test` on two pytest-xdist workers: the browser tests on one, everything else on the other.

The browser tests (real Chromium, Janus, coturn, media in real time) are half the suite's time and
must run one at a time, after any async test of their process (see conftest.py); the rest is
database and CPU work. So worker gw0 gets every browser test, in the collection's order, and the
others share the rest whole modules at a time (a module's tests may share a Redis database or a
broker of their own). Each worker has its own test database (pytest-django), Redis database and
media folder (config/settings/test.py).

The controller collects nothing: the workers tell it which tests are browser tests through a file
named after the controller's process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

SPLIT_DIR = Path(__file__).resolve().parent.parent / "var" / "xdist"


def browser_ids_path(controller_pid: int) -> Path:
    return SPLIT_DIR / f"browser-tests-{controller_pid}.json"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In a worker, after conftest.py marked the browser tests `e2e` (and put them last): leave
    their ids where the controller (this worker's parent process) reads them."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    SPLIT_DIR.mkdir(parents=True, exist_ok=True)
    path = browser_ids_path(os.getppid())
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps([i.nodeid for i in items if i.get_closest_marker("e2e")]))
    partial.replace(path)  # whole or absent: the other worker may be writing the same list


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def shares(collection: Sequence[str], browser: set[str], workers: int) -> list[list[int]]:
    """Indexes of the collection per worker: browser tests to the first, modules to the others."""
    if workers == 1:
        return [list(range(len(collection)))]
    result: list[list[int]] = [[] for _ in range(workers)]
    modules: dict[str, int] = {}
    for index, nodeid in enumerate(collection):
        if nodeid in browser:
            result[0].append(index)
        else:
            worker = modules.setdefault(_module(nodeid), 1 + len(modules) % (workers - 1))
            result[worker].append(index)
    return result


def _scheduler_class() -> Any:
    from xdist.scheduler import EachScheduling

    class SplitScheduling(EachScheduling):  # type: ignore[misc]
        """EachScheduling's bookkeeping, but each worker runs only its share (see `shares`)."""

        def schedule(self) -> None:
            assert self.collection_is_completed
            nodes = sorted(self.node2pending, key=lambda node: node.gateway.id)
            collection = self.node2collection[nodes[0]]
            for node in nodes[1:]:
                if self.node2collection[node] != collection:
                    raise pytest.UsageError("xdist workers collected different tests")
            path = browser_ids_path(os.getpid())
            browser = set(json.loads(path.read_text())) if path.exists() else set()
            path.unlink(missing_ok=True)
            for node, share in zip(nodes, shares(collection, browser, len(nodes)), strict=True):
                if node in self._started:
                    continue
                self.node2pending[node][:] = share
                if share:
                    node.send_runtest_some(share)
                node.shutdown()
                self._started.append(node)

    return SplitScheduling


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`-n N` (xdist's default `--dist load`) splits as above; other `--dist` modes are xdist's."""
    if config.getvalue("dist") != "load":
        return None
    return _scheduler_class()(config, log)
