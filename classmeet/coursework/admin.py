"""Admin of coursework: read-mostly.

Assignments, quizzes and grades are written in the app, whose services keep each gradebook
column in step with its owner, check uploads and keep the grade history; here staff look, filter
and search. An assignment is deleted through its service, so its stored files go too.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from .models import (
    Answer,
    Assignment,
    AssignmentAttachment,
    AssignmentReminder,
    AssignmentStudent,
    Choice,
    Grade,
    GradeCategory,
    GradeChange,
    GradeItem,
    LivePoll,
    LivePollAnswer,
    Question,
    Quiz,
    QuizAttempt,
    Submission,
    SubmissionAttempt,
    SubmissionFile,
)


class _ReadOnly:
    """Look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnlyAdmin(_ReadOnly, admin.ModelAdmin[Model]):
    pass


class _ReadOnlyInline(_ReadOnly, admin.TabularInline[Model, Model]):
    extra = 0


# Gradebook ----------------------------------------------------------------------------------


@admin.register(GradeCategory)
class GradeCategoryAdmin(_ReadOnlyAdmin):
    list_display = ("name", "course", "weight", "position")
    search_fields = ("name", "course__title")
    list_select_related = ("course",)


@admin.register(GradeItem)
class GradeItemAdmin(_ReadOnlyAdmin):
    list_display = (
        "title",
        "course",
        "kind",
        "max_points",
        "dated_at",
        "is_published",
        "released_at",
    )
    list_filter = ("kind", "is_published")
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    date_hierarchy = "dated_at"


class GradeChangeInline(_ReadOnlyInline):
    model = GradeChange
    fields = ("changed_at", "changed_by", "old_points", "new_points", "feedback_changed")
    readonly_fields = fields


@admin.register(GradeChange)
class GradeChangeAdmin(_ReadOnlyAdmin):
    list_display = ("grade", "changed_at", "changed_by", "old_points", "new_points")
    list_select_related = ("grade", "changed_by")
    date_hierarchy = "changed_at"


@admin.register(Grade)
class GradeAdmin(_ReadOnlyAdmin):
    list_display = ("item", "student", "points", "entered_points", "graded_by", "graded_at")
    list_filter = ("is_override", "is_absent", "graded_at")
    search_fields = ("item__title", "student__username", "student__email")
    list_select_related = ("item", "student", "graded_by")
    inlines = (GradeChangeInline,)


# Assignments --------------------------------------------------------------------------------


class AssignmentStudentInline(_ReadOnlyInline):
    model = AssignmentStudent
    fields = ("student",)
    readonly_fields = fields


class AssignmentAttachmentInline(_ReadOnlyInline):
    model = AssignmentAttachment
    fields = ("original_name", "content_type", "size", "created_at")
    readonly_fields = fields


