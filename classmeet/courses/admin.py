"""Admin of courses, enrollments and materials.

Deletes go through the courses services so that stored files are removed too. Materials are
uploaded in the app (where their type and size are checked), not here.
"""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from classmeet.accounts.models import User

from .forms import CourseForm
from .models import Course, CourseAssistant, Enrollment, Material


def _limit_to_role(form: forms.BaseForm, name: str, role: str) -> None:
    """Let a user field of an admin form accept only users of the given role."""
    if name in form.fields:
        field = cast(forms.ModelChoiceField[User], form.fields[name])
        field.queryset = User.objects.filter(role=role)


class EnrollmentAdminForm(forms.ModelForm[Enrollment]):
    """Only students can be enrolled."""

    class Meta:
        model = Enrollment
        fields = ("course", "student")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_to_role(self, "student", User.Role.STUDENT)


class EnrollmentInline(admin.TabularInline[Enrollment, Course]):
    model = Enrollment
    form = EnrollmentAdminForm
    extra = 0
    autocomplete_fields = ("student",)
    readonly_fields = ("created_at",)
    fields = ("student", "created_at")


class MaterialInline(admin.TabularInline[Material, Course]):
    model = Material
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("title", "original_name", "content_type", "size", "created_at")
    readonly_fields = ("original_name", "content_type", "size", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssistantInline(admin.TabularInline[CourseAssistant, Course]):
    """Read-only here: the owner adds and removes assistants on the course's Staff page, whose
    services check who may assist, notify them and close their room sockets on removal."""

    model = CourseAssistant
    fk_name = "course"
    extra = 0
    can_delete = False
    fields = ("user", "added_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CourseAdminForm(forms.ModelForm[Course]):
    """Teachers only; a thumbnail passes the same checks as in the app."""

    class Meta:
        model = Course
        fields = (
            "title",
            "description",
            "teacher",
            "thumbnail",
            "join_code",
            "invite_token",
            "joining_enabled",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_to_role(self, "teacher", User.Role.TEACHER)

    clean_thumbnail = CourseForm.clean_thumbnail


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    form = CourseAdminForm
    list_display = (
        "title",
        "teacher",
        "join_code",
        "joining_enabled",
        "student_count",
        "material_count",
        "created_at",
    )
    list_filter = ("joining_enabled", "created_at")
    search_fields = ("title", "description", "join_code", "teacher__username", "teacher__email")
    list_select_related = ("teacher",)
    autocomplete_fields = ("teacher",)
    readonly_fields = ("created_at", "updated_at")
    fields = (*CourseAdminForm.Meta.fields, "created_at", "updated_at")
    date_hierarchy = "created_at"
    inlines = (EnrollmentInline, AssistantInline, MaterialInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Course]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                num_students=Count("enrollments", distinct=True),
                num_materials=Count("materials", distinct=True),
            )
        )

    @admin.display(description=_("students"), ordering="num_students")
    def student_count(self, obj: Any) -> int:
        return int(obj.num_students)

    @admin.display(description=_("materials"), ordering="num_materials")
    def material_count(self, obj: Any) -> int:
        return int(obj.num_materials)

    def delete_model(self, request: HttpRequest, obj: Course) -> None:
        from . import services

        services.course_delete(course=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        from . import services

        for course in queryset:
            services.course_delete(course=course)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin[Enrollment]):
    form = EnrollmentAdminForm
    list_display = ("student", "course", "course_teacher", "created_at")
    list_filter = ("created_at",)
    search_fields = (
        "student__username",
        "student__email",
        "student__first_name",
        "student__last_name",
        "course__title",
    )
    list_select_related = ("student", "course", "course__teacher")
    autocomplete_fields = ("student", "course")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"

    @admin.display(description=_("teacher"), ordering="course__teacher__username")
    def course_teacher(self, obj: Enrollment) -> str:
        return str(obj.course.teacher)


@admin.register(CourseAssistant)
class CourseAssistantAdmin(admin.ModelAdmin[CourseAssistant]):
    """Read-only, like the course's inline: changes go through the Staff page's services."""

    list_display = ("user", "course", "added_by", "created_at")
    search_fields = ("user__username", "user__email", "course__title")
    list_select_related = ("user", "course", "added_by")
    readonly_fields = ("course", "user", "added_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin[Material]):
    list_display = (
        "title",
        "course",
        "original_name",
        "content_type",
        "human_size",
        "uploaded_by",
        "created_at",
    )
    list_filter = ("content_type", "created_at")
    search_fields = ("title", "original_name", "course__title", "uploaded_by__username")
    list_select_related = ("course", "uploaded_by")
    fields = (
        "title",
        "course",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "created_at",
    )
    readonly_fields = (
        "course",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "created_at",
    )
    date_hierarchy = "created_at"

    @admin.display(description=_("size"), ordering="size")
    def human_size(self, obj: Material) -> str:
        return str(filesizeformat(obj.size))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Material) -> None:
        from . import services

        services.material_delete(material=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Material]) -> None:
        from . import services

        for material in queryset:
            services.material_delete(material=material)
