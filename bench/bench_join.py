"""Joining a call: how fast does media flow? Real headless Chromium against a live ASGI server.

    .venv/bin/python bench/bench_join.py [--runs 7] [--compare main]

Measures, over several runs (median reported):
- 2-party: for the second joiner, from its page's navigation start to its first decoded remote
  video frame (performance.now() in that page);
- 4-party: four participants open the room at once; from the first navigation to the moment every
  page decodes video from all three others (a complete mesh).

With --compare REV, every run is made twice, alternately (ABAB…, so both sides see the same
machine load): once with the room's ES modules (classmeet/rooms/static/rooms/js/ and what they
import) of git revision REV, bundled as the asset build bundles them (scripts/bundle_room.mjs) and
served to the browser in place of the working tree's bundle, and once with the working tree's.
The page around them (template, server) is the working tree's for both.

With --compare DIR, a checkout of another revision with its assets built (see
bench/join_before_after.sh), the other side is that checkout's whole room (server, templates,
modules, styles) in its own server process, on the same database: before and after a change of
the page or the server, alternately.

With --compare bare, the other side is the bare page of bench/join_bare.py (a form sign-in, a
targeted relay, a full-mesh page with its script inline; plain ASGI under the same uvicorn, same
Chromium, same route filter): the least a call needs, measured alternately with the room, and the
ratio room / bare of each step's median is printed.

Steps, milliseconds since the page's navigation start: html (the response's end), dom
(domInteractive), styles and modules (the last stylesheet / script file received, resource
timing), start (the page's script runs), socket (open), welcome, first offer (sent), connected
(the first peer connection), first frame (the measure).

The room's server: config.settings.test (DEBUG off, static files answered from memory before
Django, as nginx would: join_server.static_files), its own SQLite database
(var/bench-join.sqlite3), the in-memory channel layer and presence, uvicorn in a process of its
own (bench/join_server.py, as the bare page's); fake camera and microphone, empty ICE servers:
nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-join.sqlite3'}"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FIRST_FRAME_JS = """
async () => {
  const giveUp = performance.now() + 60000;  // a call that never connects fails the run
  while (performance.now() < giveUp) {
    const room = window.classmeetRoom;
    if (room) {
      for (const pc of room.connections().values()) {
        const stats = await pc.getStats();
        let frames = 0;
        stats.forEach((r) => {
          if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
        });
        if (frames > 0) return performance.now();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("no remote video frame decoded within 60 s");
}
"""
DECODING_PEERS_JS = """
async () => {
  const room = window.classmeetRoom;
  if (!room) return 0;
  let decoding = 0;
  for (const pc of room.connections().values()) {
    const stats = await pc.getStats();
    let frames = 0;
    stats.forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
    });
    if (frames > 0) decoding += 1;
  }
  return decoding;
}
"""


def setup_data() -> tuple[list[Any], Any]:
    import django
    from django.core.management import call_command

    django.setup()
    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
    from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
    from classmeet.meetings.tests.factories import MeetingFactory

    teacher = TeacherFactory.create(username="bench_teacher")
    course = CourseFactory.create(teacher=teacher, title="Bench")
    students = [StudentFactory.create(username=f"bench_student{i}") for i in range(3)]
    for student in students:
        EnrollmentFactory.create(course=course, student=student)
    return [teacher, *students], MeetingFactory.create(course=course)


def modules_at(revision: str) -> dict[str, bytes]:
    """Return the room's bundle (static bundle/rooms/js/) built from the modules of a git revision
    by scripts/bundle_room.mjs, as the asset build makes the working tree's: {file name: content}."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", revision, "classmeet"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        out = Path(tmp) / "bundle"
        subprocess.run(
            ["node", "scripts/bundle_room.mjs", tmp, str(out)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        return {path.name: path.read_bytes() for path in (out / "rooms" / "js").iterdir()}


BARE = "bare"
# Chromium resolves no host name but the loopback address and sends anything else to a closed
# port as its proxy: the benchmark's pages can reach only its own servers.
BROWSER_ARGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]


class Side:
    """One side of a comparison: the room (with the working tree's modules or another
    revision's) or the bare page."""

    def __init__(
        self,
        name: str,
        server: Any,
        room: str,
        modules: dict[str, bytes] | None,
        *,
        cold: bool = False,
    ):
        self.name = name
        self.server = server  # a join_server.ServerProcess, maybe shared with another side
        self.room = room
        self.modules = modules
        self.cold = cold  # --cold: pages go to the room from about:blank, see enter_room

    @property
    def base_url(self) -> str:
        return str(self.server.url)  # known once the server has started

    @property
    def bare(self) -> bool:
        return self.name == BARE


def open_page(browser: Any, side: Side, user: Any) -> tuple[Any, Any]:
    from tests.browser import session_cookie_for

    base_url, modules = side.base_url, side.modules
    context = browser.new_context(base_url=base_url)
    if not side.bare:
        context.add_cookies([{**session_cookie_for(user), "url": base_url}])
    # Nothing leaves the machine: BROWSER_ARGS make every other host unreachable in the
    # browser's network stack. (A Playwright route did this before: it paused every request of
    # the page for the driver, ~40-60 ms a file on a quiet machine, a tax on the room's five
    # static files that the bare page, one file, hardly paid and no real browser pays.)
    if modules is not None:
        # Registered last, so it is asked first: the other revision's modules, same URLs.
        def other_revision(route: Any) -> None:
            name = route.request.url.rsplit("/", 1)[-1].split("?")[0]
            if name in modules:
                route.fulfill(body=modules[name], content_type="text/javascript")
            elif name.endswith(".js"):  # a file of the working tree's bundle REV has not
                route.fulfill(body=b"", content_type="text/javascript")
            else:
                route.continue_()

        context.route("**/static/bundle/rooms/js/*", other_revision)
    page = context.new_page()
    page.set_default_timeout(120_000)  # a loaded machine is slow, the measure says how slow
    if side.bare:  # the bare page's form sign-in (before the measure, as the room's cookie)
        page.goto("/login/")
        page.fill("input[name=username]", user.username)
        page.click("button[type=submit]")
        page.wait_for_url("**/room/")
        page.goto("about:blank")
    if not side.cold:  # the page the participant will join from (enter_room)
        page.goto("/login/" if side.bare else "/")
    return context, page


def enter_room(page: Any, side: Side) -> None:
    """Go to the room page (the measure starts with this navigation), returning once it commits.

    As a student does: from the dashboard, by a link in the same tab (a navigation the page
    starts; the bare page's participant from its sign-in page). Chromium then keeps the tab's
    renderer process, warm (fonts, styles' caches, code), as it does for anyone who clicks Join.
    With --cold, from about:blank by the browser (an address typed in a new tab): a new renderer
    process whose first layout matches and loads every font the page uses (~20-50 ms here)."""
    if side.cold:
        page.goto(side.room, wait_until="commit")
        return
    page.evaluate("(room) => { location.href = room; }", side.room)
    page.wait_for_url(f"**{side.room}", wait_until="commit")


# The last stylesheet and the last script file the page received (resource timing).
RESOURCES_JS = """
() => {
  const last = (suffix) => Math.max(0, ...performance.getEntriesByType("resource")
    .filter((r) => r.name.split("?")[0].endsWith(suffix)).map((r) => r.responseEnd));
  return { styles: last(".css"), modules: last(".js") };
}
"""


def room_server(*, django_static: bool, marks: Path | None = None, root: Path | None = None) -> Any:
    """The room's app under uvicorn in a process of its own (bench/join_server.py); static
    files as in production unless `django_static` (see join_server.static_files); the app of
    the checkout `root` instead of this tree's if given."""
    from bench.join_server import ROOM, ServerProcess

    return ServerProcess(ROOM, django_static=django_static, marks=marks, root=root)


@contextlib.contextmanager
def second_joiner(browser: Any, side: Side, users: list[Any], settle: float) -> Iterator[Any]:
    """The first participant in the room (and settled `settle` s), then the second's page,
    not yet navigated; both leave and close after."""
    first_ctx, first = open_page(browser, side, users[0])
    second_ctx, second = open_page(browser, side, users[1])
    try:
        enter_room(first, side)
        first.wait_for_selector("[data-joined='true']")
        # --settle: the first participant has been in the room a while (its join's writes done,
        # the room page's later modules and notification socket loaded after 3 s alone).
        first.wait_for_timeout(settle * 1000)
        yield second
    finally:
        leave_and_close([(first_ctx, first), (second_ctx, second)])


def two_party(browser: Any, side: Side, users: list[Any], settle: float = 0.0) -> dict[str, float]:
    with second_joiner(browser, side, users, settle) as second:
        enter_room(second, side)
        frame = float(second.evaluate(FIRST_FRAME_JS))
        timings = second.evaluate("window.classmeetRoom.timings")
        nav = second.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
        resources = second.evaluate(RESOURCES_JS)
        return {
            "html": nav["responseEnd"],
            "dom": nav["domInteractive"],
            "styles": resources["styles"],
            "modules": resources["modules"],
            "start": timings.get("start") or 0.0,
            "socket": timings.get("socket") or 0.0,
            "media": timings["media"] or 0.0,
            "welcome": timings["welcome"],
            "first offer": timings.get("firstOffer") or 0.0,
            "connected": min(timings["connected"].values()),
            "first frame": frame,
        }


def leave_and_close(opened: list[tuple[Any, Any]]) -> None:
    """Leave the room as a closing tab does (`pagehide` sends `leave`), then close the contexts:
    a context closed under a live page can drop its socket without a close frame, and the server
    then keeps the peer for its reconnect grace, a stale participant the next run's joiner would
    find in `welcome` and offer to."""
    for context, page in opened:
        with contextlib.suppress(Exception):
            page.goto("about:blank")
        context.close()


PAGE_STEPS_JS = """
() => {
  const room = window.classmeetRoom;
  const t = room.timings;
  const connected = Object.values(t.connected);
  let transceivers = 0;
  for (const pc of room.connections().values()) {
    transceivers = Math.max(transceivers, pc.getTransceivers().filter((x) => !x.stopped).length);
  }
  return {
    socket: t.socket,
    media: t.media,
    welcome: t.welcome,
    connected: connected.length ? Math.max(...connected) : null,
    transceivers,
  };
}
"""


def four_party(browser: Any, side: Side, users: list[Any]) -> dict[str, float]:
    opened = [open_page(browser, side, user) for user in users[:4]]
    try:
        start = time.monotonic()
        for _context, page in opened:
            enter_room(page, side)
        pending = [page for _context, page in opened]
        while pending:
            pending = [page for page in pending if page.evaluate(DECODING_PEERS_JS) < 3]
            if time.monotonic() - start > 180:
                raise RuntimeError("the 4-party mesh did not complete within 180 s")
        total = (time.monotonic() - start) * 1000
        steps = [page.evaluate(PAGE_STEPS_JS) for _context, page in opened]
        return {
            "complete": total,
            # Per page, since its own navigation start; the slowest page of the four.
            "socket": max(step["socket"] or 0 for step in steps),
            "media": max(step["media"] for step in steps),
            "welcome": max(step["welcome"] for step in steps),
            "connected": max(step["connected"] for step in steps),
            "transceivers": max(step["transceivers"] for step in steps),
        }
    finally:
        leave_and_close(opened)


STEPS = (
    "html",
    "dom",
    "styles",
    "modules",
    "start",
    "socket",
    "welcome",
    "first offer",
    "connected",
    "first frame",
    "media",
)


def median(runs: list[dict[str, float]], name: str) -> float:
    return statistics.median(run.get(name) or 0.0 for run in runs)


def report(label: str, twos: list[dict[str, float]], fours: list[dict[str, float]]) -> None:
    print(f"== {label}")
    steps = ", ".join(f"{name} {median(twos, name):.0f}" for name in STEPS)
    print(f"2-party, 2nd joiner, medians since navigation start (ms): {steps}")
    if fours:
        four = ", ".join(
            f"{name} {median(fours, name):.0f}"
            for name in ("socket", "media", "welcome", "connected")
        )
        print(f"4-party, slowest page, medians since its navigation start (ms): {four}")
        most = max(int(run["transceivers"]) for run in fours)
        print(f"4-party: at most {most} live transceivers on one connection (2 = no duplicates)")
    measures = [
        (
            "2-party, 2nd joiner: page load -> first decoded remote frame",
            [t["first frame"] for t in twos],
        )
    ]
    if fours:
        measures.append(
            ("4-party, all open at once: until every pair decodes", [f["complete"] for f in fours])
        )
    for what, values in measures:
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"{what}: median {statistics.median(values):.0f} ms  (runs: {runs})")


def step_table(twos: dict[str, list[dict[str, float]]]) -> None:
    """Per-step medians of every side side by side (markdown), and each side's ratio to the
    first side (the baseline: `--compare`'s)."""
    names = list(twos)
    base = names[0]
    head = " | ".join(names)
    ratios = " | ".join(f"{name} / {base}" for name in names[1:])
    print(f"\n| step (2-party, 2nd joiner, median ms) | {head} | {ratios} |")
    print("|---" * (1 + 2 * len(names) - 1) + "|")
    for step in STEPS:
        values = [median(twos[name], step) for name in names]
        cells = " | ".join(f"{v:.0f}" for v in values)
        ratio = " | ".join(f"{v / values[0]:.2f}" if values[0] else "-" for v in values[1:])
        print(f"| {step} | {cells} | {ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="also run REV's room modules, the bare page (`bare`) or the room of another "
        "checkout (a directory), alternately",
    )
    parser.add_argument("--no-four", action="store_true", help="skip the 4-party measure")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        metavar="S",
        help="2-party: the second joins S seconds after the first (default 0: right after)",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="pages go to the room from about:blank in a new renderer (see enter_room)",
    )
    parser.add_argument(
        "--django-static",
        action="store_true",
        help="serve static files through Django (WhiteNoise, finders) as the browser tests do",
    )
    args = parser.parse_args()

    from django.db import connections

    users, meeting = setup_data()
    connections.close_all()
    from playwright.sync_api import sync_playwright

    from bench.join_bare import bare_server
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    server = room_server(django_static=args.django_static)
    room = f"/meetings/room/{meeting.pk}/"
    sides: list[Side] = []
    if args.compare == BARE:
        sides.append(Side(BARE, bare_server(), "/room/", None, cold=args.cold))
    elif args.compare and Path(args.compare).is_dir():  # another checkout's whole room
        tree = Path(args.compare)
        other = room_server(django_static=args.django_static, root=tree)
        sides.append(Side(tree.name, other, room, None, cold=args.cold))
    elif args.compare:  # another revision's modules, on this tree's server
        sides.append(Side(args.compare, server, room, modules_at(args.compare), cold=args.cold))
    name = "room" if args.compare == BARE else "working tree"
    sides.append(Side(name, server, room, None, cold=args.cold))
    servers = list({id(side.server): side.server for side in sides}.values())
    load_start = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    for running in servers:
        running.start()
    twos: dict[str, list[dict[str, float]]] = {side.name: [] for side in sides}
    fours: dict[str, list[dict[str, float]]] = {side.name: [] for side in sides}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *BROWSER_ARGS]
            )
            for side in sides:
                two_party(browser, side, users)  # warm-up: JIT, codecs
            for _ in range(args.runs):
                for side in sides:
                    twos[side.name].append(two_party(browser, side, users, args.settle))
            for _ in range(0 if args.no_four else args.runs):
                for side in sides:
                    fours[side.name].append(four_party(browser, side, users))
            browser.close()
    finally:
        for running in servers:
            running.stop()
    for side in sides:
        report(side.name, twos[side.name], fours[side.name])
    if len(sides) > 1:
        step_table(twos)
    load_end = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nload average at the start: {load_start}; at the end: {load_end}")


if __name__ == "__main__":
    main()
