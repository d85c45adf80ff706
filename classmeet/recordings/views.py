"""Recording views: the room's start/chunk/stop endpoints (JSON), the file with HTTP ranges,
the processing state (JSON, polled by the teacher's page), rename and delete."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.recordings.models import Recording
from classmeet.recordings.services import capture, files, housekeeping
from classmeet.recordings.services.capture import RecordingError

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
STREAM_BLOCK = 64 * 1024


def _error(exc: RecordingError) -> JsonResponse:
    return JsonResponse({"error": exc.code, "message": exc.message}, status=exc.status)


def _state(recording: Recording) -> dict[str, object]:
    return {
        "id": recording.pk,
        "status": recording.status,
        "statusLabel": recording.get_status_display(),
        "progress": recording.progress,
        "reason": _(recording.failure_reason),  # stored in English (gettext_noop), shown translated
        "duration": recording.duration_seconds,
        "size": recording.size_bytes,
    }


def _meeting_url(recording: Recording) -> str:
    return reverse("meetings:meeting-detail", kwargs={"meeting_id": recording.meeting_id})


def _redirect_back(request: HttpRequest, recording: Recording) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = _meeting_url(recording)
    return HttpResponseRedirect(target)


# Room endpoints (the teacher's browser) ---------------------------------------------------------


class StartForm(forms.Form):
    videoTracks = forms.IntegerField(min_value=0, max_value=16)
    audioTracks = forms.IntegerField(min_value=0, max_value=256)


@login_required
@require_POST
def recording_start(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.meetings.access_meeting(user=request.user, meeting_id=meeting_id)
    if not access.recordings.can_record_meeting(user=request.user, meeting=meeting):
        return JsonResponse(
            {
                "error": "forbidden",
                "message": _("Only the teacher records, while the room is open."),
            },
            status=403,
        )
    form = StartForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"error": "bad-request", "message": _("Invalid request."), "fields": form.errors},
            status=400,
        )
    try:
        recording = capture.recording_start(
            meeting=meeting,
            user=request_user(request),
            video_tracks=form.cleaned_data["videoTracks"],
            audio_tracks=form.cleaned_data["audioTracks"],
        )
    except RecordingError as exc:
        return _error(exc)
    return JsonResponse(
        {
            "id": recording.pk,
            # "sfu": Janus records, the browser only stops it; "browser": it uploads chunks.
            "mode": recording.source,
            # The client appends "<seq>/" to this prefix.
            "chunkUrl": reverse(
                "recordings:chunk", kwargs={"recording_id": recording.pk, "seq": 0}
            ).removesuffix("0/"),
            "stopUrl": reverse("recordings:stop", kwargs={"recording_id": recording.pk}),
        },
        status=201,
    )


def _own_running(request: HttpRequest, recording_id: int) -> Recording:
    """The recording, for the teacher who made it (404 for anybody else)."""
    recording = access.recordings.access_recording_for_manage(
        user=request.user, recording_id=recording_id
    )
    if recording.created_by_id != request.user.pk:
        raise Http404
    return recording


@login_required
@require_POST
def recording_chunk(request: HttpRequest, recording_id: int, seq: int) -> HttpResponse:
    """Append one chunk (raw body). The same (recording, seq) again is acknowledged, not added."""
    recording = _own_running(request, recording_id)
    limit = int(settings.CLASSMEET_RECORDINGS_CHUNK_MAX_BYTES)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0 or length > limit:
        return _error(
            RecordingError("too-large", _("A chunk is limited to %(n)d bytes.") % {"n": limit}, 413)
        )
    try:
        result = capture.recording_chunk_append(
            recording_id=recording.pk, seq=seq, data=request.read(limit + 1)
        )
    except RecordingError as exc:
        return _error(exc)
    return JsonResponse(
        {"seq": seq, "duplicate": result.duplicate, "bytes": result.recording.bytes_received}
    )


@login_required
@require_POST
def recording_stop(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = access.recordings.access_recording_for_manage(
        user=request.user, recording_id=recording_id
    )
    recording = capture.recording_stop(recording=recording)
    return JsonResponse(_state(recording))


@login_required
@require_POST
def recording_feeds(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The teacher's tab (re)published to Janus: note whose feeds the room has now."""
    recording = access.recordings.access_recording_for_manage(
        user=request.user, recording_id=recording_id
    )
    capture.recording_feeds_refresh(meeting_id=recording.meeting_id)
    return JsonResponse({"id": recording.pk}, status=202)


