"""The bare page that bench/bench_join.py --compare bare measures the room against.

The least a 2-party call in the browser needs, with none of Classmeet's page weight: a form
sign-in (a cookie), one HTML page with its script inline (getUserMedia, one RTCPeerConnection per
peer, perfect negotiation kept minimal), and a targeted relay (a WebSocket that sends `welcome`
with the others, tells them `user-joined`, and forwards a frame to the peer it names). Plain ASGI
served by the same uvicorn as the room's live server (tests/browser.py), no framework.

The page keeps the room page's diagnostics (`window.classmeetRoom.connections()` and `.timings`,
`performance.mark("classmeet:<step>")`), so the benchmark reads both pages the same way.
"""

from __future__ import annotations

import itertools
import json
from typing import Any
from urllib.parse import parse_qs

COOKIE = "bare_user"

LOGIN_HTML = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
</head><body><form method="post" action="/login/"><input name="username" required>
<button type="submit">Sign in</button></form></body></html>"""

ROOM_HTML = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Room</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<div id="grid"><video id="local" autoplay playsinline muted></video></div>
<script type="module">
const mark = (step) => (performance.mark(`classmeet:${step}`), performance.now());
const timings = { start: mark("start"), socket: null, media: null, welcome: null, connected: {} };
const pcs = new Map();
const stream = new MediaStream();
window.classmeetRoom = { connections: () => pcs, timings };
let self = null;
const ws = new WebSocket(`ws://${location.host}/ws/`);
const send = (msg) => ws.send(JSON.stringify(msg));

navigator.mediaDevices.getUserMedia({ audio: true, video: true }).then((media) => {
  timings.media = mark("media");
  document.getElementById("local").srcObject = media;
  for (const track of media.getTracks()) {
    stream.addTrack(track);
    for (const pc of pcs.values()) {
      const sender = pc.getTransceivers().find((t) => t.receiver.track.kind === track.kind)?.sender;
      sender?.replaceTrack(track);
    }
  }
});

function link(peer) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const polite = self < peer;
  let makingOffer = false;
  pcs.set(peer, pc);
  pc.onicecandidate = ({ candidate }) => candidate && send({ type: "ice-candidate", to: peer, candidate });
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === "connected") timings.connected[peer] ??= mark(`connected-${peer}`);
  };
  pc.ontrack = ({ streams }) => {
    let video = document.getElementById(`v-${peer}`);
    if (!video) {
      video = Object.assign(document.createElement("video"), { id: `v-${peer}`, autoplay: true, playsInline: true });
      document.getElementById("grid").append(video);
    }
    video.srcObject = streams[0] ?? new MediaStream();
  };
  pc.onnegotiationneeded = async () => {
    makingOffer = true;
    await pc.setLocalDescription();
    makingOffer = false;
    timings.firstOffer ??= mark("first-offer");
    send({ type: pc.localDescription.type, to: peer, sdp: pc.localDescription.sdp });
  };
  pc.handle = async (msg) => {
    if (msg.type === "ice-candidate") return pc.addIceCandidate(msg.candidate).catch(() => {});
    const collision = msg.type === "offer" && (makingOffer || pc.signalingState !== "stable");
    if (collision && !polite) return;
    await pc.setRemoteDescription({ type: msg.type, sdp: msg.sdp });
    if (msg.type === "offer") {
      // Answer sending both kinds even while the camera is pending (the room does the same):
      // the media callback's replaceTrack then starts them without a renegotiation.
      for (const t of pc.getTransceivers()) {
        t.direction = "sendrecv";
        t.sender.setStreams(stream);
        const track = stream.getTracks().find((k) => k.kind === t.receiver.track.kind);
        if (track && !t.sender.track) await t.sender.replaceTrack(track);
      }
      await pc.setLocalDescription();
      send({ type: "answer", to: peer, sdp: pc.localDescription.sdp });
    }
  };
  return pc;
}

function offerTo(peer) {
  const pc = link(peer);
  for (const kind of ["audio", "video"]) {
    const track = stream.getTracks().find((t) => t.kind === kind);
    pc.addTransceiver(track ?? kind, { direction: "sendrecv", streams: [stream] });
  }
}

ws.onopen = () => {
  timings.socket = mark("socket");
  send({ type: "join" });
};
ws.onmessage = async ({ data }) => {
  const msg = JSON.parse(data);
  if (msg.type === "welcome") {
    timings.welcome = mark("welcome");
    document.body.dataset.joined = "true";
    self = msg.peerId;
    for (const peer of msg.participants) offerTo(peer);
  } else if (msg.from) {
    let pc = pcs.get(msg.from);
    if (!pc) pc = link(msg.from);
    await pc.handle(msg);
  }
};
</script></body></html>"""


class Relay:
    """The sockets of the one room: peer id -> send function."""

    def __init__(self) -> None:
        self.peers: dict[str, Any] = {}
        self.ids = itertools.count(1)


async def _body(receive: Any) -> bytes:
    body = b""
    while True:
        message: dict[str, Any] = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return body


async def _respond(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _user(scope: dict[str, Any]) -> str:
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode().split(";"):
                key, _, user = part.strip().partition("=")
                if key == COOKIE and user:
                    return user
    return ""


def make_app() -> Any:
    relay = Relay()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            await socket(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        html = [(b"content-type", b"text/html; charset=utf-8")]
        if scope["path"] == "/login/" and scope["method"] == "POST":
            user = parse_qs((await _body(receive)).decode()).get("username", [""])[0]
            cookie = f"{COOKIE}={user}; Path=/; HttpOnly; SameSite=Lax".encode()
            await _respond(send, 302, b"", [(b"location", b"/room/"), (b"set-cookie", cookie)])
        elif scope["path"] == "/login/":
            await _respond(send, 200, LOGIN_HTML, html)
        elif scope["path"] == "/room/" and _user(scope):
            await _respond(send, 200, ROOM_HTML, [*html, (b"cache-control", b"no-store")])
        elif scope["path"] == "/room/":
            await _respond(send, 302, b"", [(b"location", b"/login/")])
        else:
            await _respond(send, 404, b"", html)

    async def socket(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        if not _user(scope):
            await send({"type": "websocket.close", "code": 4401})
            return
        await send({"type": "websocket.accept"})
        peer = ""

        async def deliver(text: str) -> None:
            await send({"type": "websocket.send", "text": text})

        try:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                frame = json.loads(message.get("text") or "{}")
                if frame.get("type") == "join" and not peer:
                    peer = f"p{next(relay.ids):04d}"
                    others = list(relay.peers)
                    relay.peers[peer] = deliver
                    await deliver(
                        json.dumps({"type": "welcome", "peerId": peer, "participants": others})
                    )
                    for other in others:
                        await relay.peers[other](
                            json.dumps({"type": "user-joined", "peerId": peer})
                        )
                elif peer and frame.get("to") in relay.peers:
                    target = relay.peers[frame.pop("to")]
                    await target(json.dumps({**frame, "from": peer}))
        finally:
            relay.peers.pop(peer, None)

    return app


def bare_server(marks: Any = None) -> Any:
    """The bare app under uvicorn in a process of its own (bench/join_server.py), as the room's
    (same uvicorn options)."""
    from bench.join_server import BARE, ServerProcess

    return ServerProcess(BARE, marks=marks)
