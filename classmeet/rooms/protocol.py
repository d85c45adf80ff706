"""The signaling protocol of the live room: the only place that defines the shape of a frame.

Client frames are parsed with `parse_client_frame` (pydantic v2, unknown fields rejected).
Server frames are built from the models below and serialized once with `dump`, then the same text
goes to every recipient. docs/protocol.md documents every message with an example exchange.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args
from urllib.parse import parse_qs

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

# Every connection's id: uuid4().hex. Clients only ever echo ids the server gave them.
PeerId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
# An SDP blob is a few KiB; the frame limit (CLASSMEET_WS_MAX_FRAME_BYTES) caps it anyway.
Sdp = Annotated[str, StringConstraints(min_length=1, max_length=60_000)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Client → server --------------------------------------------------------------------------------


class Join(Message):
    """Enter the room. `resume` is the peerId of this tab's previous connection, if any;
    `previous` the peerId of this tab's previous page of the room, which is gone (reloaded).

    The original app's client sent `userId` and `userName`: they are accepted and ignored, the server
    knows who the user is from the session.
    """

    type: Literal["join"]
    resume: PeerId | None = None
    previous: PeerId | None = None
    userId: int | str | None = Field(default=None, exclude=True)
    userName: str | None = Field(default=None, max_length=500, exclude=True)


class IceCandidateInit(Message):
    """The fields of a browser RTCIceCandidateInit (RTCIceCandidate.toJSON())."""

    candidate: str = Field(max_length=2000)
    sdpMid: str | None = Field(default=None, max_length=64)
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=1000)
    usernameFragment: str | None = Field(default=None, max_length=256)


class Offer(Message):
    type: Literal["offer"]
    to: PeerId
    sdp: Sdp


class Answer(Message):
    type: Literal["answer"]
    to: PeerId
    sdp: Sdp


class IceCandidate(Message):
    type: Literal["ice-candidate"]
    to: PeerId
    candidate: IceCandidateInit


class Ping(Message):
    """Liveness check of the client: answered `pong` (presence has its own heartbeat)."""

    type: Literal["ping"]


class Leave(Message):
    """Leave the room on purpose: the others get `user-left` at once (no reconnect grace)."""

    type: Literal["leave"]


# Classroom: chat, hands, media state, teacher controls -----------------------------------------
# Client → server. Teacher-only ones (chat-delete, lowering another's hand, mute-all, mute-peer,
# remove-peer, end-meeting) are enforced by the server: anyone else gets `error` `forbidden`.


class Chat(Message):
    """A chat line; the server stores it (length- and rate-limited) and sends it to everyone, or
    with `to` (a peer id) privately: to that user's sockets and the sender's only. Students write
    privately to staff only (`forbidden`); staff to anyone."""

    type: Literal["chat"]
    text: str = Field(max_length=4000)
    to: PeerId | None = None


class ChatDelete(Message):
    type: Literal["chat-delete"]
    id: int = Field(ge=1)


class RaiseHand(Message):
    """Raise your hand (students: `access.rooms.can_raise_hand`; the teacher gets `forbidden`)."""

    type: Literal["raise-hand"]


class LowerHand(Message):
    """Lower your own hand, or (teacher) another participant's."""

    type: Literal["lower-hand"]
    peerId: PeerId | None = None


class MediaState(Message):
    """What this participant sends: microphone, camera and screen share on or off."""

    type: Literal["media-state"]
    mic: bool
    camera: bool
    screen: bool = False


# The fixed set of reactions, in the order the room's menu shows them: got it / agree, applause,
# funny, surprised, thinking / confused, celebrate. Single code points (no variation selectors),
# so a client's copy compares equal.
Emoji = Literal["👍", "👏", "😂", "😮", "🤔", "🎉"]
REACTION_EMOJIS: tuple[str, ...] = get_args(Emoji)


class Reaction(Message):
    """Send a reaction (one of `Emoji`): everybody, the sender too, gets `reaction`."""

    type: Literal["reaction"]
    emoji: Emoji


