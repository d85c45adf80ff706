"""Which streams of a locked student's feed Janus must stop forwarding (rooms/locks.py).

A publisher sends one audio and one video stream; the screen share replaces the camera's track
in the same video stream. So the video stream is muted when the device it carries now is
locked: the screen while the student says they share it (`media-state`), else the camera.
"""

from __future__ import annotations

import re

_M_LINE = re.compile(r"^m=(audio|video)\b", re.MULTILINE)
_MID = re.compile(r"^a=mid:(\S+)", re.MULTILINE)


def sdp_mids(sdp: str) -> dict[str, str]:
    """{mid: kind} of the audio and video sections of an SDP (the publisher's offer)."""
    found: dict[str, str] = {}
    starts = [(m.start(), m.group(1)) for m in _M_LINE.finditer(sdp)]
    for index, (start, kind) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(sdp)
        mid = _MID.search(sdp, start, end)
        if mid is not None:
            found[mid.group(1)] = kind
    return found


def wanted_mutes(mids: dict[str, str], locked: set[str], *, sharing: bool) -> dict[str, bool]:
    """{mid: muted} for every stream of the feed."""
    video_device = "screen" if sharing else "camera"
    return {
        mid: ("mic" in locked) if kind == "audio" else (video_device in locked)
        for mid, kind in mids.items()
    }
