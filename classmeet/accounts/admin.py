"""Admin of users and teacher invites (with a page that generates invite codes)."""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import TeacherInvite, User
from .selectors import request_user


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "email_notifications")
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("username",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Classmeet"), {"fields": ("role", "timezone", "email_notifications")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "role", "password1", "password2"),
            },
        ),
    )


class InviteStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("usable", _("Usable")), ("used", _("Used")), ("expired", _("Expired, unused"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "usable":
            return queryset.filter(used_at__isnull=True).filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=now)
            )
        if self.value() == "used":
            return queryset.filter(used_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(used_at__isnull=True, expires_at__lte=now)
        return queryset


class InviteGenerateForm(forms.Form):
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=100, initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("Leave empty for codes that never expire."),
    )


@admin.register(TeacherInvite)
class TeacherInviteAdmin(admin.ModelAdmin[TeacherInvite]):
    list_display = (
        "code",
        "note",
        "is_usable_display",
        "created_by",
        "created_at",
        "expires_at",
        "used_by",
        "used_at",
    )
    list_filter = (InviteStateFilter, "created_at", "expires_at")
    search_fields = ("code", "note", "used_by__username", "used_by__email")
    list_select_related = ("created_by", "used_by")
    readonly_fields = ("code", "created_by", "created_at", "used_by", "used_at")
    fields = ("code", "note", "expires_at", "created_by", "created_at", "used_by", "used_at")
    date_hierarchy = "created_at"
    actions = ("generate_replacements",)

    @admin.display(boolean=True, description=_("usable"))
    def is_usable_display(self, obj: TeacherInvite) -> bool:
        return obj.is_usable

    @admin.action(description=_("Generate a new code for each selected invite (same note)"))
    def generate_replacements(
        self, request: HttpRequest, queryset: QuerySet[TeacherInvite]
    ) -> None:
        invites: list[TeacherInvite] = []
        for invite in queryset[:100]:
            invites += services.teacher_invites_generate(
                count=1,
                note=invite.note,
                created_by=request_user(request),
            )
        codes = ", ".join(invite.code for invite in invites)
        self.message_user(
            request, _("New invite codes: %(codes)s") % {"codes": codes}, messages.SUCCESS
        )

    def save_model(self, request: HttpRequest, obj: TeacherInvite, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request_user(request)
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "generate/",
                self.admin_site.admin_view(self.generate_view),
                name="accounts_teacherinvite_generate",
            )
        ]
        return custom + super().get_urls()

    def generate_view(self, request: HttpRequest) -> HttpResponse:
        """Issue a batch of codes and show them, ready to copy."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteGenerateForm(request.POST or None)
        invites: list[TeacherInvite] = []
        if request.method == "POST" and form.is_valid():
            days = form.cleaned_data["valid_days"]
            try:
                invites = services.teacher_invites_generate(
                    count=form.cleaned_data["count"],
                    note=form.cleaned_data["note"],
                    created_by=request_user(request),
                    expires_at=timezone.now() + timedelta(days=days) if days else None,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d invite code generated.",
                        "%(count)d invite codes generated.",
                        len(invites),
                    )
                    % {"count": len(invites)},
                    messages.SUCCESS,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Generate teacher invite codes"),
            "form": form,
            "invites": invites,
        }
        return TemplateResponse(request, "admin/accounts/teacherinvite/generate.html", context)
