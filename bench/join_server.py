"""The join benchmarks' servers, each in a process of its own: the room's app or the bare page's.

    python bench/join_server.py room|bare [--django-static] [--marks FILE]

bench/bench_join.py and bench/trace_join.py start them with `ServerProcess`. In their own process
because Playwright's client is Python too: a server in the driver's process waits for the GIL
while the client parses the browser's events (traced: one 39 ms callback of the client held the
room's static files and socket), a tax paid by the side whose page sends more events, the room's,
and by no production server. Both sides run under tests.browser.LiveServer's uvicorn options.

The process prints its URL on its first line of output, then serves until it is terminated. With
`--marks FILE` it appends, for bench/trace_join.py, when each request or socket reached the app
and answered (and every frame the socket received), in µs of CLOCK_MONOTONIC: the clock of
Chromium's trace on Linux, so both go on one timeline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
ROOM, BARE = "room", "bare"


class ServerProcess:
    """`python bench/join_server.py KIND` started and stopped; `url` once started."""

    def __init__(
        self,
        kind: str,
        *,
        django_static: bool = False,
        marks: Path | None = None,
        root: Path | None = None,
    ):
        self.args = [sys.executable, str(Path(__file__).resolve()), kind]
        if django_static:
            self.args.append("--django-static")
        if marks is not None:
            self.args += ["--marks", str(marks)]
        if root is not None:
            self.args += ["--root", str(root)]
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> None:
        # The room's server reads the bench's settings and database from the environment
        # bench_join.py set (DJANGO_SETTINGS_MODULE, DATABASE_URL).
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"{' '.join(self.args[1:])}: the server did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def static_files(app: Any) -> Any:
    """Wrap the ASGI app: /static/ files answered from memory, before Django, as nginx serves
    them from disk in production (docs/deploy.md). Without this the live server of the browser
    tests serves them through WhiteNoise's finders with autorefresh, in Django's one thread for
    synchronous code, where the room socket's database calls queue behind ~20 files."""
    import mimetypes

    from django.conf import settings
    from django.contrib.staticfiles import finders

    files: dict[str, tuple[bytes, bytes]] = {}
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            url = f"{settings.STATIC_URL}{path}"
            if url not in files:  # the first finder wins, as in findstatic
                kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
                with storage.open(path) as source:
                    files[url] = (source.read(), kind.encode())

    async def serve(scope: dict[str, Any], receive: Any, send: Any) -> None:
        found = files.get(scope.get("path", "")) if scope["type"] == "http" else None
        if found is None:
            await app(scope, receive, send)
            return
        body, kind = found
        headers = [(b"content-type", kind), (b"cache-control", b"max-age=60, public")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return serve


def marked(app: Any, out: TextIO) -> Any:
    """Wrap an ASGI app: write a line `<µs> server <what>` when a request or socket comes in and
    when it is answered, and for every frame a socket receives (its first characters)."""

    def note(text: str) -> None:
        out.write(f"{time.monotonic_ns() / 1000:.1f} server   {text}\n")
        out.flush()

    async def marked_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        note(f"{scope['type']} {path} in")

        async def sending(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind in ("websocket.accept", "http.response.start") or (
                kind == "websocket.send" and '"welcome"' in (message.get("text") or "")[:40]
            ):
                note(f"{path} {kind}")
            await send(message)

        async def receiving() -> Any:
            message = await receive()
            if message["type"] == "websocket.receive":
                note(f"{path} got {(message.get('text') or '')[:30]}")
            return message

        await app(scope, receiving, sending)

    return marked_app


def read_marks(path: Path) -> list[tuple[float, str]]:
    """The lines `marked` wrote: (µs, text)."""
    if not path.exists():
        return []
    marks = []
    for line in path.read_text().splitlines():
        at, _, text = line.partition(" ")
        marks.append((float(at), text))
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=(ROOM, BARE))
    parser.add_argument("--django-static", action="store_true")
    parser.add_argument("--marks", type=Path)
    parser.add_argument(
        "--root",
        type=Path,
        help="the room's app from this checkout (another revision, its assets built: "
        "bench/join_before_after.sh), on the database of the environment's DATABASE_URL",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.browser import LiveServer  # this tree's uvicorn options for every side

    if args.root is not None:
        sys.path.insert(0, str(args.root.resolve()))
        os.chdir(args.root)

    if args.kind == BARE:
        from bench.join_bare import make_app

        app = make_app()
    else:
        # The settings and the database: bench_join.py's, from the environment it set.
        from config.asgi import application  # sets Django up

        app = application if args.django_static else static_files(application)
    marks = args.marks.open("a") if args.marks else None
    if marks is not None:
        app = marked(app, marks)
    server = LiveServer(app, name=f"{args.kind}-asgi")
    print(server.url, flush=True)
    server.server.run()  # until SIGTERM (uvicorn exits cleanly on it)


if __name__ == "__main__":
    main()
