"""Recording in SFU mode with Janus's own VideoRoom recorder, and making one file of it.

While the class is recorded, Janus writes one `.mjr` file per published stream (every
participant's audio, every participant's video) into a folder of the recording
(`meeting-<m>/sfu-<r>/` under the recordings root: Janus and the Celery workers must share that
file system). Classmeet turns it on and off through the SFU's public interface
(`classmeet.rooms.sfu`: the room's `edit` with `new_rec_dir`, then `enable_recording`), and lists
the room's publishers ({Janus feed: user id}) to know which feeds are the teacher's.

Processing: `janus-pp-rec --extended-json` reads each file's header (codec, when it was created,
when its first packet was written, packets, duration); `janus-pp-rec` converts the teacher's
video files and every audio file; ffmpeg composes ONE WebM: the teacher's video (it carries the
screen share when there is one: the browser replaces the camera track with it) scaled onto a
fixed-size canvas at its offset, and the mix of every participant's audio, each delayed by its
offset, over the span from the Record click to the Stop click.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from classmeet.rooms import sfu

if TYPE_CHECKING:
    from classmeet.recordings.models import Recording

logger = logging.getLogger(__name__)

NOTHING_RECORDED = gettext_noop(
    "Nothing was recorded: nobody published audio or video while the recording ran."
)
# Janus names its files videoroom-<room>-user-<publisher id>-<microseconds>-<kind>-<mindex>.mjr
FILE_RE = re.compile(r"-user-(?P<feed>\d+)-\d+-(?P<kind>audio|video|data)(?:-\d+)?\.mjr$")
EXTENSIONS = {"vp8": "webm", "vp9": "webm", "av1": "webm", "h264": "mp4", "opus": "opus"}
for _codec in ("pcmu", "pcma", "g711", "g722", "l16"):
    EXTENSIONS[_codec] = "wav"
# Offsets further off than this mean Janus's clock and Django's disagree: align on the files.
CLOCK_SKEW_SECONDS = 5.0


class JanusRecorderError(Exception):
    """Janus refused or could not be reached (the message says what failed)."""


def enabled() -> bool:
    """SFU mode: CLASSMEET_SFU_URL is configured, so Janus records (not the browser)."""
    return sfu.enabled()


def folder(recording: Recording) -> Path:
    return (
        Path(settings.CLASSMEET_RECORDINGS_ROOT)
        / f"meeting-{recording.meeting_id}"
        / f"sfu-{recording.pk}"
    )


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.glob("*.mjr") if p.is_file())


# Janus control --------------------------------------------------------------------------------


async def _enable(*, meeting_id: int, path: Path) -> dict[str, int]:
    await sfu.room_recording_start(meeting_id=meeting_id, folder=path)
    return await sfu.room_participants(meeting_id=meeting_id)


async def _disable(*, meeting_id: int) -> dict[str, int]:
    feeds = await sfu.room_participants(meeting_id=meeting_id)
    if not await sfu.room_recording_stop(meeting_id=meeting_id):
        return {}  # the meeting ended: Janus closed the files
    return feeds


def _call(what: str, function: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return async_to_sync(function)(**kwargs)
    except sfu.SFU_ERRORS as exc:
        logger.warning("Janus %s failed: %s", what, exc)
        raise JanusRecorderError(what) from exc


def move_to_sfu(*, meeting_id: int) -> bool:
    return bool(_call("moving the room to the SFU", sfu.switch_to_sfu, meeting_id=meeting_id))


def publishers(*, meeting_id: int) -> dict[str, int]:
    """The participants publishing media now."""
    return dict(
        _call(
            "listing the publishers", sfu.room_participants, meeting_id=meeting_id, publishing=True
        )
    )


def feeds(*, meeting_id: int) -> dict[str, int]:
    """Every participant of the room, publishing already or about to."""
    return dict(_call("listing the participants", sfu.room_participants, meeting_id=meeting_id))


def recording_enable(*, recording: Recording) -> dict[str, int]:
    """Make Janus record every publisher of the meeting's room into the recording's folder."""
    path = folder(recording)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o770)  # Janus may run as another user of the same group
    return dict(
        _call("starting the recording", _enable, meeting_id=recording.meeting_id, path=path)
    )


def recording_disable(*, recording: Recording) -> dict[str, int]:
    """Stop Janus's recording (it closes the files); return the publishers seen last."""
    return dict(_call("stopping the recording", _disable, meeting_id=recording.meeting_id))


# Processing -----------------------------------------------------------------------------------


class ProcessingFailed(Exception):
    pass


@dataclass(frozen=True)
class Track:
    path: Path
    feed: str
    kind: str  # "audio" or "video"
    codec: str
    created_us: int  # when Janus created the file (its clock, microseconds since the epoch)
    first_us: int  # when it wrote the first packet
    packets: int


