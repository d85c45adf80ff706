from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("title", "recipient", "kind", "course", "created_at", "read_at", "emailed_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "body", "recipient__username")
    raw_id_fields = ("recipient", "actor", "course")
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "course")
