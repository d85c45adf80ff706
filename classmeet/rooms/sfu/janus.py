"""A small asynchronous client of the Janus HTTP API (VideoRoom plugin), used by the servers only.

`JanusSession` is one Janus session: handles are attached to it, plugin requests are sent with
`request` (synchronous answers: create, destroy, kick, allowed, listparticipants) or `message`
(asynchronous ones: join, configure, start — the answer comes back as an event, matched to the
request by its transaction, through the session's long poll). Every request carries either the
`apisecret` (the servers' own control sessions) or a participant's signed `token` (their media
sessions: Janus refuses every request once it expired); errors of Janus or of the plugin raise
`JanusError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

import httpx

logger = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
# VideoRoom error codes Classmeet relies on.
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
UNAUTHORIZED = 433
# The long poll failing this many times in a row (POLL_RETRY_SECONDS apart) means Janus is gone.
LOST_AFTER_FAILURES = 3
POLL_RETRY_SECONDS = 0.5


class JanusError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


# What a Janus call may raise when Janus refuses, is down or too slow.
SFU_ERRORS = (JanusError, httpx.HTTPError, OSError, TimeoutError, KeyError, ValueError)


def _check(reply: dict[str, Any]) -> dict[str, Any]:
    if reply.get("janus") == "error":
        error = reply.get("error", {})
        raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
    data = reply.get("plugindata", {}).get("data", {})
    if "error_code" in data:
        raise JanusError(int(data["error_code"]), str(data.get("error", "")))
    return reply


class JanusSession:
    def __init__(
        self, *, url: str, api_secret: str = "", token: str = "", timeout: float = 10.0
    ) -> None:
        self.url = url.rstrip("/")
        self.api_secret = api_secret
        self.token = token  # renewed in place: each request carries the current one
        self.timeout = timeout
        self.session_id = 0
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, read=timeout + 40))
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._poller: asyncio.Task[None] | None = None
        self._up: dict[int, asyncio.Event] = {}  # handle -> its PeerConnection is up
        self.closed = False
        # Set when Janus dropped the session or stopped answering (not on close()).
        self.lost = asyncio.Event()
        self.on_lost: Callable[[], None] | None = None

    async def __aenter__(self) -> JanusSession:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "transaction": body.get("transaction") or secrets.token_hex(8)}
        body.update(self._credentials())
        response = await self._client.post(f"{self.url}{path}", json=body)
        return _check(response.json())

    def _credentials(self) -> dict[str, str]:
        if self.token:
            return {"token": self.token}
        return {"apisecret": self.api_secret} if self.api_secret else {}

    async def open(self) -> None:
        """Create the session and start its long poll (events and asynchronous answers)."""
        reply = await self._post("", {"janus": "create"})
        self.session_id = int(reply["data"]["id"])
        self._poller = asyncio.create_task(self._poll())

    async def attach(self) -> int:
        reply = await self._post(f"/{self.session_id}", {"janus": "attach", "plugin": VIDEOROOM})
        return int(reply["data"]["id"])

    async def detach(self, handle_id: int) -> None:
        with contextlib.suppress(JanusError, httpx.HTTPError):
            await self._post(f"/{self.session_id}/{handle_id}", {"janus": "detach"})

    async def request(self, handle_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous plugin request; return the plugin's data."""
        reply = await self._post(
            f"/{self.session_id}/{handle_id}", {"janus": "message", "body": body}
        )
        return dict(reply.get("plugindata", {}).get("data", {}))

    async def message(
        self, handle_id: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """An asynchronous plugin request; wait for its event, return (data, jsep)."""
        transaction = secrets.token_hex(8)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = future
        payload: dict[str, Any] = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            payload["jsep"] = jsep
        try:
            await self._post(f"/{self.session_id}/{handle_id}", payload)
            event = _check(await asyncio.wait_for(future, self.timeout))
        finally:
            self._waiting.pop(transaction, None)
        return dict(event.get("plugindata", {}).get("data", {})), event.get("jsep")

    async def trickle(self, handle_id: int, candidate: dict[str, Any]) -> None:
        """Hand Janus one ICE candidate of the browser's link (or `{"completed": true}`)."""
        await self._post(
            f"/{self.session_id}/{handle_id}", {"janus": "trickle", "candidate": candidate}
        )

    async def _poll(self) -> None:
        failures = 0
        while not self.closed:
            try:
                params = {"maxev": "10", **self._credentials()}
                response = await self._client.get(f"{self.url}/{self.session_id}", params=params)
                events = response.json()
            except asyncio.CancelledError:
                raise
            except Exception:
                if self.closed:
                    return
                failures += 1
                logger.warning("Janus long poll of session %s failed", self.session_id)
                if failures >= LOST_AFTER_FAILURES:
                    self._gone({"janus": "error", "error": {"code": 0, "reason": "unreachable"}})
                    return
                await asyncio.sleep(POLL_RETRY_SECONDS)
                continue
            failures = 0
            for event in events if isinstance(events, list) else [events]:
                if event.get("janus") == "error" and event.get("error", {}).get("code") == 458:
                    self._gone(event)  # the session is gone (timed out, destroyed, restarted)
                    return
                if event.get("janus") == "webrtcup":
                    self._up_event(int(event.get("sender", 0))).set()
                waiting = self._waiting.get(str(event.get("transaction", "")))
                if waiting is not None and not waiting.done() and event.get("janus") != "ack":
                    waiting.set_result(event)

    def _gone(self, event: dict[str, Any]) -> None:
        """Janus lost this session or cannot be reached: fail what waits, tell `on_lost`."""
        self.closed = True
        for future in self._waiting.values():
            if not future.done():
                future.set_result(event)
        self.lost.set()
        if self.on_lost is not None:
            self.on_lost()

    def _up_event(self, handle_id: int) -> asyncio.Event:
        return self._up.setdefault(handle_id, asyncio.Event())

    async def wait_up(self, handle_id: int, timeout: float) -> bool:
        """Wait until the handle's PeerConnection is up (Janus `webrtcup`); False on timeout."""
        try:
            await asyncio.wait_for(self._up_event(handle_id).wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Destroy the session (Janus hangs up its handles, publishers leave their rooms)."""
        if self.session_id and not self.closed:
            with contextlib.suppress(JanusError, httpx.HTTPError):
                await self._post(f"/{self.session_id}", {"janus": "destroy"})
        self.closed = True
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
        await self._client.aclose()
