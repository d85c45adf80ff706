"""The floor of the signaling benchmark: the least a relay can do, with plain `websockets`.

It speaks the same frames as the live room (`join` → `welcome`, `user-joined`, targeted
`offer`/`answer`/`ice-candidate` with the server's `from`, `ping` → `pong`) on the same URL,
/ws/meeting/<id>/, but checks nothing: no session, no access check, no validation, no presence
store. Each frame is parsed once and re-encoded once, as any relay that adds the sender must.

    python -m bench.relay_floor --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

RELAYED = {"offer", "answer", "ice-candidate"}

rooms: dict[str, dict[str, ServerConnection]] = {}


async def handler(ws: ServerConnection) -> None:
    path = ws.request.path if ws.request else ""
    room_id = path.strip("/").split("/")[-1]
    room = rooms.setdefault(room_id, {})
    peer_id = ""
    try:
        async for text in ws:
            message: dict[str, Any] = json.loads(text)
            kind = message.get("type")
            if kind in RELAYED and peer_id:
                target = room.get(message.pop("to", ""))
                if target is None:
                    continue
                message["from"] = peer_id
                message["fromUserId"] = 0
                message["fromName"] = peer_id[:8]
                await target.send(json.dumps(message))
            elif kind == "join" and not peer_id:
                peer_id = uuid.uuid4().hex
                others = [{"peerId": p, "userId": 0, "name": p[:8], "role": ""} for p in room]
                room[peer_id] = ws
                welcome = {"type": "welcome", "peerId": peer_id, "participants": others}
                await ws.send(json.dumps({**welcome, "iceServers": [], "heartbeatSeconds": 10}))
                joined = json.dumps(
                    {"type": "user-joined", "peerId": peer_id, "userId": 0, "name": "", "role": ""}
                )
                for other, sock in list(room.items()):
                    if other != peer_id:
                        await sock.send(joined)
            elif kind == "ping":
                await ws.send('{"type":"pong"}')
    finally:
        if peer_id:
            room.pop(peer_id, None)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    import uvloop

    uvloop.run(main(args.port))
