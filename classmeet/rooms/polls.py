"""Quizzes and polls in the live class: `poll-open`, `poll-answer`, `poll-close` (docs/protocol.md
"Quizzes and polls").

The open poll and its answers live next to presence: in Redis with the Redis layer (one hash for
the poll, one for the answers, keyed by student, so a second answer replaces the first and is
never counted twice, whichever process takes it), else in the process. The database gets the poll
when it opens and its answers, results and grades when it closes (coursework.services.live_polls);
an answer costs no query. Whoever takes the answers out of the state (an atomic step) closes the
poll; everyone else finds it gone, so a close racing the timer, or two processes, close it once.

Staff see live results through the meeting's staff group, coalesced to one send per 250 ms window
per room: the answer that opens a window claims it (`SET NX PX` in Redis, a pending task in the
process) and its process sends the results when the window ends. The timer runs in the opener's
process, and any process touching a poll past its close time closes it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from classmeet.rooms import presence, protocol
from classmeet.rooms.classroom_base import ClassroomBase, room_redis
from classmeet.rooms.frames import frame_event
from classmeet.rooms.services.events import meeting_group_name

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.25  # live results: at most 4 sends a second per room
# A poll's state outlives its close time by this much (a poll without a timer: a long class).
POLL_STATE_SECONDS = 6 * 3600
CLAIM_SECONDS = 30  # a claim never published (its process died while opening) frees itself

NOT_OPEN = protocol.ErrorCode.POLL_NOT_OPEN
BAD_CHOICE = protocol.ErrorCode.POLL_BAD_CHOICE


def staff_group_name(meeting_id: int) -> str:
    """The channel-layer group of the meeting's staff sockets (live poll results)."""
    return f"{meeting_group_name(meeting_id)}.staff"


# The state of each room's poll ------------------------------------------------------------------

# KEYS: poll hash, answers hash. ARGV: poll id, answer key, choice (JSON), now, answers' TTL.
# 1: kept; 0: not this room's open poll; -1: past its close time.
_ANSWER_LUA = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
local closes = tonumber(redis.call('HGET', KEYS[1], 'closes') or '0')
if closes > 0 and tonumber(ARGV[4]) >= closes then return -1 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
"""
# KEYS: poll hash, answers hash. ARGV: poll id. The poll's data and answers, or nil if it is
# not (any longer) the open poll: the caller that gets them closes it.
_TAKE_LUA = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return false end
local data = redis.call('HGET', KEYS[1], 'data')
local answers = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
return {data, answers}
"""


