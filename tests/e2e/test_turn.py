"""TURN in real Chromium: coturn from Debian, started with the active lines of
deploy/turnserver.conf (addresses, ports, secret and logs overridden for loopback), relays the
media of two participants forced to relay-only; an expired or forged credential is refused.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from classmeet.rooms.ice import turn_credentials
from tests.support import free_port, require_service

pytestmark = pytest.mark.django_db(transaction=True)

TURNSERVER = os.environ.get("CLASSMEET_TURNSERVER", "/usr/bin/turnserver")
DEPLOY_CONF = Path(django_settings.BASE_DIR) / "deploy" / "turnserver.conf"
# Keys the test replaces; every other active line of the deploy file is used as is.
OVERRIDDEN = {
    "listening-port",
    "listening-ip",
    "relay-ip",
    "external-ip",
    "min-port",
    "max-port",
    "static-auth-secret",
    "realm",
    "log-file",
    "pidfile",
    "userdb",
}


@dataclass
class Coturn:
    port: int
    secret: str
    log: Path

    def urls(self) -> list[str]:
        return [
            f"turn:127.0.0.1:{self.port}?transport=udp",
            f"turn:127.0.0.1:{self.port}?transport=tcp",
        ]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def deploy_conf_active_lines() -> list[str]:
    lines = []
    for raw in DEPLOY_CONF.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.split("=", 1)[0] in OVERRIDDEN:
            continue
        lines.append(line)
    return lines


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    require_service(
        os.path.exists(TURNSERVER),
        f"coturn not found at {TURNSERVER}",
        required=f"coturn is required but missing at {TURNSERVER}",
    )
    workdir = tmp_path_factory.mktemp("coturn")
    port = free_port(udp=True)
    relay_base = random.randrange(41000, 59000, 100)
    secret = secrets.token_hex(16)
    log = workdir / "turn.log"
    conf = workdir / "turnserver.conf"
    conf.write_text(
        "\n".join(
            [
                *deploy_conf_active_lines(),
                "listening-ip=127.0.0.1",
                "relay-ip=127.0.0.1",
                f"listening-port={port}",
                f"min-port={relay_base}",
                f"max-port={relay_base + 60}",
                f"static-auth-secret={secret}",
                "realm=classmeet.test",
                f"log-file={log}",
                f"pidfile={workdir / 'turn.pid'}",
                f"userdb={workdir / 'turndb'}",
                # Session lines (with usernames) in the log prove which users were relayed.
                "verbose",
                # Loopback only, for this test: in production peers are never on 127.0.0.1.
                "allow-loopback-peers",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        [TURNSERVER, "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"turnserver exited: {log.read_text() if log.exists() else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("turnserver did not start") from None
                time.sleep(0.1)
        yield Coturn(port=port, secret=secret, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# A bare RTCPeerConnection in a page of the app (a secure context on 127.0.0.1); candidates are
# gathered completely before the description is handed over, so no trickle channel is needed.
SETUP_JS = """
async ({config, offer}) => {
  const pc = new RTCPeerConnection(config);
  window.testPc = pc;
  window.iceErrors = [];
  pc.addEventListener("icecandidateerror", (e) => window.iceErrors.push(e.errorCode));
  const stream = await navigator.mediaDevices.getUserMedia({video: true, audio: true});
  stream.getTracks().forEach((t) => pc.addTrack(t, stream));
  const gathered = new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") resolve();
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") resolve();
    });
  });
  if (offer) {
    await pc.setRemoteDescription({type: "offer", sdp: offer});
    await pc.setLocalDescription(await pc.createAnswer());
  } else {
    await pc.setLocalDescription(await pc.createOffer());
  }
  await Promise.race([gathered, new Promise((r) => setTimeout(r, 10000))]);
  return pc.localDescription.sdp;
}
"""

STATS_JS = """
async () => {
  const pc = window.testPc;
  const stats = await pc.getStats();
  const out = {state: pc.connectionState, framesDecoded: 0, audioPackets: 0, pair: null};
  const byId = new Map();
  stats.forEach((s) => byId.set(s.id, s));
  stats.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") out.framesDecoded += s.framesDecoded || 0;
    if (s.type === "inbound-rtp" && s.kind === "audio") out.audioPackets += s.packetsReceived || 0;
    if (s.type === "transport" && s.selectedCandidatePairId) {
      const pair = byId.get(s.selectedCandidatePairId);
      out.pair = {
        local: byId.get(pair.localCandidateId).candidateType,
        remote: byId.get(pair.remoteCandidateId).candidateType,
      };
    }
  });
  return out;
}
"""


def candidate_types(sdp: str) -> set[str]:
    return {line.split(" typ ")[1].split()[0] for line in sdp.splitlines() if " typ " in line}


def relay_config(coturn: Coturn, username: str, credential: str) -> dict[str, Any]:
    return {
        "iceServers": [{"urls": coturn.urls(), "username": username, "credential": credential}],
        "iceTransportPolicy": "relay",
    }


def open_blank_app_page(new_page: Any, live_server_url: str) -> Any:
    page = new_page()
    page.goto(f"{live_server_url}/auth/signin/")
    return page


def test_two_relay_only_participants_connect_and_decode_video_through_coturn(
    coturn, new_page, live_server_url, settings
):
    settings.CLASSMEET_TURN_SECRET = coturn.secret
    alice, bob = (open_blank_app_page(new_page, live_server_url) for _ in range(2))
    alice_config = relay_config(coturn, *turn_credentials(user_id=101))
    bob_config = relay_config(coturn, *turn_credentials(user_id=102))

    offer = alice.evaluate(SETUP_JS, {"config": alice_config, "offer": None})
    answer = bob.evaluate(SETUP_JS, {"config": bob_config, "offer": offer})
    # Relay-only: the browsers offer nothing but coturn's relayed addresses.
    assert candidate_types(offer) == {"relay"}
    assert candidate_types(answer) == {"relay"}
    alice.evaluate("(sdp) => window.testPc.setRemoteDescription({type: 'answer', sdp})", answer)

    deadline = time.monotonic() + 20
    while True:
        stats = [page.evaluate(STATS_JS) for page in (alice, bob)]
        if all(s["framesDecoded"] > 0 and s["audioPackets"] > 0 for s in stats):
            break
        assert time.monotonic() < deadline, stats
        time.sleep(0.25)
    for s in stats:
        assert s["state"] == "connected"
        assert s["pair"] == {"local": "relay", "remote": "relay"}
    # coturn saw both users' allocations under their time-limited usernames.
    deadline = time.monotonic() + 5
    while not (":101" in coturn.log_text() and ":102" in coturn.log_text()):
        assert time.monotonic() < deadline, coturn.log_text()[-3000:]
        time.sleep(0.2)


@pytest.mark.parametrize("forgery", ["expired", "wrong-secret"])
def test_coturn_refuses_expired_or_forged_credentials(
    coturn, new_page, live_server_url, settings, forgery
):
    if forgery == "expired":
        settings.CLASSMEET_TURN_SECRET = coturn.secret
        settings.CLASSMEET_TURN_TTL_SECONDS = 60
        username, credential = turn_credentials(user_id=103, now=time.time() - 3600)
    else:
        settings.CLASSMEET_TURN_SECRET = "not-" + coturn.secret
        username, credential = turn_credentials(user_id=104)
    assert int(username.split(":")[0]) > 0
    page = open_blank_app_page(new_page, live_server_url)
    offer = page.evaluate(
        SETUP_JS, {"config": relay_config(coturn, username, credential), "offer": None}
    )
    assert "relay" not in candidate_types(offer)
    assert 401 in page.evaluate("() => window.iceErrors")
    deadline = time.monotonic() + 5
    refused = f"user <{username}>: incoming packet message processed, error 401"
    while refused not in coturn.log_text():
        assert time.monotonic() < deadline, coturn.log_text()[-3000:]
        time.sleep(0.2)


def test_the_deploy_config_keeps_its_safety_lines():
    """The shipped config authenticates with the shared secret and never relays to private nets."""
    active = deploy_conf_active_lines()
    assert "use-auth-secret" in active
    assert "fingerprint" in active
    assert "no-cli" in active
    assert "allow-loopback-peers" not in active
    assert "denied-peer-ip=10.0.0.0-10.255.255.255" in active
    assert "denied-peer-ip=192.168.0.0-192.168.255.255" in active


ROOM_RELAY_JS = """
async () => {
  const out = [];
  for (const [, pc] of window.classmeetRoom.connections()) {
    const stats = await pc.getStats();
    const byId = new Map();
    stats.forEach((s) => byId.set(s.id, s));
    let frames = 0, pair = null;
    stats.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0;
      if (s.type === "transport" && s.selectedCandidatePairId) {
        const p = byId.get(s.selectedCandidatePairId);
        pair = [byId.get(p.localCandidateId).candidateType,
                byId.get(p.remoteCandidateId).candidateType];
      }
    });
    out.push({state: pc.connectionState, frames, pair, policy: pc.getConfiguration().iceTransportPolicy});
  }
  return out;
}
"""


def test_the_room_page_relays_through_coturn_when_relay_only_is_set(coturn, new_page, settings):
    """The app's own settings path: TURN_URLS + TURN_SECRET + ICE_RELAY_ONLY reach `welcome`."""
    from django.urls import reverse

    from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
    from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
    from classmeet.meetings.tests.factories import MeetingFactory

    settings.CLASSMEET_TURN_URLS = coturn.urls()
    settings.CLASSMEET_TURN_SECRET = coturn.secret
    settings.CLASSMEET_ICE_RELAY_ONLY = True
    teacher = TeacherFactory.create(username="turn_teacher")
    student = StudentFactory.create(username="turn_student")
    course = CourseFactory.create(teacher=teacher)
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course)
    pages = []
    for user in (teacher, student):
        page = new_page(user, sign_in="cookie")
        page.goto(reverse("rooms:room", kwargs={"meeting_id": meeting.pk}))
        page.wait_for_selector("#room[data-joined='true']")
        pages.append(page)
    deadline = time.monotonic() + 25
    while True:
        stats = [page.evaluate(ROOM_RELAY_JS) for page in pages]
        if all(len(s) == 1 and s[0]["frames"] > 0 for s in stats):
            break
        assert time.monotonic() < deadline, stats
        time.sleep(0.25)
    for [s] in stats:
        assert s["state"] == "connected"
        assert s["policy"] == "relay"
        assert s["pair"] == ["relay", "relay"]
    deadline = time.monotonic() + 5
    while not all(f":{user.pk}>" in coturn.log_text() for user in (teacher, student)):
        assert time.monotonic() < deadline, coturn.log_text()[-3000:]
        time.sleep(0.2)
