"""Joining a call: how fast does media flow? Real headless Chromium against a live ASGI server.

    .venv/bin/python bench/bench_join.py [--runs 7]

Measures, over several runs (median reported):
- 2-party: for the second joiner, from its page's navigation start to its first decoded remote
  video frame (performance.now() in that page);
- 4-party: four participants open the room at once; from the first navigation to the moment every
  page decodes video from all three others (a complete mesh).

Uses its own SQLite database (var/bench-join.sqlite3), the in-memory channel layer, fake camera
and microphone, empty ICE servers: nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
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

    teacher = TeacherFactory(username="bench_teacher")
    course = CourseFactory(teacher=teacher, title="Bench")
    students = [StudentFactory(username=f"bench_student{i}") for i in range(3)]
    for student in students:
        EnrollmentFactory(course=course, student=student)
    return [teacher, *students], MeetingFactory(course=course)


def open_page(browser: Any, base_url: str, user: Any) -> tuple[Any, Any]:
    from tests.browser import session_cookie_for

    context = browser.new_context(base_url=base_url)
    context.add_cookies([{**session_cookie_for(user), "url": base_url}])
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(base_url) else route.abort()
        ),
    )
    page = context.new_page()
    page.set_default_timeout(120_000)  # a loaded machine is slow, the measure says how slow
    return context, page


def two_party(browser: Any, base_url: str, users: list[Any], room: str) -> dict[str, float]:
    first_ctx, first = open_page(browser, base_url, users[0])
    second_ctx, second = open_page(browser, base_url, users[1])
    try:
        first.goto(room)
        first.wait_for_selector("#room[data-joined='true']")
        second.goto(room, wait_until="commit")
        frame = float(second.evaluate(FIRST_FRAME_JS))
        timings = second.evaluate("window.classmeetRoom.timings")
        return {
            "first frame": frame,
            "media": timings["media"],
            "welcome": timings["welcome"],
            "connected": min(timings["connected"].values()),
        }
    finally:
        first_ctx.close()
        second_ctx.close()


def four_party(browser: Any, base_url: str, users: list[Any], room: str) -> float:
    opened = [open_page(browser, base_url, user) for user in users[:4]]
    try:
        start = time.monotonic()
        for _context, page in opened:
            page.goto(room, wait_until="commit")
        pending = [page for _context, page in opened]
        while pending:
            pending = [page for page in pending if page.evaluate(DECODING_PEERS_JS) < 3]
            if time.monotonic() - start > 180:
                raise RuntimeError("the 4-party mesh did not complete within 180 s")
        return (time.monotonic() - start) * 1000
    finally:
        for context, _page in opened:
            context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from django.db import connections

    users, meeting = setup_data()
    connections.close_all()
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer

    server = LiveServer()
    server.start()
    room = f"/meetings/room/{meeting.pk}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            two_party(browser, server.url, users, room)  # warm-up: caches, JIT, codecs
            twos = [two_party(browser, server.url, users, room) for _ in range(args.runs)]
            fours = [four_party(browser, server.url, users, room) for _ in range(args.runs)]
            browser.close()
    finally:
        server.stop()
    steps = ", ".join(
        f"{step} {statistics.median(run[step] for run in twos):.0f} ms"
        for step in ("media", "welcome", "connected")
    )
    print(f"2-party, 2nd joiner, medians since navigation start: {steps}")
    for label, values in (
        (
            "2-party, 2nd joiner: page load -> first decoded remote frame",
            [t["first frame"] for t in twos],
        ),
        ("4-party, all open at once: until every pair decodes", fours),
    ):
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"{label}: median {statistics.median(values):.0f} ms  (runs: {runs})")


if __name__ == "__main__":
    main()
