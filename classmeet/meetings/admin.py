"""Admin for meetings and their record: attendance, chat and removals (read-mostly records)."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import Attendance, ChatMessage, Meeting, MeetingReminder, RoomAdmission, RoomRemoval


class MeetingReminderInline(admin.TabularInline[MeetingReminder, Meeting]):
    model = MeetingReminder
    extra = 0
    can_delete = False
    readonly_fields = ("offset_seconds", "starts_at", "sent_at", "recipients")

    def has_add_permission(self, request: HttpRequest, obj: Meeting | None = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin[Meeting]):
    list_display = ("title", "course", "starts_at", "duration_minutes", "status", "sequence")
    list_filter = ("status",)
    search_fields = ("title", "course__title")
    date_hierarchy = "starts_at"
    raw_id_fields = ("course", "created_by")
    readonly_fields = ("ical_uid", "series", "created_at", "updated_at")
    inlines = [MeetingReminderInline]


@admin.register(MeetingReminder)
class MeetingReminderAdmin(admin.ModelAdmin[MeetingReminder]):
    list_display = ("meeting", "offset_seconds", "starts_at", "sent_at", "recipients")
    raw_id_fields = ("meeting",)
    readonly_fields = ("sent_at",)


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


@admin.register(RoomAdmission)
class RoomAdmissionAdmin(_RecordAdmin):
    """Who let whom in from a meeting's waiting room (read-only: the room writes these)."""

    list_display = ("meeting", "user", "by", "at")
    list_filter = ("at",)
    search_fields = ("meeting__title", "user__username", "by__username")
    list_select_related = ("meeting", "user", "by")
    raw_id_fields = ("meeting", "user", "by")
