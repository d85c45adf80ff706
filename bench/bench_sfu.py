"""SFU: 1 teacher → N student subscribers through Janus, on this machine (not in CI).

    sudo .venv/bin/python bench/bench_sfu.py [--subscribers 20] [--seconds 10] [--write]

A live ASGI server (in-process, own SQLite database var/bench-sfu.sqlite3, in-memory layer) and
Janus from deploy/janus/ in a network namespace of its own (launch.janus_in_netns). The teacher
has a fake camera; students are receive-only (no camera device), so Janus forwards exactly one
publisher to N subscribers. Reports:
- switch-over: from the 5th participant's page load (threshold 5) until all five pages decode
  the teacher through Janus (the mesh closed), and, for those already in the room, from the
  `topology` message to SFU media flowing (the freeze they see);
- decoded fps of the teacher's video per subscriber over `--seconds`;
- Janus CPU (% of one core) over the same window.
`--write` appends the run to docs/benchmarks.md "SFU".
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
os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-sfu.sqlite3'}"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEACHER_FRAMES_JS = """async (teacherId) => {
  const room = window.classmeetRoom;
  if (!room || room.topology !== "sfu" || room.connections().size) return -1;
  for (const sub of room.sfu().subscribers.values()) {
    if (sub.peerId !== teacherId || !sub.pc) continue;
    let frames = 0;
    (await sub.pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
    });
    return frames;
  }
  return -1;
}"""


DIAGNOSE_JS = """async () => {
  const room = window.classmeetRoom;
  const sfu = room.sfu();
  const subs = [];
  for (const [feed, sub] of sfu.subscribers) {
    const stats = {};
    if (sub.pc) (await sub.pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp") stats[r.kind] = [r.packetsReceived, r.framesDecoded];
    });
    subs.push([feed, sub.peerId, sub.pc ? sub.pc.connectionState : "no-pc", stats]);
  }
  return { topology: room.topology, state: room.state, mesh: room.connections().size, subs };
}"""


def setup_data(subscribers: int) -> tuple[Any, list[Any], Any]:
    import django
    from django.core.management import call_command

    django.setup()
    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
    from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
    from classmeet.meetings.tests.factories import MeetingFactory

    stamp = int(time.time())
    teacher = TeacherFactory.create(username=f"sfu_bench_t{stamp}")
    course = CourseFactory.create(teacher=teacher, title="SFU bench")
    students = [
        StudentFactory.create(username=f"sfu_bench_{stamp}_{i}") for i in range(subscribers)
    ]
    for student in students:
        EnrollmentFactory.create(course=course, student=student)
    return teacher, students, MeetingFactory.create(course=course)


def open_page(browser: Any, base_url: str, user: Any, room: str) -> Any:
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
    page.set_default_timeout(180_000)
    page.goto(room, wait_until="commit")
    return page


def frames(page: Any, teacher_id: str) -> int:
    return int(page.evaluate(TEACHER_FRAMES_JS, teacher_id))


def wait_decoding(pages: list[Any], teacher_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(pages)
    while pending:
        pending = [p for p in pending if frames(p, teacher_id) <= 0]
        if pending and time.monotonic() > deadline:
            states = [p.evaluate(DIAGNOSE_JS) for p in pending]
            raise RuntimeError(f"{len(pending)} pages not decoding the teacher: {states}")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    from django.conf import settings
    from django.db import connections

    teacher, students, meeting = setup_data(args.subscribers)
    connections.close_all()
    from playwright.sync_api import sync_playwright

    from bench.common import proc_cpu_seconds
    from classmeet.rooms.sfu import launch
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer

    receive_only = [a for a in CHROMIUM_ARGS if a != "--use-fake-device-for-media-stream"]
    room = f"/meetings/room/{meeting.pk}/"
    with launch.janus_in_netns(f"cmsfub{os.getpid() % 10000}") as janus:
        settings.CLASSMEET_SFU_URL = janus.url
        settings.CLASSMEET_SFU_API_SECRET = janus.api_secret
        settings.CLASSMEET_SFU_ADMIN_KEY = janus.admin_key
        settings.CLASSMEET_SFU_THRESHOLD = 5
        server = LiveServer()
        server.start()
        try:
            with sync_playwright() as playwright:
                camera = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                listeners = playwright.chromium.launch(executable_path=CHROMIUM, args=receive_only)
                t = open_page(camera, server.url, teacher, room)
                t.wait_for_selector("#room[data-joined='true']")
                teacher_id = str(t.evaluate("() => window.classmeetRoom.peerId"))
                first = [open_page(listeners, server.url, s, room) for s in students[:3]]
                for page in first:
                    page.wait_for_selector("#room[data-joined='true']")
                started = time.monotonic()
                fifth = open_page(listeners, server.url, students[3], room)
                wait_decoding([*first, fifth], teacher_id, 120)
                switch = time.monotonic() - started
                # As seen by those already in the room: `topology` received → SFU media flowing
                # and the mesh closed (sfu.js timings).
                freezes = [
                    float(
                        p.evaluate(
                            "() => { const t = window.classmeetRoom.sfu().timings;"
                            " return t.flowing - t.switched; }"
                        )
                    )
                    / 1000
                    for p in first
                ]
                # Where the time goes (ms after `topology`): the teacher's offer sent, Janus's
                # answer back, its publisher link connected; a listener's first feed announced.
                teacher_marks = t.evaluate(
                    "() => { const t = window.classmeetRoom.sfu().timings;"
                    " return [t.offered, t.published, t.flowing].map((v) => v - t.switched); }"
                )
                feed_ms = [
                    float(
                        p.evaluate(
                            "() => { const t = window.classmeetRoom.sfu().timings;"
                            " return t.feed - t.switched; }"
                        )
                    )
                    for p in first
                ]
                rest = [open_page(listeners, server.url, s, room) for s in students[4:]]
                pages = [*first, fifth, *rest]
                wait_decoding(pages, teacher_id, 300)
                assert janus.process is not None
                before = [frames(p, teacher_id) for p in pages]
                cpu0, t0 = proc_cpu_seconds(janus.process.pid), time.monotonic()
                time.sleep(args.seconds)
                after = [frames(p, teacher_id) for p in pages]
                cpu1, t1 = proc_cpu_seconds(janus.process.pid), time.monotonic()
                camera.close()
                listeners.close()
        finally:
            server.stop()
    fps = [(b - a) / (t1 - t0) for a, b in zip(before, after, strict=True)]
    janus_cpu = 100 * (cpu1 - cpu0) / (t1 - t0)
    body = (
        f"1 teacher (fake 640x480 camera) → {len(pages)} receive-only subscribers through Janus.\n\n"
        f"| Measure | Value |\n| --- | --- |\n"
        f"| switch-over (5th page load → 5 pages decode the teacher via Janus) | {switch:.1f} s |\n"
        f"| switch seen in the room (`topology` → SFU media flows, mesh closed), max | "
        f"{max(freezes):.1f} s |\n"
        f"| teacher (ms after `topology`): offer sent / Janus's answer / publisher connected | "
        f"{' / '.join(f'{v:.0f}' for v in teacher_marks)} |\n"
        f"| listeners: teacher's feed announced, max (ms after `topology`) | "
        f"{max(feed_ms):.0f} |\n"
        f"| decoded fps per subscriber: min / median / max | {min(fps):.1f} / "
        f"{statistics.median(fps):.1f} / {max(fps):.1f} |\n"
        f"| Janus CPU (% of one core) | {janus_cpu:.1f} % |\n"
        f"| load average at the end | {os.getloadavg()[0]:.1f} |\n"
    )
    print(body)
    if args.write:
        from bench.common import append_to_doc

        append_to_doc("SFU", body, command=" ".join(["bench/bench_sfu.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
