"""Forms of the account pages: sign-up, sign-in, profile and Django's password forms, styled."""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from classmeet import access
from classmeet.core.forms import BootstrapFormMixin

from .models import User
from .selectors import TeacherSignup, teacher_signup_mode, timezone_choices

if TYPE_CHECKING:
    _SetPasswordForm = auth_forms.SetPasswordForm[User]
else:  # generic in django-stubs only; django_stubs_ext.monkeypatch() does not cover it
    _SetPasswordForm = auth_forms.SetPasswordForm


class SigninForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    pass


class SignupForm(BootstrapFormMixin, auth_forms.UserCreationForm[User]):
    """Create an account; the teacher role follows settings.CLASSMEET_TEACHER_SIGNUP."""

    role = forms.ChoiceField(
        label=_("I am a"), choices=User.Role.choices, initial=User.Role.STUDENT
    )
    invite_code = forms.CharField(
        label=_("Teacher invite code"),
        max_length=32,
        required=False,
        help_text=_("Teachers need the invite code an administrator gave them."),
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")

    field_order = (
        "username",
        "first_name",
        "last_name",
        "email",
        "password1",
        "password2",
        "role",
        "invite_code",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("Used to reset your password.")
        self.mode = teacher_signup_mode()
        if self.mode is TeacherSignup.CLOSED:
            role_field = cast(forms.ChoiceField, self.fields["role"])
            role_field.choices = [(User.Role.STUDENT.value, User.Role.STUDENT.label)]
            self.fields["role"].initial = User.Role.STUDENT
            self.fields["role"].help_text = _("Teacher accounts are created by an administrator.")
        if self.mode is not TeacherSignup.INVITE:
            del self.fields["invite_code"]
        self.order_fields(self.field_order)
        autocomplete = {
            "username": "username",
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "password1": "new-password",
            "password2": "new-password",
            "invite_code": "off",
        }
        for name, value in autocomplete.items():
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = value

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data.get("email") or "")
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email

    def clean_invite_code(self) -> str:
        return (self.cleaned_data.get("invite_code") or "").strip()

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("role") != User.Role.TEACHER:
            return cleaned
        if self.mode is TeacherSignup.CLOSED:
            self.add_error("role", _("Teacher sign-up is closed."))
        elif self.mode is TeacherSignup.INVITE:
            code = cleaned.get("invite_code", "")
            if not code:
                self.add_error("invite_code", _("Enter the invite code you were given."))
            elif not access.accounts.can_sign_up_as_teacher(invite_code=code):
                self.add_error("invite_code", _("This invite code is not valid or already used."))
        return cleaned


class LanguageSelect(forms.Select):
    """Languages named in their own language, each option marked with its `lang` (a screen
    reader then reads "Français" in French on an English page)."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = str(value)
        return option


def language_choices() -> list[tuple[str, StrOrPromise]]:
    """The empty choice (follow the browser) first, then settings.LANGUAGES in their own names."""
    return [("", _("Browser's language")), *settings.LANGUAGES]


class ProfileForm(BootstrapFormMixin, forms.ModelForm[User]):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=language_choices,
        widget=LanguageSelect,
        help_text=_("The language of pages and e-mails; the browser's when not chosen."),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Dates and times are shown in this zone."),
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "language", "timezone", "email_notifications")
        labels = {"email_notifications": _("E-mail notifications")}
        help_texts = {
            "email_notifications": _("Whether to receive notifications by e-mail, and how often.")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone_field = cast(forms.ChoiceField, self.fields["timezone"])
        zone_field.choices = timezone_choices()
        self.fields["email"].required = True

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data.get("email") or "")
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another account uses this e-mail address."))
        return email


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(BootstrapFormMixin, _SetPasswordForm):
    pass
