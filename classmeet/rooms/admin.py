"""Admin for what the live room records: attendance, chat and removals (read-mostly records)."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import Attendance, ChatMessage, RoomRemoval


class _RecordAdmin(admin.ModelAdmin[Model]):
    """Rows written by the room itself: staff look and filter, they don't invent them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Attendance)
class AttendanceAdmin(_RecordAdmin):
    list_display = ("meeting", "user", "joined_at", "left_at", "closed_by", "peer_id")
    list_filter = ("closed_by", "joined_at")
    search_fields = ("meeting__title", "user__username", "user__email", "peer_id")
    list_select_related = ("meeting", "user")
    raw_id_fields = ("meeting", "user")
    date_hierarchy = "joined_at"


@admin.register(ChatMessage)
class ChatMessageAdmin(_RecordAdmin):
    list_display = ("meeting", "author", "created_at", "text", "deleted_at", "deleted_by")
    list_filter = ("created_at", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("meeting__title", "author__username", "text")
    list_select_related = ("meeting", "author", "deleted_by")
    raw_id_fields = ("meeting", "author", "deleted_by")
    date_hierarchy = "created_at"


@admin.register(RoomRemoval)
class RoomRemovalAdmin(_RecordAdmin):
    list_display = ("meeting", "user", "by", "at")
    list_filter = ("at",)
    search_fields = ("meeting__title", "user__username", "by__username")
    list_select_related = ("meeting", "user", "by")
    raw_id_fields = ("meeting", "user", "by")
