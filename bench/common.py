"""Shared pieces of the benchmarks: Django setup on the benchmark database, signed-in sessions,
ASGI servers started as child processes, CPU time from /proc, tables, and docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support import free_port as free_port  # one helper for tests and benchmarks

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DOC = ROOT / "docs" / "benchmarks.md"
SETTINGS = "bench.settings"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/classmeet_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# Django ----------------------------------------------------------------------------------------


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def server_env(*, redis_url: str = "") -> dict[str, str]:
    """The environment of a benchmark server (and of this process's Django)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["BENCH_DATABASE_URL"] = database_url()
    if redis_url:
        env["REDIS_URL"] = redis_url
    env["PYTHONPATH"] = str(ROOT)
    return env


def create_database() -> None:
    """Create the PostgreSQL benchmark database if it does not exist yet."""
    url = database_url()
    if not url.startswith("postgres"):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            if not re.fullmatch(r"[a-z0-9_]+", name):
                raise SystemExit(f"refusing odd database name {name!r}")
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(*, redis_url: str = "", database: str = "") -> None:
    """Point this process at the benchmark settings and database, migrated.

    SIGTERM becomes SystemExit, so the servers a benchmark started are stopped on the way out.

    `database` names another PostgreSQL database than the default one (a benchmark that needs
    the table to itself, e.g. the reminder scan).
    """
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # BENCH_NICE=-10 on a machine shared with other work: the benchmark and the servers it starts
    # (they inherit it) get the CPU first. PostgreSQL and Redis keep their own priority.
    nice = int(os.environ.get("BENCH_NICE", "0"))
    if nice:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    if database and database_url().startswith("postgres"):
        os.environ["BENCH_DATABASE_URL"] = database_url().rpartition("/")[0] + "/" + database
    os.environ.update(server_env(redis_url=redis_url))
    if not redis_url:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        collect_static()


def collect_static() -> float:
    """Run collectstatic with the production storage; return the seconds it took."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    return time.perf_counter() - started


def session_key_for(user: Any) -> str:
    """A signed-in session for `user`, as the sign-in view would store it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "classmeet.accounts.backends.UserBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


# Processes and CPU ---------------------------------------------------------------------------


def raise_open_files_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process, from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    # The command name (field 2) may hold spaces; the fields after its closing paren are fixed.
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def descendants(pid: int) -> list[int]:
    """The pid and every process below it (for servers started with --workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(text[text.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def self_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def redis_pid(redis_url: str) -> int | None:
    """The Redis server's pid, if it runs on this machine (its CPU is part of the Redis layer)."""
    try:
        import redis

        info = redis.Redis.from_url(redis_url).info("server")
        pid = int(info["process_id"])
    except Exception:
        return None
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def wait_for_port(port: int, *, timeout: float = 180, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


@dataclass
class Server:
    """One server command running as a child process on `port`."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    log: Path = field(default_factory=lambda: ROOT / "var" / "bench" / "server.log")

    def start(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        wait_for_port(self.port, proc=self.proc)
        return self

    @property
    def pids(self) -> list[int]:
        assert self.proc is not None
        return descendants(self.proc.pid)

    def cpu_seconds(self) -> float:
        return sum(proc_cpu_seconds(pid) for pid in self.pids)

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def uvicorn(port: int, env: dict[str, str], *, workers: int = 1, app: str = "") -> Server:
    """Our ASGI app under uvicorn, as deploy/ runs it (websockets-sansio, uvloop, httptools)."""
    argv = [
        str(BIN / "uvicorn"),
        app or "config.asgi:application",
        "--host=127.0.0.1",
        f"--port={port}",
        "--ws=websockets-sansio",
        "--loop=uvloop",
        "--http=httptools",
        "--no-access-log",
        "--log-level=warning",
        f"--workers={workers}",
    ]
    return Server(f"uvicornx{workers}", argv, port, env)


def daphne(port: int, env: dict[str, str]) -> Server:
    argv = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    return Server("daphne", argv, port, env)


@contextlib.contextmanager
def running(*servers: Server) -> Iterator[list[Server]]:
    try:
        for server in servers:
            server.start()
        yield list(servers)
    finally:
        for server in servers:
            server.stop()


# Profiles (py-spy) ---------------------------------------------------------------------------


def start_profile(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Sample `pid` with py-spy for `seconds` into `out` (collapsed stacks)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        str(BIN / "py-spy"),
        "record",
        f"--pid={pid}",
        f"--duration={max(1, round(seconds))}",
        "--format=raw",
        "--nonblocking",
        f"--output={out}",
    ]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile_summary(path: Path, *, top: int = 25) -> list[tuple[float, float, str]]:
    """(inclusive %, self %, frame) of the busiest frames of a py-spy raw profile."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        total += int(count)
        own[frames[-1]] = own.get(frames[-1], 0) + int(count)
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
    ranked = sorted(inclusive.items(), key=lambda item: -item[1])[:top]
    return [(n / total * 100, own.get(f, 0) / total * 100, f) for f, n in ranked] if total else []


# Figures ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def fmt(value: Any) -> str:
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [list(headers)] + [[fmt(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    nice = os.getpriority(os.PRIO_PROCESS, 0)
    return (
        f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"nice {nice}, load average {load} when the run ended (other work shares the machine)"
        + (
            ", servers with the psycopg pool"
            if pooled()
            else ", servers without the pool (BENCH_DB_POOL=0)"
        )
    )


def pooled() -> bool:
    """The servers use production's psycopg pool unless BENCH_DB_POOL=0 (bench/settings.py)."""
    return os.environ.get("BENCH_DB_POOL") != "0"


def append_to_doc(section: str, body: str, *, command: str) -> None:
    """Append a dated run to `## <section>` of docs/benchmarks.md, leaving other sections alone.

    The file is re-read right before writing: other benchmarks own other sections.
    """
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"\n#### Run of {stamp}\n\n`{command}` on {machine()}.\n\n{body.strip()}\n"
    DOC.parent.mkdir(exist_ok=True)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    heading = f"## {section}"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        text = text.rstrip("\n") + f"\n\n{heading}\n{block}"
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        before = "".join(lines[:end]).rstrip("\n") + "\n"
        after = "".join(lines[end:])
        text = before + block + ("\n" + after if after else "")
    DOC.write_text(text)