class MuteAll(Message):
    type: Literal["mute-all"]


# Locks (rooms/locks.py): an enforced mute, staff only. Absent fields are left as they are.
LockDevice = Literal["mic", "camera", "screen", "chat"]
LOCK_DEVICES: tuple[LockDevice, ...] = ("mic", "camera", "screen", "chat")


class _LockFields(Message):
    mic: bool | None = None
    camera: bool | None = None
    screen: bool | None = None
    chat: bool | None = None

    @model_validator(mode="after")
    def _some_device(self) -> _LockFields:
        if not self.devices():
            raise ValueError("name at least one of mic, camera, screen, chat")
        return self

    def devices(self) -> dict[str, bool]:
        """The devices this message sets: name → locked."""
        values = {name: getattr(self, name) for name in LOCK_DEVICES}
        return {name: value for name, value in values.items() if value is not None}


class Lock(_LockFields):
    """Lock (true) or unlock (false) these devices for every student of the room; it also ends
    the per-student exceptions of those devices (`lock-peer`)."""

    type: Literal["lock"]


class LockPeer(_LockFields):
    """Lock or unlock these devices for one student (all their tabs, across reconnects),
    whatever the room's lock: e.g. `mic: false` lets a student speak while the room stays locked."""

    type: Literal["lock-peer"]
    peerId: PeerId


class MutePeer(Message):
    type: Literal["mute-peer"]
    peerId: PeerId


class RemovePeer(Message):
    """Remove the participant (all their tabs); they cannot rejoin this meeting."""

    type: Literal["remove-peer"]
    peerId: PeerId


class EndMeeting(Message):
    type: Literal["end-meeting"]


# Waiting room (rooms/lobby.py), client → server: staff only (anyone else gets `forbidden`) -----


class Admit(Message):
    """Let a waiting user in (all their waiting tabs): they go on to `welcome`."""

    type: Literal["admit"]
    userId: int = Field(ge=1)


class AdmitAll(Message):
    """Let in everybody waiting now (as listed by the last `waiting-list`)."""

    type: Literal["admit-all"]


class Deny(Message):
    """Turn a waiting user away: their sockets get `denied` and close with 4412. They may knock
    again (a new page load); removing someone for good is `remove-peer` once they are in."""

    type: Literal["deny"]
    userId: int = Field(ge=1)
    reason: str = Field(default="", max_length=300)


# Quizzes and polls (rooms/polls.py), client → server. poll-open and poll-close are staff-only
# (anyone else gets `forbidden`); poll-answer is for students.
POLL_MIN_OPTIONS, POLL_MAX_OPTIONS = 2, 10
POLL_MIN_SECONDS, POLL_MAX_SECONDS = 5, 3600
PollText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
PollOption = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PollIndex = Annotated[StrictInt, Field(ge=0, le=POLL_MAX_OPTIONS - 1)]


class PollOpen(Message):
    """Put a question to the room: written here (`question`, `options`, …) or one prepared for
    the live class of the course (`questionId`, its options and correct answers)."""

    type: Literal["poll-open"]
    question: PollText | None = None
    options: list[PollOption] | None = Field(
        default=None, min_length=POLL_MIN_OPTIONS, max_length=POLL_MAX_OPTIONS
    )
    multiple: bool = False
    correct: list[PollIndex] | None = Field(default=None, max_length=POLL_MAX_OPTIONS)
    anonymous: bool = False
    seconds: int | None = Field(default=None, ge=POLL_MIN_SECONDS, le=POLL_MAX_SECONDS)
    questionId: int | None = Field(default=None, ge=1, le=2**53)

    @model_validator(mode="after")
    def _one_source(self) -> PollOpen:
        if self.questionId is not None:
            if self.question is not None or self.options is not None:
                raise ValueError("send either questionId or question and options, not both")
            if self.correct is not None or self.multiple:
                raise ValueError("a prepared question brings its own options and answers")
            return self
        if self.question is None or self.options is None:
            raise ValueError("question and options are required (or questionId)")
        if self.correct is not None:
            if len(set(self.correct)) != len(self.correct):
                raise ValueError("correct: repeated index")
            if any(index >= len(self.options) for index in self.correct):
                raise ValueError("correct: index out of range")
            if not self.correct:
                raise ValueError("correct: give at least one index, or leave it out")
            if len(self.correct) > 1 and not self.multiple:
                raise ValueError("correct: one index for a single-choice poll")
        return self


