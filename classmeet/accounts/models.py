"""Users with a role, and the invite codes that let teachers sign up when sign-up is by invite."""

import secrets
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    """Reject names that are not IANA time zones."""
    if value and value not in available_timezones():
        raise ValidationError(_("%(tz)s is not a known time zone."), params={"tz": value})


class User(AbstractUser):
    class Role(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        STUDENT = "student", _("Student")

    class EmailPreference(models.TextChoices):
        OFF = "off", _("Off")
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Daily digest")

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        validators=[validate_timezone],
        help_text=_("IANA time zone; empty means the browser's."),
    )
    # One of settings.LANGUAGES; empty means the browser's (Accept-Language). Pages, e-mails,
    # notifications and calendar feeds for this user use it. The database default keeps rows
    # written by older code (and older migrations' models) valid.
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        default="",
        db_default="",
        choices=settings.LANGUAGES,
        help_text=_("Empty means the browser's language."),
    )
    email_notifications = models.CharField(
        max_length=16, choices=EmailPreference.choices, default=EmailPreference.OFF
    )
    calendar_token = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        ordering = ("username",)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_teacher(self) -> bool:
        return self.role == self.Role.TEACHER

    @property
    def is_student(self) -> bool:
        return self.role == self.Role.STUDENT


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


class TeacherInvite(models.Model):
    """A one-time code issued in the admin that lets one person sign up as a teacher."""

    code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    note = models.CharField(max_length=200, blank=True, help_text=_("Who the invite is for."))
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_by = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="teacher_invite"
    )
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.code

    @property
    def is_usable(self) -> bool:
        if self.used_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
