"""Real Celery beat and workers on Redis and PostgreSQL, for the exactly-once reminder tests
(meetings and coursework). Loaded for the whole suite by the root conftest (`pytest_plugins`).

The subprocesses run the production code path (beat's DatabaseScheduler queues the scans from
CELERY_BEAT_SCHEDULE, a worker runs them) against pytest's test database. A test module may set
`CELERY_ENV` (a dict) for the processes' extra environment, e.g. shorter reminder offsets.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from tests.support import require_service

BROKER_DB = 13  # a Redis database of its own: no other test's keys
NOTIFICATIONS_TABLE = "notifications_notification"


@pytest.fixture
def postgres_test_db() -> dict[str, Any]:
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL (DATABASE_URL=postgres://...)",
        required="The Celery reminder tests need DATABASE_URL=postgres://...",
    )
    return connection.settings_dict


def broker_url(redis_url: str) -> str:
    parsed = urlparse(redis_url)
    return urlunparse(parsed._replace(path=f"/{BROKER_DB}"))


def database_url(db: dict[str, Any]) -> str:
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class CeleryProcesses:
    """Start and stop real `celery worker` / `celery beat` processes for one test."""

    def __init__(self, *, env: dict[str, str], logdir: Path):
        self.env = env
        self.logdir = logdir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def _start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logdir / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "config", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 reaches every child
        )
        self.procs[name] = proc
        return proc

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self._start(
            name,
            [
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
            ],
        )

    def beat(self) -> subprocess.Popen[bytes]:
        return self._start(
            "beat",
            [
                "beat",
                "--loglevel=INFO",
                f"--pidfile={self.logdir / 'beat.pid'}",
                f"--schedule={self.logdir / 'beat-schedule'}",
            ],
        )

    def wait_ready(self, *names: str, timeout: float = 60) -> None:
        """Wait until the workers are consuming and beat has queued its first scan."""
        deadline = time.monotonic() + timeout
        for name in names:
            marker = "Sending due task" if name == "beat" else " ready."
            log = self.logdir / f"{name}.log"
            while marker not in log.read_text(errors="replace"):
                if time.monotonic() > deadline or self.procs[name].poll() is not None:
                    pytest.fail(f"{name} did not start\n{self.logs()}")
                time.sleep(0.2)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.logdir.glob("*.log"))
        )


@pytest.fixture
def celery_processes(
    request: pytest.FixtureRequest,
    transactional_db: None,
    postgres_test_db: dict[str, Any],
    redis_url: str,
    tmp_path: Path,
) -> Iterator[CeleryProcesses]:
    broker = broker_url(redis_url)
    redis.Redis.from_url(broker).flushdb()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(postgres_test_db),
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": "",
        "CLASSMEET_REMINDER_SCAN_SECONDS": "1",
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
        **getattr(request.module, "CELERY_ENV", {}),
    }
    procs = CeleryProcesses(env=env, logdir=tmp_path)
    yield procs
    procs.stop_all()
    redis.Redis.from_url(broker).flushdb()


@pytest.fixture
def sender(redis_url: str) -> Iterator[Callable[[str], object]]:
    """A bare Celery client on the same broker, to queue extra scans next to beat's."""
    app = Celery("reminder-test", broker=broker_url(redis_url))
    yield lambda task: app.send_task(task, expires=5)
    app.close()


class TableLock:
    """Holds the notifications table so scanners stop mid-scan (after claiming, before sending)."""

    def __init__(self, conn: psycopg.Connection[Any]):
        self.conn = conn

    def acquire(self) -> None:
        self.conn.execute(f"LOCK TABLE {NOTIFICATIONS_TABLE} IN EXCLUSIVE MODE")

    def release(self) -> None:
        self.conn.commit()

    def waiting_backends(self) -> int:
        row = self.conn.execute(
            "SELECT count(DISTINCT l.pid) FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database() "
            "AND l.pid <> pg_backend_pid()"
        ).fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture
def table_lock(postgres_test_db: dict[str, Any]) -> Iterator[TableLock]:
    conn = psycopg.connect(database_url(postgres_test_db))
    yield TableLock(conn)
    conn.rollback()
    conn.close()


def wait_for(
    predicate: Callable[[], object], *, timeout: float, procs: CeleryProcesses, what: str
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n{procs.logs()}")


def start(procs: CeleryProcesses, *workers: str) -> None:
    """Start the workers and beat; return once they consume and beat has queued a scan."""
    for name in workers:
        procs.worker(name)
    procs.beat()
    procs.wait_ready(*workers, "beat")


def stop_two_scanners_at_once(
    table_lock: TableLock, send: Callable[[], object], *, timeout: float
) -> int:
    """Queue scans until two workers stop inside the same one (one holds the claim and waits for
    the locked table, the other waits for the first one's lock), then release the table.

    Return how many were waiting. Usually 2; in a fresh CI clone they did not always overlap
    within the time, and exactly-once must hold either way.
    """
    deadline = time.monotonic() + timeout
    while table_lock.waiting_backends() < 2 and time.monotonic() < deadline:
        send()
        time.sleep(0.5)
    waiting = table_lock.waiting_backends()
    table_lock.release()
    print(f"scanners waiting at once: {waiting}")  # noqa: T201
    return waiting


def kill_worker_mid_scan(
    procs: CeleryProcesses,
    table_lock: TableLock,
    *,
    claimed: Callable[[], bool],
    timeout: float,
) -> None:
    """Wait until worker w1 has claimed a reminder and waits for the locked table, kill -9 it
    there, release the table and start a new worker (w1b) to redo the scan."""
    wait_for(
        lambda: table_lock.waiting_backends() >= 1, timeout=timeout, procs=procs, what="a scan"
    )
    # Mid-scan: the claim is written but not committed, so nobody else sees it yet.
    assert not claimed()
    procs.kill("w1")
    table_lock.release()
    procs.worker("w1b")