class PollAnswer(Message):
    """A student's answer: an option's index (single choice) or a list of them (multiple)."""

    type: Literal["poll-answer"]
    pollId: int = Field(ge=1, le=2**53)
    choice: StrictInt | list[StrictInt] = Field(union_mode="left_to_right")

    @model_validator(mode="after")
    def _short(self) -> PollAnswer:
        if isinstance(self.choice, list) and len(self.choice) > POLL_MAX_OPTIONS:
            raise ValueError("choice: at most 10 indexes")
        return self


class PollClose(Message):
    type: Literal["poll-close"]
    pollId: int = Field(ge=1, le=2**53)


# SFU (rooms/sfu): all Janus signaling goes through this socket, client → server ----------------
# Janus puts its candidates in its SDP; the client sends its SDP once ICE gathering is complete.
FeedId = Annotated[int, Field(ge=1, le=2**53)]


class SfuPublish(Message):
    """Publish camera/mic (an SDP offer) to the meeting's Janus room; answered by `sfu-published`."""

    type: Literal["sfu-publish"]
    sdp: Sdp


class SfuSubscribe(Message):
    """Receive one feed; the server answers `sfu-offer` with Janus's offer for it."""

    type: Literal["sfu-subscribe"]
    feedId: FeedId


class SfuStart(Message):
    """The client's answer to an `sfu-offer`: media starts flowing."""

    type: Literal["sfu-start"]
    feedId: FeedId
    sdp: Sdp


class SfuTrickle(Message):
    """One ICE candidate of this client's link to Janus (`candidate` absent: gathering is done).

    `feedId` 0 is the publishing link; otherwise the link receiving that feed.
    """

    type: Literal["sfu-trickle"]
    feedId: int = Field(default=0, ge=0, le=2**53)
    candidate: IceCandidateInit | None = None


class SfuConfigure(Message):
    """Pause or resume one stream (`mid`) of a received feed: the grid's cap pauses the video
    of the student tiles it does not play, and Janus stops sending it."""

    type: Literal["sfu-configure"]
    feedId: FeedId
    mid: str = Field(min_length=1, max_length=16)
    send: bool


class SfuUnsubscribe(Message):
    type: Literal["sfu-unsubscribe"]
    feedId: FeedId


ClientMessage = Annotated[
    Join
    | Offer
    | Answer
    | IceCandidate
    | Ping
    | Leave
    # Classroom: chat, hands, media state, teacher controls
    | Chat
    | ChatDelete
    | Reaction
    | RaiseHand
    | LowerHand
    | MediaState
    | MuteAll
    | MutePeer
    | RemovePeer
    | EndMeeting
    # Locks (rooms/locks.py)
    | Lock
    | LockPeer
    # Waiting room (rooms/lobby.py)
    | Admit
    | AdmitAll
    | Deny
    # Quizzes and polls (rooms/polls.py)
    | PollOpen
    | PollAnswer
    | PollClose
    # SFU (rooms/sfu)
    | SfuPublish
    | SfuSubscribe
    | SfuStart
    | SfuTrickle
    | SfuConfigure
    | SfuUnsubscribe,
    Field(discriminator="type"),
]
RelayMessage = Offer | Answer | IceCandidate
_client_adapter: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


def parse_client_frame(text: str | bytes) -> ClientMessage:
    """Parse and validate one client frame; raise pydantic.ValidationError when it is bad."""
    return _client_adapter.validate_json(text)


