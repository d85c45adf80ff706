"""The live room between Firefox and Chromium: Debian's firefox-esr, driven by puppeteer-core over
WebDriver BiDi (tests/e2e/firefox_peer.mjs), calls a Playwright Chromium page; both decode video,
and a Firefox reload leaves no "ghost" of the old page (Firefox closes the page's socket with 1001
before `pagehide` could send `leave`)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from classmeet.accounts.tests.factories import DEFAULT_PASSWORD
from classmeet.meetings.models import Attendance
from tests.e2e.test_room_call import join, remote_tiles, wait_for_media
from tests.support import require_service

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("firefox_peer.mjs")
FIREFOX = os.environ.get("CLASSMEET_FIREFOX", "/usr/bin/firefox-esr")
NODE = shutil.which("node") or "node"

# Record, on the Chromium page, the most remote tiles it ever showed at once, and every peer id.
TILE_WATCH_JS = """
() => {
  const grid = document.getElementById("video-grid");
  const remote = () => [...grid.querySelectorAll(".tile[data-peer]:not([data-peer='local'])")];
  window.__tiles = { max: remote().length, seen: remote().map((t) => t.dataset.peer) };
  new MutationObserver(() => {
    const tiles = remote();
    window.__tiles.max = Math.max(window.__tiles.max, tiles.length);
    for (const t of tiles) {
      if (!window.__tiles.seen.includes(t.dataset.peer)) window.__tiles.seen.push(t.dataset.peer);
    }
  }).observe(grid, { childList: true, subtree: true });
}
"""


def _missing() -> str:
    if not (shutil.which(FIREFOX) or os.path.exists(FIREFOX)):
        return f"firefox-esr not found at {FIREFOX}"
    if not shutil.which(NODE):
        return "node not found"
    if not (ROOT / "node_modules" / "puppeteer-core" / "package.json").exists():
        return "puppeteer-core is not installed (npm ci)"
    return ""


class FirefoxPeer:
    """The driver process: JSON commands on stdin, JSON events on stdout."""

    def __init__(self, base_url: str, room_path: str, username: str) -> None:
        env = {
            **os.environ,
            "CLASSMEET_USERNAME": username,
            "CLASSMEET_PASSWORD": DEFAULT_PASSWORD,
            "CLASSMEET_FIREFOX": FIREFOX,
            "PUPPETEER_SKIP_DOWNLOAD": "1",
        }
        self.proc = subprocess.Popen(
            [NODE, str(DRIVER), base_url, room_path],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.events.put(json.loads(line))
        self.events.put({"event": "exited"})

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def next(self, event: str, timeout: float = 60) -> dict[str, Any]:
        try:
            got = self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"Firefox: no {event} within {timeout} s") from None
        if got["event"] != event:
            tail = "".join(self.stderr[-20:])
            raise AssertionError(f"Firefox: expected {event}, got {got}\n{tail}")
        return got

    def command(self, cmd: str, reply: str, timeout: float = 60) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd}) + "\n")
        self.proc.stdin.flush()
        return self.next(reply, timeout)

    def stats(self) -> dict[str, Any]:
        return self.command("stats", "stats")

    def wait_decoding(self, peer_id: str, *, timeout: float = 30) -> dict[str, Any]:
        """Wait until Firefox decodes video from `peer_id` (and links to nobody else)."""
        deadline = time.monotonic() + timeout
        stats: dict[str, Any] = {}
        while time.monotonic() < deadline:
            stats = self.stats()
            link = stats["stats"].get(peer_id)
            if link and link["state"] == "connected" and link["frames"] > 0:
                return stats
            time.sleep(0.3)
        raise AssertionError(f"Firefox decodes no video from {peer_id}: {stats}")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def firefox_peer(live_server_url: str) -> Iterator[Any]:
    missing = _missing()
    require_service(not missing, missing, required=f"the Firefox test is required in CI: {missing}")
    peers: list[FirefoxPeer] = []

    def start(user: Any, meeting: Any) -> FirefoxPeer:
        room_path = reverse("rooms:room", kwargs={"meeting_id": meeting.pk})
        peer = FirefoxPeer(live_server_url, room_path, user.username)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        peer.close()


@pytest.fixture
def no_stun(settings: Any) -> None:
    """Every ICE config gets an empty server list: host candidates on loopback only."""
    settings.CLASSMEET_STUN_URLS = []
    settings.CLASSMEET_TURN_URLS = []


def test_firefox_and_chromium_decode_each_other_and_a_reload_leaves_no_ghost(
    no_stun, firefox_peer, new_page, teacher, student, enrollment, live_meeting
):
    chromium = join(new_page, teacher, live_meeting)
    teacher_id = chromium.evaluate("window.classmeetRoom.peerId")
    firefox = firefox_peer(student, live_meeting)
    first_id = firefox.next("joined")["peerId"]

    stats = firefox.wait_decoding(teacher_id)
    assert set(stats["stats"]) == {teacher_id}
    chromium_stats = wait_for_media(chromium, peers=1)
    assert set(chromium_stats) == {first_id}
    assert chromium_stats[first_id]["frames"] > 0

    # Firefox reloads: the Chromium page never shows the student twice, from the reload until
    # the reloaded page is connected again and past the moment a ghost would have appeared.
    chromium.evaluate(TILE_WATCH_JS)
    reloaded_at = time.monotonic()
    second_id = firefox.command("reload", "joined")["peerId"]
    assert second_id != first_id
    stats = firefox.wait_decoding(teacher_id)
    chromium_stats = wait_for_media(chromium, peers=1)
    assert set(chromium_stats) == {second_id}
    while time.monotonic() - reloaded_at < 3:
        chromium.wait_for_timeout(200)
    tiles = chromium.evaluate("window.__tiles")
    assert tiles["max"] == 1, f"the Chromium page showed a ghost tile: {tiles}"
    assert remote_tiles(chromium) == [second_id]

    # The reloaded page links to the teacher only, never to its own previous page.
    stats = firefox.stats()
    assert set(stats["stats"]) == {teacher_id}
    assert [e for e in stats["errors"] if e.get("code") == "unknown-peer"] == []

    # Closing Firefox is leaving as well: the tile goes at once, and both of the student's
    # connections are recorded as left on purpose (not as lost after the grace).
    firefox.close()
    closed_at = time.monotonic()
    while remote_tiles(chromium):
        assert time.monotonic() - closed_at < 5, "the student's tile stayed after Firefox closed"
        chromium.wait_for_timeout(100)
    deadline = time.monotonic() + 5
    while Attendance.objects.filter(user=student, left_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the student's attendance is still open"
        time.sleep(0.1)
    closed = Attendance.objects.filter(user=student).values_list("peer_id", "closed_by")
    assert sorted(closed) == sorted([(first_id, "leave"), (second_id, "leave")])
