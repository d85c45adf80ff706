"""The production recipe on loopback, as child processes: uvicorn workers, nginx with
deploy/nginx/classmeet.conf, and private Redis and PostgreSQL servers that a test may kill.

Everything listens on free ports of 127.0.0.1 and lives in a temporary directory; nothing here
touches the machine's own nginx, Redis (6379) or PostgreSQL (5432).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support import free_port

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEPLOY_NGINX = BASE_DIR / "deploy" / "nginx" / "classmeet.conf"
NGINX = os.environ.get("CLASSMEET_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
SERVED_BY = "X-Served-By"


def wait_for_port(port: int, *, timeout: float, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {port}")
        time.sleep(0.1)


def port_closed(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.2):
            return False
    except OSError:
        return True


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def database_url_of(settings_dict: dict[str, Any]) -> str:
    """DATABASE_URL for child processes that must use this Django database (the test one)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    auth = settings_dict["USER"] + (
        f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    )
    host = settings_dict["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


def ensure_static_collected() -> None:
    """nginx serves /static/ from STATIC_ROOT: collect it when a source file is newer (`make
    assets` does it before the suite; a local run after editing a script would serve the old)."""
    manifest = BASE_DIR / "staticfiles" / "staticfiles.json"
    if manifest.exists():
        collected = manifest.stat().st_mtime
        sources = [BASE_DIR / "build" / "static", *BASE_DIR.glob("classmeet/*/static")]
        if not any(
            path.stat().st_mtime > collected
            for root in sources
            for path in root.rglob("*")
            if path.is_file()
        ):
            return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        check=True,
        timeout=300,
    )


def error_lines(text: str) -> list[str]:
    """Log lines at ERROR or worse (JSON logs) and bare tracebacks (anything else)."""
    found = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            if line.startswith("Traceback") or " ERROR " in line or line.startswith("ERROR"):
                found.append(line)
            continue
        if isinstance(record, dict) and record.get("level") in {"ERROR", "CRITICAL"}:
            found.append(line)
    return found


class Process:
    """A child process in its own process group, with its output in a log file."""

    def __init__(self, name: str, args: list[str], *, env: dict[str, str], logdir: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log_path = logdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.args,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """kill -9: no shutdown handler runs."""
        if self.alive():
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class AsgiWorker(Process):
    """One `uvicorn config.asgi:application` worker, as deploy/systemd/classmeet-asgi@.service
    runs it, plus a `X-Served-By: asgi-<port>` header on every response (HTTP and WebSocket
    handshake) so a test can tell which worker answered."""

    def __init__(self, *, env: dict[str, str], logdir: Path) -> None:
        self.port = free_port()
        self.label = f"asgi-{self.port}"
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host=127.0.0.1",
            f"--port={self.port}",
            "--ws=websockets-sansio",
            "--proxy-headers",
            "--forwarded-allow-ips=127.0.0.1",
            "--no-server-header",
            "--lifespan=off",
            "--log-level=warning",
            f"--header={SERVED_BY}:{self.label}",
        ]
        super().__init__(self.label, args, env=env, logdir=logdir)

    def start(self, timeout: float = 60) -> None:
        self.spawn()
        try:
            wait_for_port(self.port, timeout=timeout, proc=self.proc)
        except RuntimeError:
            raise RuntimeError(f"{self.label} did not start:\n{self.log_text()[-3000:]}") from None


def nginx_site_for_test(*, upstreams: list[int], https_port: int, http_port: int) -> str:
    """deploy/nginx/classmeet.conf with only what loopback needs changed.

    - both upstreams (pages, WebSockets) list the test's workers;
    - the servers listen on free loopback ports, with a self-signed certificate;
    - `Host $host` becomes `$http_host`: on a port other than 443 the browser's Origin carries the
      port, and Django compares it with Host (CSRF, WebSocket origin check);
    - static files come from this checkout's STATIC_ROOT.
    Everything else (WebSocket upgrade, timeouts, body size, /media/ refusal) is the deploy file.
    """
    text = DEPLOY_NGINX.read_text()
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in upstreams
    )
    text, count = re.subn(r"(?:[ \t]*server 127\.0\.0\.1:\d+[^\n]*\n)+", lambda _: servers, text)
    assert count == 2, "upstream blocks not found"
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen [::]:80;\n", "")
    text = re.sub(r"listen 443 ssl( http2)?;[^\n]*", f"listen 127.0.0.1:{https_port} ssl;", text)
    text = re.sub(r"\n\s*listen \[::\]:443[^\n]*", "", text)
    text = text.replace("$host", "$http_host")
    text = re.sub(r"alias /srv/classmeet/staticfiles/;", f"alias {BASE_DIR}/staticfiles/;", text)
    assert f"{BASE_DIR}/staticfiles/" in text, "static alias not found"
    return text