def join_in_query(query_string: bytes) -> Join | None:
    """The `join` a socket's URL carries (`?join=1`, optionally `&previous=<peerId>`), sent by the
    server as soon as the socket is accepted; None without `join=1`. Raises
    pydantic.ValidationError for a malformed one, as parse_client_frame does."""
    fields = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
    if fields.get("join") != ["1"]:
        return None
    data = {"type": "join"}
    if "previous" in fields:
        data["previous"] = fields["previous"][-1]
    return Join.model_validate(data)


# Server → client --------------------------------------------------------------------------------


class Participant(Message):
    peerId: str
    userId: int
    name: str
    role: str


class Welcome(Message):
    """To the joiner only: its own id, who is already there and how to reach them."""

    type: Literal["welcome"] = "welcome"
    peerId: str
    resumed: bool = False
    participants: list[Participant]
    iceServers: list[dict[str, Any]]
    iceTransportPolicy: str = "all"
    heartbeatSeconds: float


class UserJoined(Participant):
    """To everybody else: a new participant (or a known one whose socket came back)."""

    type: Literal["user-joined"] = "user-joined"
    resumed: bool = False


class UserLeft(Message):
    type: Literal["user-left"] = "user-left"
    peerId: str


class _Relayed(Message):
    from_: str = Field(serialization_alias="from")
    fromUserId: int
    fromName: str


class RelayedOffer(_Relayed):
    type: Literal["offer"] = "offer"
    sdp: str


class RelayedAnswer(_Relayed):
    type: Literal["answer"] = "answer"
    sdp: str


class RelayedIceCandidate(_Relayed):
    type: Literal["ice-candidate"] = "ice-candidate"
    candidate: IceCandidateInit


class Pong(Message):
    type: Literal["pong"] = "pong"


class ErrorCode:
    BAD_JSON = "bad-json"
    UNKNOWN_TYPE = "unknown-type"
    BAD_MESSAGE = "bad-message"
    TOO_LARGE = "too-large"
    NOT_JOINED = "not-joined"
    ALREADY_JOINED = "already-joined"
    UNKNOWN_PEER = "unknown-peer"
    INTERNAL = "internal"
    # Classroom: chat, hands, media state, teacher controls
    FORBIDDEN = "forbidden"  # a teacher control sent by someone else; a student's private
    # chat to another student
    RATE_LIMITED = "rate-limited"  # chat faster than CLASSMEET_CHAT_RATE_COUNT per ..._SECONDS;
    # reactions faster than the socket's reaction bucket (rooms/reactions.py)
    NOT_FOUND = "not-found"  # e.g. deleting a chat message that is not in this meeting
    # Locks
    LOCKED = "locked"  # a student's chat, or media-state turning on a device, that staff locked
    # Waiting room
    WAITING = "waiting"  # any frame but `leave`/`ping` from a socket in the waiting room
    NOT_WAITING = "not-waiting"  # `admit`/`deny` of a user who is not in the waiting room
    # Quizzes and polls
    POLL_ALREADY_OPEN = "poll-already-open"  # one poll per room: close the open one first
    POLL_BAD_QUESTION = "poll-bad-question"  # questionId: not a prepared choice question here
    POLL_NOT_OPEN = "poll-not-open"  # answering or closing a closed, expired or unknown poll
    POLL_BAD_CHOICE = "poll-bad-choice"  # out of range, wrong shape, repeated, empty
    POLL_STAFF_ANSWER = "poll-staff-answer"  # staff run the poll; they do not answer it
    # SFU
    SFU_UNAVAILABLE = "sfu-unavailable"  # no SFU configured, room not on the SFU, or Janus failed


class Error(Message):
    type: Literal["error"] = "error"
    code: str
    message: str
    detail: list[str] = Field(default_factory=list)


ServerMessage = (
    Welcome
    | UserJoined
    | UserLeft
    | RelayedOffer
    | RelayedAnswer
    | RelayedIceCandidate
    | Pong
    | Error
)


