"""Which consumer method handles each client message of `protocol`: one table for the room.

The routed socket, `SfuConsumer`, inherits the signaling and classroom consumers, so one table
covers every layer; each group names the class that implements its methods. Add a message:
define it in protocol.py, add it to `ClientMessage`, map it here.
"""

from __future__ import annotations

from classmeet.rooms import protocol

HANDLERS: dict[type[protocol.Message], str] = {
    # Signaling: consumers.RoomConsumer (classroom and SFU extend join and leave)
    protocol.Join: "handle_join",
    protocol.Offer: "handle_relay",
    protocol.Answer: "handle_relay",
    protocol.IceCandidate: "handle_relay",
    protocol.Ping: "handle_ping",
    protocol.Leave: "handle_leave",
    # Classroom: classroom.ClassroomConsumer
    protocol.Chat: "handle_chat",
    protocol.ChatDelete: "handle_chat_delete",
    # Reactions: reactions.ReactionsPart
    protocol.Reaction: "handle_reaction",
    protocol.RaiseHand: "handle_raise_hand",
    protocol.LowerHand: "handle_lower_hand",
    protocol.MediaState: "handle_media_state",
    protocol.MuteAll: "handle_mute_all",
    protocol.MutePeer: "handle_mute_peer",
    protocol.RemovePeer: "handle_remove_peer",
    protocol.EndMeeting: "handle_end_meeting",
    # Locks: locks.LocksPart (part of classroom.ClassroomConsumer)
    protocol.Lock: "handle_lock",
    protocol.LockPeer: "handle_lock_peer",
    # Waiting room: lobby.LobbyPart
    protocol.Admit: "handle_admit",
    protocol.AdmitAll: "handle_admit_all",
    protocol.Deny: "handle_deny",
    # Quizzes and polls: polls.PollsPart
    protocol.PollOpen: "handle_poll_open",
    protocol.PollAnswer: "handle_poll_answer",
    protocol.PollClose: "handle_poll_close",
    # SFU: sfu.consumer.SfuConsumer
    protocol.SfuPublish: "handle_sfu_publish",
    protocol.SfuSubscribe: "handle_sfu_subscribe",
    protocol.SfuStart: "handle_sfu_start",
    protocol.SfuTrickle: "handle_sfu_trickle",
    protocol.SfuConfigure: "handle_sfu_configure",
    protocol.SfuUnsubscribe: "handle_sfu_unsubscribe",
}