class Nginx(Process):
    """Debian's nginx with the deploy site, on loopback, as this (root or not) user."""

    def __init__(self, *, upstreams: list[int], logdir: Path) -> None:
        self.dir = logdir / "nginx"
        self.dir.mkdir(exist_ok=True)
        self.https_port = free_port()
        self.http_port = free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        cert, key = self.dir / "cert.pem", self.dir / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        site = nginx_site_for_test(
            upstreams=upstreams, https_port=self.https_port, http_port=self.http_port
        )
        site = re.sub(r"ssl_certificate [^;]*;", f"ssl_certificate {cert};", site)
        site = re.sub(r"ssl_certificate_key [^;]*;", f"ssl_certificate_key {key};", site)
        self.access_log = self.dir / "access.log"
        user = "user root root;\n" if os.geteuid() == 0 else ""
        temp = "".join(
            f"{kind}_temp_path {self.dir / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf = (
            f"{user}daemon off;\nworker_processes 1;\npid {self.dir / 'nginx.pid'};\n"
            f"error_log {self.dir / 'error.log'} warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n"
            "include /etc/nginx/mime.types;\ndefault_type application/octet-stream;\n"
            "log_format upstream '$remote_addr \"$request\" $status upstream=$upstream_addr';\n"
            f"access_log {self.access_log} upstream;\n{temp}{site}\n}}\n"
        )
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(conf)
        test = subprocess.run(
            [NGINX, "-t", "-p", str(self.dir), "-c", str(self.conf)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{test.stderr}\n{conf}")
        super().__init__(
            "nginx",
            [NGINX, "-p", str(self.dir), "-c", str(self.conf)],
            env=dict(os.environ),
            logdir=logdir,
        )

    def start(self) -> None:
        self.spawn()
        wait_for_port(self.https_port, timeout=20, proc=self.proc)

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


class PrivateRedis(Process):
    """A redis-server of the test's own, which it may stop and start again on the same port."""

    def __init__(self, *, logdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        data = logdir / "redis"
        data.mkdir(exist_ok=True)
        args = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data),
        ]
        super().__init__("redis", args, env=dict(os.environ), logdir=logdir)

    def start(self) -> None:
        self.spawn()
        wait_for_port(self.port, timeout=20, proc=self.proc)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) in a temporary directory, on a free port.

    PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user.
    """

    def __init__(self, *, logdir: Path) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries not found in /usr/lib/postgresql")
        self.bin = bins[-1].parent
        self.port = free_port()
        self.root = logdir / "pg"
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.root.mkdir(exist_ok=True)
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
            logdir.chmod(0o755)  # postgres must reach its directory
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/classmeet_faults"

    def _run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, capture_output=True, timeout=timeout, cwd="/"
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.start()
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "classmeet_faults",
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log_path),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


def app_env(*, secret_key: str, database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    """The environment of the deployed app (config.settings.production) on loopback.

    `secret_key` is the test's own, so the sessions a test creates are valid on the workers.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CLASSMEET_", "PYTEST", "DATABASE_", "REDIS_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CHANNEL_LAYER_PREFIX": prefix,
            "CACHE_KEY_PREFIX": prefix,
            "LOG_LEVEL": "WARNING",
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_HSTS_PRELOAD": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@contextlib.contextmanager
def processes() -> Iterator[list[Any]]:
    """Stop every process put in the list, in reverse order, however the test ends."""
    started: list[Any] = []
    try:
        yield started
    finally:
        for proc in reversed(started):
            with contextlib.suppress(Exception):
                proc.stop()