def dump(message: Message) -> str:
    """Serialize a server message to the JSON text sent on the wire."""
    return message.model_dump_json(by_alias=True)


def relayed(message: RelayMessage, *, from_peer: str, user_id: int, name: str) -> Message:
    """Build what the target peer receives: the client's payload, with the server's `from`."""
    sender = {"from_": from_peer, "fromUserId": user_id, "fromName": name}
    if isinstance(message, Offer):
        return RelayedOffer(sdp=message.sdp, **sender)
    if isinstance(message, Answer):
        return RelayedAnswer(sdp=message.sdp, **sender)
    return RelayedIceCandidate(candidate=message.candidate, **sender)


# Classroom, server → client ----------------------------------------------------------------


class ChatLine(Message):
    type: Literal["chat"] = "chat"
    id: int
    fromUserId: int
    fromName: str
    text: str
    sentAt: str  # ISO 8601, UTC
    # A private line's recipient (null and "" for a line to everyone).
    toUserId: int | None = None
    toName: str = ""


class ChatDeleted(Message):
    type: Literal["chat-deleted"] = "chat-deleted"
    id: int


class PeerReaction(Message):
    """A participant's reaction, to everybody (the sender too); nothing is stored."""

    type: Literal["reaction"] = "reaction"
    peerId: str
    emoji: str


class HandRaised(Message):
    type: Literal["hand-raised"] = "hand-raised"
    peerId: str
    raisedAt: float  # unix time: hands are listed in the order raised


class HandLowered(Message):
    type: Literal["hand-lowered"] = "hand-lowered"
    peerId: str
    by: str  # the peer that lowered it (the teacher, or the same peer)


class PeerMediaState(Message):
    type: Literal["media-state"] = "media-state"
    peerId: str
    mic: bool
    camera: bool
    screen: bool = False


class LockState(Message):
    """Which devices are locked (true) or unlocked (false)."""

    mic: bool = False
    camera: bool = False
    screen: bool = False
    chat: bool = False


class UserLocks(Message):
    """A student's exceptions to the room's lock (set by `lock-peer`); a device absent here
    follows the room."""

    userId: int
    mic: bool | None = None
    camera: bool | None = None
    screen: bool | None = None
    chat: bool | None = None


class Locks(Message):
    """Everything locked in the room, to everybody on every change (and in `room-state`).

    What applies to a participant with user id U: nothing if U is in `staff`; otherwise, for
    each device, U's entry in `users` if it names the device, else `room`.
    """

    type: Literal["locks"] = "locks"
    room: LockState = Field(default_factory=LockState)
    users: list[UserLocks] = Field(default_factory=list)
    staff: list[int] = Field(default_factory=list)


class RoomState(Message):
    """Right after `welcome`: the chat so far (the public lines and this user's private ones),
    the raised hands, everyone's media state, the room's locks and the user ids of the course's
    staff (whom a student may write to privately)."""

    type: Literal["room-state"] = "room-state"
    chat: list[ChatLine]
    hands: list[HandRaised]
    media: list[PeerMediaState]
    locks: Locks = Field(default_factory=Locks)
    staffUserIds: list[int] = Field(default_factory=list)
    poll: Poll | None = None  # the open poll, if any
    pollResults: PollResults | None = None  # staff only: the open poll's live results


# Quizzes and polls (rooms/polls.py), server → client ---------------------------------------


class Poll(Message):
    """The open poll: to everybody when it opens, to a joiner in `room-state` (with `answer`,
    the joiner's own current choice)."""

    type: Literal["poll"] = "poll"
    pollId: int
    question: str
    options: list[str]
    multiple: bool
    anonymous: bool = False
    closesAt: str | None = None  # ISO 8601, UTC; None: open until staff close it
    secondsLeft: float | None = None  # for the countdown: the clocks may differ
    answer: list[int] | None = None


class PollAnswered(Message):
    """To the answering socket: its answer is kept (it replaces any earlier one)."""

    type: Literal["poll-answered"] = "poll-answered"
    pollId: int
    choice: list[int]


