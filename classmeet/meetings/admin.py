from django.contrib import admin
from django.http import HttpRequest

from .models import Meeting, MeetingReminder


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
