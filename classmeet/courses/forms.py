"""Forms of the courses pages. File checks live in classmeet.courses.uploads."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from classmeet.accounts.models import User
from classmeet.core.forms import BootstrapFormMixin
from classmeet.courses import selectors
from classmeet.courses.models import JOIN_CODE_ALPHABET, Course
from classmeet.courses.services import assistant_check
from classmeet.courses.uploads import (
    ALLOWED_EXTENSIONS,
    Kind,
    validate_material_file,
    validate_thumbnail,
)


class CourseForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    thumbnail = forms.FileField(
        label=_("Thumbnail"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF. Without one, a picture with the initials is made."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )

    def __init__(self, *args: Any, course: Course | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new_thumbnail: File[bytes] | None = None
        if course is not None and not self.is_bound:
            self.initial = {"title": course.title, "description": course.description}
        if course is None or not course.thumbnail:
            self.fields["thumbnail"].widget = forms.FileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
            )
        else:
            self.fields["thumbnail"].initial = course.thumbnail
        self.style_widgets()

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Give the course a title."))
        return title

    def clean_thumbnail(self) -> Any:
        file = self.cleaned_data.get("thumbnail")
        if not isinstance(file, UploadedFile):
            return file  # False (cleared), None, or the current picture
        # The stored name comes from the checked format, never from the user's file name.
        _extension, self.new_thumbnail = validate_thumbnail(file)
        return self.new_thumbnail


class JoinCodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": _("e.g. K7PX3M2Q"),
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course: Course | None = None

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).upper()
        unknown = ValidationError(
            _("No course accepts this code. Check it with your teacher."), code="unknown"
        )
        if not code or any(ch not in JOIN_CODE_ALPHABET for ch in code):
            raise unknown
        course = selectors.course_get_by_join_code(code=code)
        if course is None or not course.joining_enabled:
            raise unknown
        self.course = course
        return code


class _PersonForm(BootstrapFormMixin, forms.Form):
    """A person of a course, named by username or e-mail (case-insensitive)."""

    identifier = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course = course

    def _person(self) -> tuple[str, User]:
        """Return the stripped identifier and its active account, or raise the form error."""
        identifier: str = self.cleaned_data["identifier"].strip()
        user = selectors.user_find(identifier=identifier)
        if user is None:
            raise ValidationError(
                _("No account has the username or e-mail “%(value)s”."),
                params={"value": identifier},
                code="unknown",
            )
        return identifier, user


class AddStudentForm(_PersonForm):
    student: User | None = None

    def clean_identifier(self) -> str:
        identifier, user = self._person()
        if not user.is_student:
            raise ValidationError(
                _("%(name)s is a teacher; only students can be enrolled."),
                params={"name": user.username},
                code="not_student",
            )
        if selectors.assistant_get(course=self.course, user_id=user.pk) is not None:
            raise ValidationError(
                _("%(name)s is an assistant of this course; assistants are not enrolled."),
                params={"name": user.username},
                code="assistant",
            )
        self.student = user
        return identifier


class AddAssistantForm(_PersonForm):
    """Add an assistant: who may be one is `services.assistant_check`'s to say."""

    user: User | None = None

    def clean_identifier(self) -> str:
        identifier, user = self._person()
        assistant_check(course=self.course, user=user)
        self.user = user
        return identifier


class MaterialForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        max_length=1000,
        widget=forms.FileInput(attrs={"accept": ",".join(f".{e}" for e in ALLOWED_EXTENSIONS)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.original_name = ""
        self.kind: Kind | None = None

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Give the material a title."))
        return title

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        self.original_name, self.kind = validate_material_file(file)
        return file