def _run(command: list[str], heartbeat: Callable[[], None], timeout: float = 3600) -> str:
    """Run a program, proving the job is alive every second; return its stdout."""
    with subprocess.Popen(  # noqa: S603 - configured program, our own paths
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        waited = 0.0
        while True:
            try:
                out, err = proc.communicate(timeout=1)
                break
            except subprocess.TimeoutExpired:
                waited += 1
                heartbeat()
                if waited > timeout:
                    proc.kill()
                    raise ProcessingFailed(f"{Path(command[0]).name} timed out") from None
        if proc.returncode != 0:
            tail = [line for line in (err or out).strip().splitlines() if line.strip()][-1:]
            raise ProcessingFailed(tail[0] if tail else f"{command[0]} exited {proc.returncode}")
        return out


def read_tracks(path: Path, heartbeat: Callable[[], None]) -> list[Track]:
    """The audio and video files of a Janus recording folder that hold packets."""
    found: list[Track] = []
    for mjr in sorted(path.glob("*.mjr")):
        match = FILE_RE.search(mjr.name)
        if match is None or match["kind"] == "data":
            continue
        command = [settings.CLASSMEET_RECORDINGS_JANUS_PP_REC, "-d", "0", "-e", str(mjr)]
        try:
            header = json.loads(_run(command, heartbeat) or "{}")
        except (ProcessingFailed, json.JSONDecodeError):
            logger.warning("unreadable Janus recording %s", mjr)
            continue
        packets = int((header.get("extended") or {}).get("packets") or 0)
        codec = str(header.get("c", ""))
        if packets <= 0 or codec not in EXTENSIONS:
            continue
        found.append(
            Track(
                path=mjr,
                feed=match["feed"],
                kind=match["kind"],
                codec=codec,
                created_us=int(header.get("s") or 0),
                first_us=int(header.get("u") or header.get("s") or 0),
                packets=packets,
            )
        )
    return found


def choose(recording: Recording, tracks: list[Track]) -> tuple[list[Track], list[Track]]:
    """(the teacher's videos, every audio): the video of the course's teacher or of whoever
    started the recording; if neither published a video, the one with the most packets."""
    teachers = {recording.meeting.course.teacher_id, recording.created_by_id}
    feeds = {feed for feed, user in recording.sfu_feeds.items() if user in teachers}
    videos = [t for t in tracks if t.kind == "video" and t.feed in feeds]
    if not videos:
        others = [t for t in tracks if t.kind == "video"]
        videos = [max(others, key=lambda t: t.packets)] if others else []
    audios = [t for t in tracks if t.kind == "audio"]
    return videos, audios


def offsets(recording: Recording, tracks: list[Track]) -> tuple[dict[Path, float], float]:
    """Each track's start (seconds into the recording) and the recording's length: the span
    between the Record and Stop clicks, with Janus's clock taken as Django's; if they disagree
    by more than CLOCK_SKEW_SECONDS, the first file Janus created is the start."""
    start = recording.started_at.timestamp()
    stopped = recording.stopped_at or recording.started_at
    span = max((stopped - recording.started_at).total_seconds(), 1.0)
    found = {t.path: t.first_us / 1e6 - start for t in tracks}
    if found and (min(found.values()) < -CLOCK_SKEW_SECONDS or min(found.values()) > span):
        base = min(t.created_us for t in tracks) / 1e6
        found = {t.path: t.first_us / 1e6 - base for t in tracks}
        span = max(span, max(found.values()))
    return {path: max(0.0, value) for path, value in found.items()}, span


def _size() -> tuple[int, int]:
    width, _x, height = str(settings.CLASSMEET_RECORDINGS_VIDEO_SIZE).lower().partition("x")
    return int(width), int(height)


def compose_args(
    videos: list[tuple[Path, float]], audios: list[tuple[Path, float]], span: float
) -> list[str]:
    """ffmpeg's inputs and filter graph: videos on a black canvas, audios mixed, `span` long."""
    width, height = _size()
    inputs: list[str] = []
    graph = [f"color=c=black:s={width}x{height}:r=25:d={span:.3f}[base]"]
    last = "base"
    for n, (path, offset) in enumerate(videos):
        inputs += ["-i", str(path)]
        graph.append(
            f"[{n}:v]setpts=PTS-STARTPTS+{offset:.3f}/TB,"
            f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1[v{n}]"
        )
        graph.append(f"[{last}][v{n}]overlay=eof_action=pass:repeatlast=0[o{n}]")
        last = f"o{n}"
    graph.append(f"[{last}]format=yuv420p[vout]")
    mixed: list[str] = []
    for n, (path, offset) in enumerate(audios, start=len(videos)):
        inputs += ["-i", str(path)]
        delay = int(offset * 1000)
        graph.append(f"[{n}:a]aresample=48000,asetpts=PTS-STARTPTS,adelay={delay}:all=1[a{n}]")
        mixed.append(f"[a{n}]")
    maps = ["-map", "[vout]"]
    if mixed:
        graph.append(
            f"{''.join(mixed)}amix=inputs={len(mixed)}:duration=longest:normalize=0,"
            f"apad,atrim=0:{span:.3f}[aout]"
        )
        maps += ["-map", "[aout]"]
    return [
        *inputs,
        "-filter_complex",
        ";".join(graph),
        *maps,
        "-t",
        f"{span:.3f}",
        *webm_encoding(),
    ]


def webm_encoding() -> list[str]:
    """ffmpeg's encoders for the result: VP8 (fast, real-time settings) and Opus."""
    return [
        "-c:v",
        "libvpx",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        str(settings.CLASSMEET_RECORDINGS_VIDEO_BITRATE),
        "-c:a",
        "libopus",
        "-b:a",
        "96k",
    ]


def convert(tracks: list[Track], work: Path, heartbeat: Callable[[], None]) -> dict[Path, Path]:
    """janus-pp-rec each .mjr into a file ffmpeg reads (WebM, MP4, Opus or WAV)."""
    work.mkdir(parents=True, exist_ok=True)
    converted: dict[Path, Path] = {}
    for track in tracks:
        out = work / f"{track.path.stem}.{EXTENSIONS[track.codec]}"
        _run(
            [settings.CLASSMEET_RECORDINGS_JANUS_PP_REC, "-d", "0", str(track.path), str(out)],
            heartbeat,
        )
        if out.exists() and out.stat().st_size > 0:
            converted[track.path] = out
    return converted


def nothing_recorded() -> str:
    return _(NOTHING_RECORDED)