class PollState:
    """Each room's open poll (a dict, see `poll_data`) and its answers (answer key → choice)."""

    def __init__(self) -> None:
        self._polls: dict[int, dict[str, Any] | None] = {}  # None: claimed, not yet published
        self._answers: dict[int, dict[str, list[int]]] = {}
        self._flushing: set[int] = set()

    _redis = staticmethod(room_redis)

    @staticmethod
    def _keys(base: str) -> tuple[str, str]:
        return f"{base}:poll", f"{base}:poll-answers"

    async def claim(self, meeting_id: int) -> bool:
        """Take the room's one poll slot (False: a poll is open or being opened)."""
        redis = self._redis(meeting_id)
        if redis is None:
            if meeting_id in self._polls:
                return False
            self._polls[meeting_id] = None
            return True
        client, base = redis
        poll_key, _answers = self._keys(base)
        claimed = await client.hsetnx(poll_key, "id", "0")
        if claimed:
            await client.expire(poll_key, CLAIM_SECONDS)
        return bool(claimed)

    async def release(self, meeting_id: int) -> None:
        """Give the slot back after an open that failed."""
        redis = self._redis(meeting_id)
        if redis is None:
            if self._polls.get(meeting_id, 0) is None:
                del self._polls[meeting_id]
            return
        client, base = redis
        poll_key, _answers = self._keys(base)
        if await client.hget(poll_key, "id") == "0":
            await client.delete(poll_key)

    async def publish(self, meeting_id: int, poll: dict[str, Any]) -> None:
        redis = self._redis(meeting_id)
        if redis is None:
            self._polls[meeting_id] = poll
            self._answers[meeting_id] = {}
            return
        client, base = redis
        poll_key, answers_key = self._keys(base)
        async with client.pipeline(transaction=True) as pipe:
            pipe.delete(answers_key)
            pipe.hset(
                poll_key,
                mapping={
                    "id": str(poll["id"]),
                    "closes": repr(poll["closes"]),
                    "data": _json(poll),
                },
            )
            pipe.expire(poll_key, _state_seconds(poll))
            await pipe.execute()

    async def current(self, meeting_id: int) -> dict[str, Any] | None:
        """The room's open poll (possibly past its close time), or None."""
        redis = self._redis(meeting_id)
        if redis is None:
            return self._polls.get(meeting_id)
        client, base = redis
        poll_key, _answers = self._keys(base)
        data = await client.hget(poll_key, "data")
        return json.loads(data) if data else None

    async def answer(
        self, meeting_id: int, poll: dict[str, Any], key: str, choice: list[int], now: float
    ) -> int:
        """Keep the answer (replacing the same student's): 1; not open: 0; past closing: -1."""
        redis = self._redis(meeting_id)
        if redis is None:
            current = self._polls.get(meeting_id)
            if current is None or current["id"] != poll["id"]:
                return 0
            if current["closes"] and now >= current["closes"]:
                return -1
            self._answers[meeting_id][key] = choice
            return 1
        client, base = redis
        keys = self._keys(base)
        args = [str(poll["id"]), key, _json(choice), repr(now), _state_seconds(poll)]
        return int(await client.eval(_ANSWER_LUA, 2, *keys, *args))

    async def answers(self, meeting_id: int, poll_id: int) -> dict[str, list[int]]:
        redis = self._redis(meeting_id)
        if redis is None:
            current = self._polls.get(meeting_id)
            if current is None or current["id"] != poll_id:
                return {}
            return dict(self._answers.get(meeting_id, {}))
        client, base = redis
        _poll, answers_key = self._keys(base)
        return {key: json.loads(raw) for key, raw in (await client.hgetall(answers_key)).items()}

    async def answer_of(self, meeting_id: int, poll_id: int, key: str) -> list[int] | None:
        redis = self._redis(meeting_id)
        if redis is None:
            current = self._polls.get(meeting_id)
            if current is None or current["id"] != poll_id:
                return None
            return self._answers.get(meeting_id, {}).get(key)
        client, base = redis
        _poll, answers_key = self._keys(base)
        raw = await client.hget(answers_key, key)
        return json.loads(raw) if raw else None

    async def take(
        self, meeting_id: int, poll_id: int
    ) -> tuple[dict[str, Any], dict[str, list[int]]] | None:
        """End the poll in the state: (poll, answers) to the one caller that ends it, else None."""
        redis = self._redis(meeting_id)
        if redis is None:
            current = self._polls.get(meeting_id)
            if current is None or current["id"] != poll_id:
                return None
            del self._polls[meeting_id]
            return current, self._answers.pop(meeting_id, {})
        client, base = redis
        taken = await client.eval(_TAKE_LUA, 2, *self._keys(base), str(poll_id))
        if not taken:
            return None
        data, flat = taken
        answers = {flat[i]: json.loads(flat[i + 1]) for i in range(0, len(flat), 2)}
        return json.loads(data), answers

    async def claim_flush(self, meeting_id: int) -> bool:
        """Open a results window for the room; False if one is already open (it sends)."""
        redis = self._redis(meeting_id)
        if redis is None:
            if meeting_id in self._flushing:
                return False
            self._flushing.add(meeting_id)
            return True
        client, base = redis
        return bool(await client.set(f"{base}:poll-flush", "1", nx=True, px=250))

    def end_flush(self, meeting_id: int) -> None:
        self._flushing.discard(meeting_id)


state = PollState()
# Poll definitions seen by this process (id → poll): an answer checks its choice without a read.
_known: OrderedDict[int, dict[str, Any]] = OrderedDict()
# Timers and results windows of this process (kept referenced until they end).
_tasks: set[asyncio.Task[Any]] = set()


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _state_seconds(poll: dict[str, Any]) -> int:
    if poll["closes"]:
        return int(max(0.0, poll["closes"] - time.time())) + POLL_STATE_SECONDS
    return POLL_STATE_SECONDS


