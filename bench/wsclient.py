"""A WebSocket client for load generators: websockets' sans-I/O protocol on an asyncio.Protocol.

`websockets.asyncio.client` spends a future, a queue hand-off and a task switch on every frame,
which made the relay benchmark's generator cost more CPU per message than the relay it measured
(the floor), on the same 2 cores. Here a send is websockets' framing plus one `transport.write`,
and a received text frame is a plain callback: once the handshake is done, whole unfragmented
text frames are cut from the stream here (a header and a slice), and every other frame (close,
ping, fragments) is handed, whole and in order, to websockets' `ClientProtocol`, which still does
the handshake, closing handshake, ping/pong, fragment assembly and masking.
"""

from __future__ import annotations

import asyncio
import random
import struct
from collections.abc import Callable
from typing import cast

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import SEND_EOF, State
from websockets.speedups import apply_mask
from websockets.typing import Origin
from websockets.uri import parse_uri

_HEADER_SHORT, _HEADER_MEDIUM, _HEADER_LONG = (struct.Struct(f) for f in ("!BB", "!BBH", "!BBQ"))
_masks = random.Random(0)


class Closed(Exception):
    """The connection ended; `code` is the close code the server sent, if any."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"connection closed (code {code})")
        self.code = code


class Client(asyncio.Protocol):
    def __init__(self, url: str, *, origin: str, headers: dict[str, str]) -> None:
        self.protocol = ClientProtocol(parse_uri(url), origin=Origin(origin), max_size=None)
        self.headers = headers
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[int | None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.on_text: Callable[[str], None] = lambda text: None
        self._fragments: list[bytes] = []
        self._buffer = bytearray()  # after the handshake: bytes of a frame not yet whole
        self._cutting = False
        self._abort_scheduled = False

    @classmethod
    async def connect(
        cls, host: str, port: int, path: str, *, headers: dict[str, str], timeout: float = 60
    ) -> Client:
        client = cls(f"ws://{host}:{port}{path}", origin=f"http://{host}:{port}", headers=headers)
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: client, host, port)
        await asyncio.wait_for(asyncio.shield(client.opened), timeout)
        return client

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        request = self.protocol.connect()
        for name, value in self.headers.items():
            request.headers[name] = value
        self.protocol.send_request(request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        # The cut starts on a frame boundary: after a successful handshake that left no partial
        # frame in websockets' own buffer (the server sends nothing before our `join`).
        if self._cutting or (self.protocol.state is State.OPEN and not self.protocol.reader.buffer):
            self._cutting = True
            self._buffer += data
            self._cut_frames()
        else:
            self._to_protocol(data)

    def _cut_frames(self) -> None:
        buffer = self._buffer
        start, end = 0, len(buffer)
        while end - start >= 2:
            head1, head2 = buffer[start], buffer[start + 1]
            length, offset = head2 & 0x7F, start + 2
            if length == 126:
                if end - offset < 2:
                    break
                (length,) = struct.unpack_from("!H", buffer, offset)
                offset += 2
            elif length == 127:
                if end - offset < 8:
                    break
                (length,) = struct.unpack_from("!Q", buffer, offset)
                offset += 8
            if head2 & 0x80:  # a masked frame from a server: let websockets refuse it
                offset += 4
            if end - offset < length:
                break
            if head1 == 0x81 and not head2 & 0x80:  # FIN, no RSV bits, text, unmasked
                self.on_text(buffer[offset : offset + length].decode())
            else:
                self._to_protocol(bytes(buffer[start : offset + length]))
            start = offset + length
        del buffer[:start]

    def _to_protocol(self, data: bytes) -> None:
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Frame):
                self._frame(event)
            elif isinstance(event, Response) and not self.opened.done():
                failure = self.protocol.handshake_exc
                if failure is None:
                    self.opened.set_result(None)
                else:
                    self.opened.set_exception(failure)
        self._flush()

    def eof_received(self) -> bool:
        self.protocol.receive_eof()
        self._flush()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        code = self.protocol.close_rcvd.code if self.protocol.close_rcvd else None
        if not self.opened.done():
            self.opened.set_exception(Closed(code))
        if not self.closed.done():
            self.closed.set_result(code)

    # Frames

    def _frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.TEXT or (frame.opcode is Opcode.CONT and self._fragments):
            if frame.fin and not self._fragments:
                self.on_text(bytes(frame.data).decode())
                return
            self._fragments.append(bytes(frame.data))
            if frame.fin:
                text = b"".join(self._fragments).decode()
                self._fragments.clear()
                self.on_text(text)

    def send(self, text: str) -> None:
        """Send a text frame; a socket that is already closing drops it (the run counts it lost).

        The frame is built here (header, a masking key, websockets' C `apply_mask`): a third of
        the cost of websockets' general `send_text`. The key comes from a seeded PRNG, not the
        OS: it only has to differ between frames, and a getrandom() call per frame is CPU the
        servers under test would not get."""
        if self.protocol.state is not State.OPEN or self.transport is None:
            return
        payload = text.encode()
        length = len(payload)
        if length < 126:
            header = _HEADER_SHORT.pack(0x81, 0x80 | length)
        elif length < 65536:
            header = _HEADER_MEDIUM.pack(0x81, 0xFE, length)
        else:
            header = _HEADER_LONG.pack(0x81, 0xFF, length)
        key = _masks.getrandbits(32).to_bytes(4, "big")
        self.transport.write(header + key + apply_mask(payload, key))

    async def close(self) -> int | None:
        if self.transport is not None and not self.transport.is_closing():
            self.protocol.send_close(1000)
            self._flush()
        try:
            return await asyncio.wait_for(asyncio.shield(self.closed), 5)
        except TimeoutError:
            if self.transport is not None:
                self.transport.abort()
            return None

    def _flush(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        for data in self.protocol.data_to_send():
            if data == SEND_EOF:
                if transport.can_write_eof():
                    transport.write_eof()
            else:
                transport.write(data)
        if self.protocol.close_expected() and not self._abort_scheduled:
            # Our side of the closing handshake is done and the server closes TCP; if it does
            # not, don't wait for it.
            self._abort_scheduled = True
            asyncio.get_running_loop().call_later(5, transport.abort)