class PollResults(Message):
    """Live to staff (coalesced, at most 4 a second per room); `final` to everybody at close."""

    type: Literal["poll-results"] = "poll-results"
    pollId: int
    counts: list[int]
    answered: int
    present: int
    final: bool = False
    correct: list[int] | None = None


class MuteRequest(Message):
    """The teacher asks this participant (or everyone) to mute; they can unmute themselves."""

    type: Literal["mute-request"] = "mute-request"
    all: bool
    byName: str


class Removed(Message):
    """To the removed user's sockets, just before they close with 4410."""

    type: Literal["removed"] = "removed"
    reason: str


class MeetingEnded(Message):
    """To everyone, just before every socket closes with 4411."""

    type: Literal["meeting-ended"] = "meeting-ended"
    reason: str


# Waiting room (rooms/lobby.py), server → client --------------------------------------------


class Waiting(Message):
    """To a student's socket instead of `welcome`: it waits until the staff let it in (then
    `welcome` and everything after it follow on the same socket) or turn it away (`denied`)."""

    type: Literal["waiting"] = "waiting"
    since: str  # ISO 8601, UTC
    heartbeatSeconds: float  # ping this often meanwhile, as after `welcome`


class Knock(Message):
    """To the staff in the room: somebody started waiting (play a sound, show the list)."""

    type: Literal["knock"] = "knock"
    userId: int
    name: str


class WaitingUser(Message):
    userId: int
    name: str
    since: str  # ISO 8601, UTC: when their first waiting socket knocked


class WaitingList(Message):
    """To the staff: who waits now, oldest first. Sent after every change (knock, admit, deny,
    a waiting socket gone) and to staff joining while somebody waits. `version` only grows:
    a list with a lower version than the last one shown is stale (sent by another process)."""

    type: Literal["waiting-list"] = "waiting-list"
    version: int
    waiting: list[WaitingUser]


class Denied(Message):
    """To a waiting socket the staff turned away, just before it closes with 4412."""

    type: Literal["denied"] = "denied"
    reason: str


# SFU (rooms/sfu), server → client ----------------------------------------------------------


class Topology(Message):
    """How media flows in this room: `mesh` (peer to peer) or `sfu` (through Janus).

    Sent before `welcome` when the room already uses the SFU, and to everybody when it switches.
    `reason` says why it changed mid-meeting: `sfu-lost` (Janus died or is unreachable: `mesh`
    means back to peer to peer, `sfu` means waiting for Janus) or `sfu-back` (Janus is back:
    publish and subscribe anew); `notice` is the sentence to show the participant.
    """

    type: Literal["topology"] = "topology"
    mode: Literal["mesh", "sfu"]
    maxStudentVideos: int
    feeds: list[SfuFeed] = Field(default_factory=list)
    reason: Literal["", "sfu-lost", "sfu-back"] = ""
    notice: str = ""


class SfuFeed(Message):
    """A participant's published feed (also broadcast when somebody starts publishing)."""

    type: Literal["sfu-feed"] = "sfu-feed"
    feedId: int
    peerId: str
    userId: int


class SfuPublished(Message):
    """Janus's answer to this client's `sfu-publish`."""

    type: Literal["sfu-published"] = "sfu-published"
    feedId: int
    sdp: str


class SfuOffer(Message):
    """Janus's offer for a feed this client asked for with `sfu-subscribe`."""

    type: Literal["sfu-offer"] = "sfu-offer"
    feedId: int
    sdp: str


# Recordings (classmeet/recordings), server → client ------------------------------------------


class RecordingState(Message):
    """Whether the class is being recorded: broadcast on start and stop, and sent to a joiner
    (right after `welcome`) while a recording runs. `message` says why it stopped, if not by hand.
    """

    type: Literal["recording"] = "recording"
    active: bool
    recordingId: int | None = None
    byName: str = ""
    startedAt: str | None = None  # ISO 8601, UTC
    message: str = ""
