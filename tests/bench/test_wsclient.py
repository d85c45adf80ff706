"""The relay benchmark's WebSocket client against a real `websockets` server: the frames it cuts
from the stream itself and the ones it leaves to websockets must both arrive whole and in order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve

from bench import wsclient

TEXTS = ["", "a", "é" * 70, "x" * 125, "y" * 126, "z" * 65_535, "w" * 65_536, "v" * 300_000]


async def start(handler: Any) -> tuple[Server, int]:
    server = await serve(handler, "127.0.0.1", 0, compression=None)
    port = server.sockets[0].getsockname()[1]
    return server, port


async def test_text_frames_of_every_length_go_both_ways_whole_and_in_order() -> None:
    async def handler(ws: ServerConnection) -> None:
        assert (await ws.recv()) == "hello"
        assert ws.request is not None
        assert ws.request.headers["Cookie"] == "sessionid=k"
        for text in TEXTS:  # the client's own framing and masking, as websockets reads them
            assert (await ws.recv()) == text
        for text in TEXTS:
            await ws.send(text)
        await ws.send(["frag", "ment", "ed"])  # a fragmented message goes through websockets
        await ws.ping()
        await ws.send("after the ping")
        await ws.close(4001, "bye")

    server, port = await start(handler)
    async with server:
        client = await wsclient.Client.connect(
            "127.0.0.1", port, "/ws/", headers={"Cookie": "sessionid=k"}
        )
        got: list[str] = []
        client.on_text = got.append
        client.send("hello")
        for text in TEXTS:
            client.send(text)
        code = await asyncio.wait_for(client.closed, 10)
    assert got == [*TEXTS, "fragmented", "after the ping"]
    assert code == 4001


async def test_a_refused_handshake_raises() -> None:
    async def handler(ws: ServerConnection) -> None:  # pragma: no cover - never reached
        await ws.close()

    server = await serve(
        handler,
        "127.0.0.1",
        0,
        process_request=lambda connection, request: connection.respond(403, "no\n"),
    )
    port = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(Exception, match="403"):
            await wsclient.Client.connect("127.0.0.1", port, "/ws/", headers={})


async def test_close_from_the_client_completes_the_handshake() -> None:
    closed: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    async def handler(ws: ServerConnection) -> None:
        async for _ in ws:
            pass
        closed.set_result(ws.close_code)

    server, port = await start(handler)
    async with server:
        client = await wsclient.Client.connect("127.0.0.1", port, "/", headers={})
        assert await client.close() == 1000
        assert await asyncio.wait_for(closed, 10) == 1000
    client.send("dropped, not raised")  # a send after close is a no-op
