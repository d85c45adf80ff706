from django.contrib import admin

from .models import Comment, Discussion, Vote


class CommentInline(admin.TabularInline[Comment, Discussion]):
    model = Comment
    extra = 0
    fields = ("author", "parent", "body", "is_answer", "created_at", "deleted_at")
    raw_id_fields = ("author", "parent")
    show_change_link = True


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin[Discussion]):
    list_display = (
        "title",
        "course",
        "author",
        "is_pinned",
        "is_locked",
        "created_at",
        "deleted_at",
    )
    list_filter = ("is_pinned", "is_locked", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "body", "course__title", "author__username")
    raw_id_fields = ("course", "author", "deleted_by")
    readonly_fields = ("body_html",)
    date_hierarchy = "created_at"
    list_select_related = ("course", "author")
    inlines = [CommentInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = ("id", "discussion", "author", "parent", "is_answer", "created_at", "deleted_at")
    list_filter = ("is_answer", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("body", "discussion__title", "author__username")
    raw_id_fields = ("discussion", "author", "parent", "deleted_by")
    readonly_fields = ("body_html",)
    list_select_related = ("discussion", "author")


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin[Vote]):
    list_display = ("id", "user", "discussion", "comment", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("user__username",)
    raw_id_fields = ("user", "discussion", "comment")
    list_select_related = ("user", "discussion", "comment")
