"""Joining a call: how fast does media flow? Real headless Chromium against a live ASGI server.

    .venv/bin/python bench/bench_join.py [--runs 7] [--compare main]

Measures, over several runs (median reported):
- 2-party: for the second joiner, from its page's navigation start to its first decoded remote
  video frame (performance.now() in that page);
- 4-party: four participants open the room at once; from the first navigation to the moment every
  page decodes video from all three others (a complete mesh).

With --compare REV, every run is made twice, alternately (ABAB…, so both sides see the same
machine load): once with the room's ES modules (classmeet/rooms/static/rooms/js/) of git revision
REV, served to the browser in place of the working tree's, and once with the working tree's.
The page around them (template, server) is the working tree's for both.

Uses its own SQLite database (var/bench-join.sqlite3), the in-memory channel layer, fake camera
and microphone, empty ICE servers: nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-join.sqlite3'}"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FIRST_FRAME_JS = """
async () => {
  for (;;) {
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


JS_DIR = "classmeet/rooms/static/rooms/js"


def modules_at(revision: str) -> dict[str, bytes]:
    """Return the room's ES modules as they are at a git revision: {file name: content}."""
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{revision}:{JS_DIR}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return {
        name: subprocess.run(
            ["git", "show", f"{revision}:{JS_DIR}/{name}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        for name in names
    }


def open_page(
    browser: Any, base_url: str, user: Any, modules: dict[str, bytes] | None = None
) -> tuple[Any, Any]:
    from tests.browser import session_cookie_for

    context = browser.new_context(base_url=base_url)
    context.add_cookies([{**session_cookie_for(user), "url": base_url}])
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(base_url) else route.abort()
        ),
    )
    if modules is not None:
        # Registered last, so it is asked first: the other revision's modules, same URLs.
        def other_revision(route: Any) -> None:
            name = route.request.url.rsplit("/", 1)[-1].split("?")[0]
            if name in modules:
                route.fulfill(body=modules[name], content_type="text/javascript")
            else:
                route.continue_()

        context.route("**/static/rooms/js/*", other_revision)
    page = context.new_page()
    page.set_default_timeout(120_000)  # a loaded machine is slow, the measure says how slow
    return context, page


def two_party(
    browser: Any, base_url: str, users: list[Any], room: str, modules: dict[str, bytes] | None
) -> dict[str, float]:
    first_ctx, first = open_page(browser, base_url, users[0], modules)
    second_ctx, second = open_page(browser, base_url, users[1], modules)
    try:
        first.goto(room)
        first.wait_for_selector("#room[data-joined='true']")
        second.goto(room, wait_until="commit")
        frame = float(second.evaluate(FIRST_FRAME_JS))
        timings = second.evaluate("window.classmeetRoom.timings")
        nav = second.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
        return {
            "first frame": frame,
            "html": nav["responseEnd"],
            "dom": nav["domInteractive"],
            "script": timings.get("start") or 0.0,
            "socket": timings.get("socket") or 0.0,
            "media": timings["media"],
            "welcome": timings["welcome"],
            "connected": min(timings["connected"].values()),
        }
    finally:
        first_ctx.close()
        second_ctx.close()


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


def four_party(
    browser: Any, base_url: str, users: list[Any], room: str, modules: dict[str, bytes] | None
) -> dict[str, float]:
    opened = [open_page(browser, base_url, user, modules) for user in users[:4]]
    try:
        start = time.monotonic()
        for _context, page in opened:
            page.goto(room, wait_until="commit")
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
        for context, _page in opened:
            context.close()


def report(label: str, twos: list[dict[str, float]], fours: list[dict[str, float]]) -> None:
    print(f"== {label}")

    def steps(runs: list[dict[str, float]], names: tuple[str, ...]) -> str:
        return ", ".join(
            f"{name} {statistics.median(run[name] for run in runs):.0f}"
            for name in names
            if all(run.get(name) for run in runs)
        )

    two = steps(twos, ("html", "dom", "script", "socket", "media", "welcome", "connected"))
    print(f"2-party, 2nd joiner, medians since navigation start (ms): {two}")
    four = steps(fours, ("socket", "media", "welcome", "connected"))
    print(f"4-party, slowest page, medians since its navigation start (ms): {four}")
    most = max(int(run["transceivers"]) for run in fours)
    print(f"4-party: at most {most} live transceivers on one connection (2 = no duplicates)")
    for what, values in (
        (
            "2-party, 2nd joiner: page load -> first decoded remote frame",
            [t["first frame"] for t in twos],
        ),
        ("4-party, all open at once: until every pair decodes", [f["complete"] for f in fours]),
    ):
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"{what}: median {statistics.median(values):.0f} ms  (runs: {runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", metavar="REV", help="also run REV's room modules, alternately")
    args = parser.parse_args()

    sides: dict[str, dict[str, bytes] | None] = {}
    if args.compare:
        sides[args.compare] = modules_at(args.compare)
    sides["working tree"] = None
    from django.db import connections

    users, meeting = setup_data()
    connections.close_all()
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer

    server = LiveServer()
    server.start()
    room = f"/meetings/room/{meeting.pk}/"
    twos: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    fours: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for modules in sides.values():
                two_party(browser, server.url, users, room, modules)  # warm-up: JIT, codecs
            for _ in range(args.runs):
                for side, modules in sides.items():
                    twos[side].append(two_party(browser, server.url, users, room, modules))
            for _ in range(args.runs):
                for side, modules in sides.items():
                    fours[side].append(four_party(browser, server.url, users, room, modules))
            browser.close()
    finally:
        server.stop()
    for side in sides:
        report(side, twos[side], fours[side])
    print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
