"""A recording of a live class: recorded by Janus (SFU) or uploaded in chunks by the teacher's
browser while it runs, then made into one file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Recording(models.Model):
    class Status(models.TextChoices):
        RECORDING = "recording", _("Recording")
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        BROWSER = "browser", _("Teacher's browser")
        SFU = "sfu", _("Media server")

    ACTIVE = (Status.RECORDING,)
    PENDING = (Status.QUEUED, Status.PROCESSING)

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="recordings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECORDING)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.BROWSER)
    # SFU: Janus publisher id -> Classmeet user id, as listed while recording (finds the teacher).
    sfu_feeds = models.JSONField(default=dict, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, while processing
    # Upload: chunks are appended in order; `next_seq` is the sequence number expected next.
    next_seq = models.PositiveIntegerField(default=0)
    bytes_received = models.PositiveBigIntegerField(default=0)
    mime_type = models.CharField(max_length=100, default="video/webm")
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    last_chunk_at = models.DateTimeField(null=True, blank=True)
    # Result, set together with status=ready.
    file_name = models.CharField(max_length=200, blank=True)  # relative to the recordings root
    duration_seconds = models.FloatField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The processing run that owns the job, and when it last proved it is alive.
    processing_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-started_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("meeting",),
                condition=models.Q(status="recording"),
                name="recording_one_active_per_meeting",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="recording_progress_percent"
            ),
        ]
        indexes = [models.Index(fields=("status", "updated_at"))]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or f"Recording {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file_name)

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def download_name(self) -> str:
        safe = "".join(c if c.isalnum() or c in "-_ " else "_" for c in self.display_title)
        return f"{safe.strip() or 'recording'}.webm"