def _remember(poll: dict[str, Any]) -> None:
    _known[poll["id"]] = poll
    while len(_known) > 256:
        _known.popitem(last=False)


def _spawn(coro: Any) -> None:
    task = asyncio.get_running_loop().create_task(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def answer_key(poll: dict[str, Any], user_id: int) -> str:
    """Who answered: the user id, or for an anonymous poll a keyed hash of it (the state keeps
    one answer per student without naming them)."""
    if not poll["anonymous"]:
        return str(user_id)
    return hmac.new(poll["salt"].encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:24]


def _poll_message(poll: dict[str, Any], *, answer: list[int] | None = None) -> protocol.Poll:
    closes = poll["closes"] or None
    return protocol.Poll(
        pollId=poll["id"],
        question=poll["question"],
        options=poll["options"],
        multiple=poll["multiple"],
        anonymous=poll["anonymous"],
        closesAt=datetime.fromtimestamp(closes, tz=UTC).isoformat() if closes else None,
        secondsLeft=round(max(0.0, closes - time.time()), 3) if closes else None,
        answer=answer,
    )


async def _present(meeting_id: int, staff: list[int]) -> int:
    """Students in the room: distinct users present, staff aside."""
    peers = await presence.get_store().all(meeting_id)
    return len({peer.user_id for peer, _seen in peers} - set(staff))


def _results(
    poll: dict[str, Any], answers: dict[str, list[int]], present: int, *, final: bool
) -> protocol.PollResults:
    from classmeet.coursework.services.live_polls import live_poll_counts

    return protocol.PollResults(
        pollId=poll["id"],
        counts=live_poll_counts(options=len(poll["options"]), choices=list(answers.values())),
        answered=len(answers),
        present=present,
        final=final,
        correct=poll["correct"] if final else None,
    )


async def _send_group(group: str, message: protocol.Message) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, frame_event(protocol.dump(message)))


async def live_results(meeting_id: int) -> protocol.PollResults | None:
    poll = await state.current(meeting_id)
    if poll is None:
        return None
    answers = await state.answers(meeting_id, poll["id"])
    return _results(poll, answers, await _present(meeting_id, poll["staff"]), final=False)


async def _flush_later(meeting_id: int) -> None:
    """Send the room's staff the live results at the end of this window."""
    try:
        # A hair past the Redis window: every answer that found the window open is counted.
        await asyncio.sleep(FLUSH_SECONDS + 0.01)
        state.end_flush(meeting_id)
        results = await live_results(meeting_id)
        if results is not None:
            await _send_group(staff_group_name(meeting_id), results)
    except Exception:
        logger.exception("live poll results of meeting %s failed", meeting_id)
    finally:
        state.end_flush(meeting_id)


async def results_soon(meeting_id: int) -> None:
    if await state.claim_flush(meeting_id):
        _spawn(_flush_later(meeting_id))


async def close_poll(meeting_id: int, poll_id: int) -> bool:
    """Close the poll if it is still open: persist it, send everybody the final results.
    False if someone else closed it (or it is not this room's)."""
    taken = await state.take(meeting_id, poll_id)
    if taken is None:
        return False
    poll, answers = taken
    _known.pop(poll_id, None)
    present = await _present(meeting_id, poll["staff"])
    try:
        await database_sync_to_async(_close)(poll, answers, present)
    except Exception:  # the room still gets its results; the log says what was lost
        logger.exception("persisting live poll %s failed", poll_id)
    await _send_group(meeting_group_name(meeting_id), _results(poll, answers, present, final=True))
    return True


async def open_poll(meeting_id: int) -> dict[str, Any] | None:
    """The room's open poll; one past its close time is closed now (its timer's process may
    be gone)."""
    poll = await state.current(meeting_id)
    if poll is not None and poll["closes"] and time.time() >= poll["closes"]:
        await close_poll(meeting_id, poll["id"])
        return None
    return poll


async def _sleep_until(at: float) -> None:
    await asyncio.sleep(max(0.0, at - time.time()))


