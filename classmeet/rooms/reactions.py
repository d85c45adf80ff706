"""Reactions in the live class: a participant sends one of a fixed set of emoji
(`protocol.REACTION_EMOJIS`) and everybody, the sender too, gets `reaction` {peerId, emoji}; the
page floats it on the sender's tile. Nothing is stored and no database is touched. Each socket
has a small token bucket of its own (`conf.reaction_rate`): a reaction over it gets `error`
`rate-limited`, while the socket's general flood control still closes a flooding client.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from classmeet.rooms import conf, protocol
from classmeet.rooms.classroom_base import ClassroomBase
from classmeet.rooms.consumers import TokenBucket


class ReactionsPart(ClassroomBase):
    _reaction_bucket: TokenBucket | None = None

    async def handle_reaction(self, message: protocol.Reaction) -> None:
        peer = await self._joined()
        if peer is None:
            return
        if self._reaction_bucket is None:
            rate, burst = conf.reaction_rate()
            self._reaction_bucket = TokenBucket(rate=rate, burst=burst)
        if not self._reaction_bucket.take():
            await self.send_error(
                protocol.ErrorCode.RATE_LIMITED, _("You are sending reactions too fast.")
            )
            return
        await self._broadcast(protocol.PeerReaction(peerId=peer.peer_id, emoji=message.emoji))
