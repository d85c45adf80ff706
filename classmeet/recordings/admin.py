"""Admin for recordings: state, size and failures at a glance; files are deleted through the service."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Recording
from .services import housekeeping


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin[Recording]):
    list_display = (
        "__str__",
        "meeting",
        "status",
        "progress",
        "duration_seconds",
        "size_bytes",
        "started_at",
        "failure_reason",
    )
    list_filter = ("status", "started_at")
    search_fields = ("title", "meeting__title", "meeting__course__title", "failure_reason")
    list_select_related = ("meeting", "meeting__course")
    raw_id_fields = ("meeting", "created_by")
    readonly_fields = (
        "status",
        "progress",
        "failure_reason",
        "next_seq",
        "bytes_received",
        "file_name",
        "duration_seconds",
        "size_bytes",
        "started_at",
        "stopped_at",
        "last_chunk_at",
        "processed_at",
    )
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Recording) -> None:
        housekeeping.recording_delete(recording=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Recording]) -> None:
        for recording in queryset:
            housekeeping.recording_delete(recording=recording)