async def _close_at(meeting_id: int, poll_id: int, closes: float) -> None:
    try:
        await _sleep_until(closes)
        await close_poll(meeting_id, poll_id)
    except Exception:
        logger.exception("closing live poll %s on time failed", poll_id)


# Database work (runs in a DB thread) ------------------------------------------------------------


def _prepared(meeting_id: int, question_id: int) -> dict[str, Any] | None:
    """The prepared question's poll fields, or None when it cannot be launched here."""
    from classmeet.coursework.selectors.live_polls import CHOICE_KINDS, prepared_live_question_get
    from classmeet.meetings.models import Meeting

    course_id = Meeting.objects.filter(pk=meeting_id).values_list("course_id", flat=True).first()
    question = prepared_live_question_get(course_id=course_id or 0, question_id=question_id)
    if question is None or question.kind not in CHOICE_KINDS:
        return None
    choices = list(question.choices.all())
    if not protocol.POLL_MIN_OPTIONS <= len(choices) <= protocol.POLL_MAX_OPTIONS:
        return None
    correct = [index for index, choice in enumerate(choices) if choice.is_correct]
    return {
        "question": question.text.strip()[:500],
        "options": [choice.text.strip()[:200] or "—" for choice in choices],
        "multiple": question.kind == question.Kind.MULTIPLE,
        "correct": correct or None,
        "points": str(question.points),
        "source": question.pk,
    }


def _open(meeting_id: int, user_id: int, fields: dict[str, Any], seconds: int | None) -> Any:
    from decimal import Decimal

    from classmeet.accounts.models import User
    from classmeet.courses.selectors import course_staff_ids
    from classmeet.coursework.services.live_polls import live_poll_open
    from classmeet.meetings.models import Meeting

    meeting = Meeting.objects.select_related("course").get(pk=meeting_id)
    poll = live_poll_open(
        meeting=meeting,
        opened_by=User.objects.filter(pk=user_id).first(),
        question=fields["question"],
        options=fields["options"],
        multiple=fields["multiple"],
        correct=fields["correct"],
        anonymous=fields["anonymous"],
        seconds=seconds,
        source_question_id=fields.get("source"),
        points=Decimal(fields.get("points", "1")),
    )
    return poll, sorted(course_staff_ids(course=meeting.course))


def _close(poll: dict[str, Any], answers: dict[str, list[int]], present: int) -> None:
    from classmeet.coursework.services.live_polls import live_poll_close

    rows = [(None if poll["anonymous"] else int(key), choice) for key, choice in answers.items()]
    live_poll_close(poll_id=poll["id"], answers=rows, present=present)


# The consumer's part ----------------------------------------------------------------------------


