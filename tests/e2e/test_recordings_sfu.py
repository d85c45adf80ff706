"""Recording in SFU mode: Janus's own recorder, janus-pp-rec and ffmpeg, with real parts.

Janus runs in a network namespace this module creates (`cmrec`: 10.200.78.1/30 on the host side,
10.200.78.2 on Janus's, HTTP API on 8089, RTP ports 22200-22399; see launch.janus_in_netns).

- Nobody publishing: the start is refused in a room already on the SFU (Janus lists no
  publisher), and a recording nobody published into ends failed with a clear reason.
- Two real Chromium participants (fake camera and microphone) in a mesh; the teacher records
  ~10 s: the room moves to Janus, which records both; the student reloads meanwhile (told on
  join that the class is recorded; Janus records the new feed too). On stop, the job runs on real Celery
  workers (Redis broker, PostgreSQL): the first is SIGKILLed mid-way (ffmpeg running), nothing
  half-written is served, the message comes back from the broker and a second worker finishes.
  ffprobe: one video and one audio stream, duration within 2 s of the recorded span; exactly one
  file; the enrolled student streams and downloads it (range requests), an outsider gets 404.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
import redis
from django.db import connection
from django.urls import reverse
from kombu import pools as kombu_pools

from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.courses.tests.factories import CourseFactory, EnrollmentFactory
from classmeet.meetings.tests.factories import MeetingFactory
from classmeet.notifications.models import Notification
from classmeet.recordings import janus_recorder
from classmeet.recordings.models import Recording
from classmeet.recordings.services import files, processing
from classmeet.rooms.sfu import launch, topology
from classmeet.rooms.sfu.launch import JanusProcess, can_use_netns
from tests.celery_workers import CeleryProcesses, database_url
from tests.e2e.test_recordings import assert_served_to_the_course_only
from tests.support import require_service

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

NETNS = "cmrec"
RECORD_SECONDS = 10
BROKER_DB = 6  # this helper's Redis database
HEARTBEAT = 1.0  # seconds: a killed run is taken over after 3 s of silence
VISIBILITY = 4  # seconds: the broker hands an unacknowledged message out again after this


@pytest.fixture(scope="module")
def janus() -> Iterator[JanusProcess]:
    missing = [] if can_use_netns() else ["janus, iproute2 and root (network namespaces)"]
    # Without these every job fails at once ("No such file"), far from the cause.
    missing += [tool for tool in ("janus-pp-rec", "ffmpeg", "ffprobe") if not shutil.which(tool)]
    require_service(
        not missing,
        f"needs {', '.join(missing)}",
        required=f"required: {', '.join(missing)} (Debian janus, janus-tools, ffmpeg)",
    )
    with launch.janus_in_netns(
        NETNS, host_ip="10.200.78.1", ns_ip="10.200.78.2", port=8089, rtp_ports=(22200, 22399)
    ) as process:
        yield process


@pytest.fixture
def sfu(settings: Any, janus: JanusProcess, monkeypatch: Any, tmp_path: Path) -> Path:
    launch.sfu_settings(settings, janus)
    settings.CLASSMEET_SFU_THRESHOLD = 10  # the room stays a mesh until recording starts
    settings.CLASSMEET_RECORDINGS_ROOT = tmp_path / "recordings"
    settings.CLASSMEET_RECORDINGS_QUOTA_BYTES = 0
    monkeypatch.setattr(topology, "_local", set())
    return Path(settings.CLASSMEET_RECORDINGS_ROOT)


@pytest.fixture
def cast() -> tuple[Any, Any, Any, Any]:
    teacher = TeacherFactory.create(username="recsfu_tina", first_name="Tina", last_name="Teach")
    student = StudentFactory.create(username="recsfu_sam", first_name="Sam", last_name="Study")
    outsider = StudentFactory.create(username="recsfu_olga")
    course = CourseFactory.create(teacher=teacher, title="Physics")
    EnrollmentFactory.create(course=course, student=student)
    meeting = MeetingFactory.create(course=course, title="Waves")
    return teacher, student, outsider, meeting


def _start(client: Any, meeting: Any, video: int, audio: int) -> Any:
    url = reverse("recordings:start", kwargs={"meeting_id": meeting.pk})
    return client.post(url, {"videoTracks": video, "audioTracks": audio})


def test_nobody_publishing_is_refused_or_fails_with_a_reason(client, sfu, cast):
    teacher, _student, _outsider, meeting = cast
    client.force_login(teacher)
    # The browser says something is published: the room moves to Janus and Janus records.
    started = _start(client, meeting, 1, 1)
    assert started.status_code == 201, started.content
    assert started.json()["mode"] == "sfu"
    recording = Recording.objects.get(pk=started.json()["id"])
    assert recording.source == Recording.Source.SFU
    assert janus_recorder.folder(recording).is_dir()
    # Nobody ever publishes into the Janus room: stopping fails the recording, with the reason.
    stopped = client.post(reverse("recordings:stop", kwargs={"recording_id": recording.pk}))
    assert stopped.json()["status"] == "failed"
    assert stopped.json()["reason"] == janus_recorder.NOTHING_RECORDED
    # Now the room is on the SFU: Janus, not the browser's count, says nobody publishes.
    refused = _start(client, meeting, 1, 1)
    assert refused.status_code == 409
    assert refused.json()["error"] == "nobody-publishing"
    assert "nobody is publishing" in refused.json()["message"]
    assert Recording.objects.filter(status=Recording.Status.RECORDING).count() == 0


# The recording in real browsers, processed by real workers ---------------------------------------


@pytest.fixture
def workers(settings: Any, redis_url: str, tmp_path: Path, sfu: Path) -> Iterator[CeleryProcesses]:
    """Celery workers on Redis and the test database; this process queues to them."""
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL (DATABASE_URL=postgres://...)",
        required="this test needs DATABASE_URL=postgres://...",
    )
    from config.celery_app import app

    broker = urlunparse(urlparse(redis_url)._replace(path=f"/{BROKER_DB}"))
    redis.Redis.from_url(broker).flushdb()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    def new_connections() -> None:  # the app and kombu cache broker connections
        kombu_pools.reset()
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    new_connections()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker,
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "CELERY_BROKER_RESTORE_SECONDS": "1",
        "REDIS_URL": "",
        "CLASSMEET_RECORDINGS_ROOT": str(sfu),
        "CLASSMEET_RECORDINGS_QUOTA_BYTES": "0",
        "CLASSMEET_RECORDINGS_HEARTBEAT_SECONDS": str(HEARTBEAT),
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
    }
    procs = CeleryProcesses(env=env, logdir=tmp_path)
    yield procs
    procs.stop_all()
    new_connections()
    redis.Redis.from_url(broker).flushdb()


def join(new_page: Any, user: Any, meeting: Any) -> Any:
    page = new_page(user, sign_in="cookie")
    page.set_default_timeout(30_000)
    page.goto(reverse("rooms:room", kwargs={"meeting_id": meeting.pk}))
    page.wait_for_selector("#room[data-joined='true']")
    return page


def wait_for(predicate: Any, what: str, procs: CeleryProcesses, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{procs.logs()}")


PUBLISHING_JS = """() => {
  const sfu = window.classmeetRoom.sfu();
  return window.classmeetRoom.topology === "sfu" && !!sfu.publisher
    && sfu.publisher.connectionState === "connected";
}"""


def test_janus_records_the_class_and_a_killed_job_is_finished_by_another_worker(
    new_page, sfu, cast, workers
):
    teacher, student, outsider, meeting = cast
    workers.worker("w1")
    t = join(new_page, teacher, meeting)
    s = join(new_page, student, meeting)
    assert t.locator("#recorder").get_attribute("data-mode") == "sfu"

    t.click("#btn-record")
    started = time.monotonic()
    t.wait_for_selector("#btn-record[aria-pressed='true']")
    s.wait_for_selector("#recording-indicator:not(.d-none)")  # everybody sees the indicator
    # Recording moved the mesh to Janus: both publish there, and Janus records them.
    for page in (t, s):
        page.wait_for_function(PUBLISHING_JS, timeout=30_000)
    recording = Recording.objects.get(meeting=meeting)
    assert recording.source == Recording.Source.SFU
    workers.wait_ready("w1")

    # A participant joining while Janus records is told so.
    s.reload()
    s.wait_for_selector("#room[data-joined='true']")
    s.wait_for_selector("#recording-indicator:not(.d-none)")
    assert "recorded" in s.locator("#recording-notice").text_content()
    s.wait_for_function(PUBLISHING_JS, timeout=30_000)

    time.sleep(max(0.0, RECORD_SECONDS - (time.monotonic() - started)))
    t.click("#btn-record")
    span = time.monotonic() - started
    t.wait_for_selector("#btn-record[aria-pressed='false']:not([disabled])")
    s.wait_for_selector("#recording-indicator.d-none", state="attached")
    mjr = list(janus_recorder.folder(recording).glob("*.mjr"))
    recording.refresh_from_db()
    assert teacher.pk in recording.sfu_feeds.values(), recording.sfu_feeds
    assert len(mjr) >= 6, mjr  # the teacher's and the student's two feeds, audio and video

    # The first worker takes the job; it is killed while ffmpeg writes the file.
    final = sfu / files.final_name(recording)
    wait_for(
        lambda: (
            Recording.objects.filter(pk=recording.pk, status="processing", progress__gt=10)
            .exclude(progress=100)
            .exists()
            and list(final.parent.glob("*.tmp"))
        ),
        "the job to be mid-way",
        workers,
    )
    workers.kill("w1")  # SIGKILL: worker and ffmpeg
    assert list(final.parent.glob("*.tmp")), "killed before ffmpeg wrote anything"
    assert not final.exists()
    file_url = reverse("recordings:file", kwargs={"recording_id": recording.pk})
    assert t.request.get(file_url).status == 404  # nothing half-written is served
    assert Recording.objects.get(pk=recording.pk).status == Recording.Status.PROCESSING

    # The broker hands the unacknowledged message to a second worker, which finishes the job.
    workers.worker("w2")
    wait_for(
        lambda: Recording.objects.get(pk=recording.pk).is_final, "the retried job", workers, 120
    )
    recording.refresh_from_db()
    assert recording.status == Recording.Status.READY, recording.failure_reason
    second = (workers.logdir / "w2.log").read_text(errors="replace")
    assert "recording_process_task" in second
    assert "succeeded" in second
    left = sorted(p.name for p in sfu.rglob("*") if p.is_file())
    assert left == [final.name]  # one file; no .tmp, no .mjr left
    duration, kinds = processing.probe_summary(final)
    assert sorted(kinds) == ["audio", "video"]
    assert abs(duration - span) <= 2.0, (duration, span)
    assert recording.size_bytes == final.stat().st_size
    assert Notification.objects.filter(recipient=student, course=meeting.course).count() == 1

    assert_served_to_the_course_only(new_page, s, outsider, recording, final)