# Pages ----------------------------------------------------------------------------------------


@login_required
@require_GET
def recording_status(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = access.recordings.access_recording(user=request.user, recording_id=recording_id)
    return JsonResponse(_state(recording))


class _RangeFile:
    """Iterate over bytes [start, end] of an open file, then close it."""

    def __init__(self, fh: IO[bytes], start: int, end: int) -> None:
        self.fh, self.start, self.end = fh, start, end

    def __iter__(self) -> Iterator[bytes]:
        try:
            self.fh.seek(self.start)
            left = self.end - self.start + 1
            while left > 0:
                block = self.fh.read(min(STREAM_BLOCK, left))
                if not block:
                    break
                left -= len(block)
                yield block
        finally:
            self.fh.close()


class Unsatisfiable(Exception):
    pass


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """Return (start, end) for one satisfiable range, or None to ignore the header (serve all);
    raise Unsatisfiable for a range outside the file (416)."""
    match = RANGE_RE.match(header.strip())
    if not match:
        return None  # a malformed or multi-range header is ignored (RFC 9110 allows it)
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        n = int(last)
        if n == 0:
            raise Unsatisfiable
        return max(size - n, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        raise Unsatisfiable
    return start, min(end, size - 1)


@login_required
@require_GET
def recording_file(request: HttpRequest, recording_id: int) -> HttpResponseBase:
    """The finished file, inline (streaming, seekable) or as a download (`?download=1`)."""
    recording = access.recordings.access_recording(user=request.user, recording_id=recording_id)
    path = files.file_path(recording)
    if path is None or not path.is_file():
        raise Http404
    size = path.stat().st_size
    disposition = "attachment" if request.GET.get("download") else "inline"
    header = request.headers.get("Range", "")
    try:
        parsed = _parse_range(header, size) if header else None
    except Unsatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    response: FileResponse | StreamingHttpResponse
    if parsed is None:
        response = FileResponse(
            path.open("rb"),
            as_attachment=disposition == "attachment",
            filename=recording.download_name,
            content_type="video/webm",
        )
        response["Accept-Ranges"] = "bytes"
    else:
        start, end = parsed
        response = StreamingHttpResponse(
            _RangeFile(path.open("rb"), start, end), status=206, content_type="video/webm"
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        response["Accept-Ranges"] = "bytes"
        response["Content-Disposition"] = (
            content_disposition_header(disposition == "attachment", recording.download_name)
            or "inline"
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class RenameForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False, strip=True)


@login_required
def recording_rename(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = access.recordings.access_recording_for_manage(
        user=request.user, recording_id=recording_id
    )
    form = RenameForm(request.POST or None, initial={"title": recording.title})
    if request.method == "POST" and form.is_valid():
        housekeeping.recording_rename(recording=recording, title=form.cleaned_data["title"])
        messages.success(request, _("Recording renamed."))
        return _redirect_back(request, recording)
    return render(
        request,
        "recordings/recording_rename.html",
        {"recording": recording, "form": form, "back_url": _meeting_url(recording)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def recording_delete(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = access.recordings.access_recording_for_manage(
        user=request.user, recording_id=recording_id
    )
    if request.method == "POST":
        back = _redirect_back(request, recording)
        housekeeping.recording_delete(recording=recording)
        messages.success(request, _("Recording deleted."))
        return back
    return render(
        request,
        "recordings/recording_confirm_delete.html",
        {"recording": recording, "back_url": _meeting_url(recording)},
    )