class PollsPart(ClassroomBase):
    _in_staff_group: bool = False

    async def after_join(self) -> None:
        await super().after_join()
        if not self.closing and not self._in_staff_group and await self._is_staff():
            await self.channel_layer.group_add(staff_group_name(self.meeting_id), self.channel_name)
            self._in_staff_group = True

    async def _on_disconnect(self, code: int) -> None:
        if self._in_staff_group:
            self._in_staff_group = False
            await self.channel_layer.group_discard(
                staff_group_name(self.meeting_id), self.channel_name
            )
        await super()._on_disconnect(code)

    async def poll_room_state(self) -> dict[str, Any]:
        """`room-state`'s poll fields: the open poll with this user's answer; staff, the results."""
        poll = await open_poll(self.meeting_id)
        if poll is None or self.peer is None:
            return {"poll": None, "pollResults": None}
        _remember(poll)
        if await self._is_staff():
            answers = await state.answers(self.meeting_id, poll["id"])
            present = await _present(self.meeting_id, poll["staff"])
            return {
                "poll": _poll_message(poll),
                "pollResults": _results(poll, answers, present, final=False),
            }
        key = answer_key(poll, self.peer.user_id)
        answer = await state.answer_of(self.meeting_id, poll["id"], key)
        return {"poll": _poll_message(poll, answer=answer), "pollResults": None}

    async def close_open_poll(self) -> None:
        """Close the room's open poll, if any (the meeting is ending)."""
        poll = await open_poll(self.meeting_id)
        if poll is not None:
            await close_poll(self.meeting_id, poll["id"])

    async def handle_poll_open(self, message: protocol.PollOpen) -> None:
        peer = await self._teacher()
        if peer is None:
            return
        fields: dict[str, Any] | None
        if message.questionId is not None:
            fields = await database_sync_to_async(_prepared)(self.meeting_id, message.questionId)
            if fields is None:
                await self.send_error(
                    protocol.ErrorCode.POLL_BAD_QUESTION,
                    _("That is not a choice question prepared for this course's live class."),
                    [str(message.questionId)],
                )
                return
        else:
            fields = {
                "question": message.question,
                "options": message.options,
                "multiple": message.multiple,
                "correct": sorted(message.correct) if message.correct else None,
            }
        fields["anonymous"] = message.anonymous
        if await open_poll(self.meeting_id) is not None or not await state.claim(self.meeting_id):
            await self.send_error(
                protocol.ErrorCode.POLL_ALREADY_OPEN, _("A poll is open: close it first.")
            )
            return
        try:
            row, staff = await database_sync_to_async(_open)(
                self.meeting_id, peer.user_id, fields, message.seconds
            )
        except ValidationError as exc:
            await state.release(self.meeting_id)
            await self.send_error(protocol.ErrorCode.POLL_ALREADY_OPEN, " ".join(exc.messages))
            return
        except BaseException:
            await state.release(self.meeting_id)
            raise
        poll = {
            "id": row.pk,
            "question": row.question,
            "options": row.options,
            "multiple": row.multiple,
            "correct": row.correct,
            "anonymous": row.anonymous,
            "closes": row.closes_at.timestamp() if row.closes_at else 0.0,
            "staff": staff,
            "salt": secrets.token_hex(16),
        }
        await state.publish(self.meeting_id, poll)
        _remember(poll)
        await self._broadcast(_poll_message(poll))
        if poll["closes"]:
            _spawn(_close_at(self.meeting_id, poll["id"], poll["closes"]))

    async def handle_poll_answer(self, message: protocol.PollAnswer) -> None:
        peer = await self._joined()
        if peer is None:
            return
        if await self._is_staff():
            await self.send_error(
                protocol.ErrorCode.POLL_STAFF_ANSWER, _("Staff run the poll; students answer it.")
            )
            return
        poll = _known.get(message.pollId)
        if poll is None:
            poll = await open_poll(self.meeting_id)
            if poll is None or poll["id"] != message.pollId:
                await self.send_error(NOT_OPEN, _("That poll is not open."), [str(message.pollId)])
                return
            _remember(poll)
        choice = _choice(poll, message.choice)
        if choice is None:
            await self.send_error(
                BAD_CHOICE,
                _("Choose one option by its index.")
                if not poll["multiple"]
                else _("Choose a list of distinct option indexes."),
                [str(len(poll["options"]))],
            )
            return
        key = answer_key(poll, peer.user_id)
        kept = await state.answer(self.meeting_id, poll, key, choice, time.time())
        if kept <= 0:
            if kept < 0:
                await close_poll(self.meeting_id, poll["id"])
            await self.send_error(NOT_OPEN, _("That poll is not open."), [str(message.pollId)])
            return
        await self._send_message(protocol.PollAnswered(pollId=poll["id"], choice=choice))
        await results_soon(self.meeting_id)

    async def handle_poll_close(self, message: protocol.PollClose) -> None:
        if await self._teacher() is None:
            return
        poll = await open_poll(self.meeting_id)
        closed = (
            poll is not None
            and poll["id"] == message.pollId
            and await close_poll(self.meeting_id, message.pollId)
        )
        if not closed:
            await self.send_error(NOT_OPEN, _("That poll is not open."), [str(message.pollId)])


def _choice(poll: dict[str, Any], choice: int | list[int]) -> list[int] | None:
    """The choice as a sorted list of indexes, or None when it does not fit the poll."""
    options = len(poll["options"])
    if isinstance(choice, int):
        if poll["multiple"]:
            return None
        picked = [choice]
    else:
        if not poll["multiple"] or not choice or len(set(choice)) != len(choice):
            return None
        picked = sorted(choice)
    if any(not 0 <= index < options for index in picked):
        return None
    return picked