@admin.register(Assignment)
class AssignmentAdmin(_ReadOnlyAdmin):
    list_display = ("title", "course", "status", "due_at", "accepts_late", "submission_type")
    list_filter = ("status", "submission_type", "accepts_late")
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    date_hierarchy = "due_at"
    inlines = (AssignmentStudentInline, AssignmentAttachmentInline)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # Its submissions, attempts and files are read-only here, yet go with it by design
        # (the service deletes them and their stored files): not a missing permission.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        from .services.assignments import assignment_delete

        assignment_delete(assignment=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        from .services.assignments import assignment_delete

        for assignment in queryset:
            assignment_delete(assignment=assignment)


@admin.register(AssignmentStudent)
class AssignmentStudentAdmin(_ReadOnlyAdmin):
    list_display = ("assignment", "student")
    search_fields = ("assignment__title", "student__username")
    list_select_related = ("assignment", "student")


@admin.register(AssignmentAttachment)
class AssignmentAttachmentAdmin(_ReadOnlyAdmin):
    list_display = ("original_name", "assignment", "content_type", "size", "created_at")
    search_fields = ("original_name", "assignment__title")
    list_select_related = ("assignment",)


@admin.register(AssignmentReminder)
class AssignmentReminderAdmin(_ReadOnlyAdmin):
    list_display = ("assignment", "due_at", "sent_at", "recipients")
    list_select_related = ("assignment",)
    date_hierarchy = "sent_at"


class SubmissionAttemptInline(_ReadOnlyInline):
    model = SubmissionAttempt
    fields = ("number", "submitted_at", "is_late", "days_late")
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(_ReadOnlyAdmin):
    list_display = ("assignment", "student", "attempt_count", "last_submitted_at", "is_late")
    list_filter = ("is_late",)
    search_fields = ("assignment__title", "student__username", "student__email")
    list_select_related = ("assignment", "student")
    inlines = (SubmissionAttemptInline,)


@admin.register(SubmissionAttempt)
class SubmissionAttemptAdmin(_ReadOnlyAdmin):
    list_display = ("submission", "number", "submitted_at", "is_late", "days_late")
    list_filter = ("is_late",)
    list_select_related = ("submission",)
    date_hierarchy = "submitted_at"


@admin.register(SubmissionFile)
class SubmissionFileAdmin(_ReadOnlyAdmin):
    list_display = ("original_name", "attempt", "content_type", "size")
    search_fields = ("original_name", "attempt__submission__student__username")
    list_select_related = ("attempt",)


# Quizzes ------------------------------------------------------------------------------------


class ChoiceInline(_ReadOnlyInline):
    model = Choice
    fields = ("position", "text", "is_correct")
    readonly_fields = fields


@admin.register(Quiz)
class QuizAdmin(_ReadOnlyAdmin):
    list_display = ("title", "course", "status", "opens_at", "closes_at", "attempts_allowed")
    list_filter = ("status", "scoring", "release")
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    date_hierarchy = "opens_at"


@admin.register(Question)
class QuestionAdmin(_ReadOnlyAdmin):
    list_display = ("__str__", "quiz", "kind", "points", "position")
    list_filter = ("kind",)
    search_fields = ("text", "quiz__title")
    list_select_related = ("quiz",)
    inlines = (ChoiceInline,)


class AnswerInline(_ReadOnlyInline):
    model = Answer
    fields = ("question", "choice_ids", "numeric_value", "points", "answered_at")
    readonly_fields = fields


@admin.register(Choice)
class ChoiceAdmin(_ReadOnlyAdmin):
    list_display = ("text", "question", "is_correct", "position")
    list_select_related = ("question",)


@admin.register(Answer)
class AnswerAdmin(_ReadOnlyAdmin):
    list_display = ("attempt", "question", "points", "answered_at")
    list_select_related = ("attempt", "question")


@admin.register(QuizAttempt)
class QuizAttemptAdmin(_ReadOnlyAdmin):
    list_display = ("quiz", "student", "number", "started_at", "submitted_at", "score")
    search_fields = ("quiz__title", "student__username", "student__email")
    list_select_related = ("quiz", "student")
    inlines = (AnswerInline,)


# The live class's polls (written by the room at open and close) ----------------------------------


class LivePollAnswerInline(_ReadOnlyInline):
    model = LivePollAnswer
    fields = ("student", "choice", "is_correct")
    readonly_fields = fields


@admin.register(LivePoll)
class LivePollAdmin(_ReadOnlyAdmin):
    list_display = ("__str__", "meeting", "opened_at", "closed_at", "answered", "present")
    list_filter = ("anonymous", "multiple")
    search_fields = ("question", "meeting__title", "meeting__course__title")
    list_select_related = ("meeting",)
    inlines = (LivePollAnswerInline,)


@admin.register(LivePollAnswer)
class LivePollAnswerAdmin(_ReadOnlyAdmin):
    list_display = ("poll", "student", "choice", "is_correct")
    list_select_related = ("poll", "student")
