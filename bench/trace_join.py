"""Where the second joiner's page spends its time: one traced 2-party join, room or bare page.

    .venv/bin/python bench/trace_join.py [--side room|bare] [--runs 2] [--min-ms 2]

The set-up of bench/bench_join.py (same servers, Chromium flags, data, first participant already
in), then one warm-up and `--runs` traced joins of the second participant. For each: a Chromium
trace of its page, from which the page's renderer main thread is printed as a timeline, in ms
since its navigation start: every top-level task longer than `--min-ms` with its largest inner
events (parsing, script, style, layout ...), every resource request and its end, and the page's
own `classmeet:*` marks, up to the first decoded remote frame. Nothing is written to docs.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from bench_join import (
    BARE,
    BROWSER_ARGS,
    FIRST_FRAME_JS,
    Side,
    enter_room,
    room_server,
    second_joiner,
    setup_data,
    two_party,
)
from join_server import read_marks

CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
    "loading",
    "v8.execute",
    "toplevel",
]


def traced_join(browser: Any, side: Side, users: list[Any], settle: float) -> tuple[bytes, float]:
    with second_joiner(browser, side, users, settle) as second:
        browser.start_tracing(page=second, categories=CATEGORIES)
        enter_room(second, side)
        frame = float(second.evaluate(FIRST_FRAME_JS))
        return browser.stop_tracing(), frame


def timeline(
    trace: bytes, room_path: str, frame: float, min_ms: float, server: list[tuple[float, str]]
) -> list[str]:
    events = json.loads(trace)
    events = events["traceEvents"] if isinstance(events, dict) else events
    starts = [
        e
        for e in events
        if e.get("name") == "navigationStart"
        and room_path in (e.get("args", {}).get("data", {}).get("documentLoaderURL") or "")
    ]
    if not starts:
        return ["no navigationStart for the room in the trace"]
    nav = starts[-1]
    pid, tid, t0 = nav["pid"], nav["tid"], nav["ts"]
    end = t0 + frame * 1000 + 20_000

    def ms(ts: float) -> float:
        return float(ts - t0) / 1000

    lines: list[tuple[float, str]] = []
    main = [
        e
        for e in events
        if e.get("pid") == pid and e.get("tid") == tid and t0 <= e.get("ts", 0) <= end
    ]
    tasks = [
        e for e in main if e.get("ph") == "X" and e.get("name") == "ThreadControllerImpl::RunTask"
    ]
    inner = [e for e in main if e.get("ph") == "X" and e not in tasks]
    for task in tasks:
        dur = task.get("dur", 0) / 1000
        if dur < min_ms:
            continue
        t_end = task["ts"] + task.get("dur", 0)
        children = sorted(
            (e for e in inner if task["ts"] <= e["ts"] < t_end),
            key=lambda e: -e.get("dur", 0),
        )
        parts = []
        for child in children[:4]:
            data = child.get("args", {}).get("data", {})
            what = data.get("url", "").rsplit("/", 1)[-1] or data.get("functionName", "")
            label = f"{child['name']}{f' {what}' if what else ''}"
            parts.append(f"{label} {child.get('dur', 0) / 1000:.1f}")
        lines.append((ms(task["ts"]), f"task {dur:5.1f} ms: {'; '.join(parts)}"))
    for e in events:
        if not (t0 <= e.get("ts", 0) <= end):
            continue
        name = e.get("name", "")
        data = e.get("args", {}).get("data", {})
        if name == "ResourceSendRequest" and e.get("pid") == pid:
            lines.append((ms(e["ts"]), f"request  {data.get('url', '').rsplit('/', 1)[-1]}"))
        elif name == "ResourceFinish" and e.get("pid") == pid:
            lines.append((ms(e["ts"]), f"finished {data.get('requestId', '')}"))
        elif name.startswith("classmeet:") and e.get("pid") == pid:
            lines.append((ms(e["ts"]), f"mark     {name}"))
        elif (
            name
            in ("firstPaint", "firstContentfulPaint", "domInteractive", "domContentLoadedEventEnd")
            and e.get("pid") == pid
        ):
            lines.append((ms(e["ts"]), f"event    {name}"))
    lines += [(ms(ts), text) for ts, text in server if t0 <= ts <= end]
    lines.sort()
    return [f"{at:7.1f}  {text}" for at, text in lines] + [f"{frame:7.1f}  first decoded frame"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=("room", BARE), default="room")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--min-ms", type=float, default=2.0)
    parser.add_argument("--settle", type=float, default=0.0, help="as bench_join.py's")
    parser.add_argument("--cold", action="store_true", help="as bench_join.py's")
    args = parser.parse_args()
    from django.db import connections

    users, meeting = setup_data()
    connections.close_all()
    from playwright.sync_api import sync_playwright

    from bench.join_bare import bare_server
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    # The servers note when requests and frames reach them (bench/join_server.py's --marks),
    # on the trace's clock.
    marks = Path(tempfile.mkdtemp()) / "server-marks"
    server = (
        bare_server(marks) if args.side == BARE else room_server(django_static=False, marks=marks)
    )
    path = "/room/" if args.side == BARE else f"/meetings/room/{meeting.pk}/"
    side = Side(BARE if args.side == BARE else "room", server, path, None, cold=args.cold)
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *BROWSER_ARGS]
            )
            two_party(browser, side, users)  # warm-up
            for run in range(args.runs):
                trace, frame = traced_join(browser, side, users, args.settle)
                print(f"== {side.name}, run {run + 1}: first frame {frame:.0f} ms")
                print("\n".join(timeline(trace, path, frame, args.min_ms, read_marks(marks))))
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
