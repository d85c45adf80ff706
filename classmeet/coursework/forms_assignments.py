"""Forms of the assignment pages. Due dates are read in the active time zone (the viewer's, or
the assignment's own zone on the edit page); file checks live in classmeet.courses.uploads and
run again in the services."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from classmeet.accounts.models import User
from classmeet.core.forms import BootstrapFormMixin, LocalizedDecimalField
from classmeet.core.validators import validate_single_line
from classmeet.courses.models import Course
from classmeet.courses.uploads import ALLOWED_EXTENSIONS
from classmeet.meetings.forms import DateTimeLocalInput

from .models import Assignment, GradeCategory
from .services.assignments import (
    CLIENT_TOKEN_MAX_LENGTH,
    MAX_POINTS,
    MAX_SUBMISSION_FILES,
    MAX_SUBMISSION_TEXT,
)

ACCEPT = ",".join(f".{e}" for e in ALLOWED_EXTENSIONS)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (the services check each like a material)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items if d]


def _display_name(user: User) -> str:
    return user.display_name


class AssignmentForm(BootstrapFormMixin, forms.Form):
    EVERYBODY = "all"
    CHOSEN = "chosen"

    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, lists, links and code."),
    )
    points = LocalizedDecimalField(
        label=_("Points"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_POINTS,
        decimal_places=2,
        help_text=_("Leave empty for an ungraded assignment."),
    )
    category = forms.ModelChoiceField(
        label=_("Gradebook category"),
        queryset=GradeCategory.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    due_at = forms.DateTimeField(label=_("Due"), widget=DateTimeLocalInput())
    accepts_late = forms.BooleanField(label=_("Accept late work"), required=False)
    late_penalty_percent = LocalizedDecimalField(
        label=_("Late penalty (% per day)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=_("With late work: taken off the points for each started day late."),
    )
    cutoff_at = forms.DateTimeField(
        label=_("Hard cut-off"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("With late work: nothing is accepted after it. Empty: no cut-off."),
    )
    submission_type = forms.ChoiceField(
        label=_("Students submit"), choices=Assignment.SubmissionType.choices
    )
    assign_to = forms.ChoiceField(
        label=_("Assign to"),
        choices=[(EVERYBODY, _("Every student of the course")), (CHOSEN, _("Chosen students"))],
        initial=EVERYBODY,
        widget=forms.RadioSelect,
    )
    students = forms.ModelMultipleChoiceField(
        label=_("Students"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Files the students need (the materials' types and size limit)."),
    )

    def __init__(
        self, *args: Any, course: Course, assignment: Assignment | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        students = forms.ModelMultipleChoiceField(
            label=_("Students"),
            queryset=User.objects.filter(enrollments__course=course).order_by(
                "last_name", "first_name", "username"
            ),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        students.label_from_instance = _display_name  # type: ignore[method-assign,assignment]
        self.fields["students"] = students
        categories = list(GradeCategory.objects.filter(course=course))
        if categories:
            category = self.fields["category"]
            assert isinstance(category, forms.ModelChoiceField)  # noqa: S101  (declared above)
            category.queryset = GradeCategory.objects.filter(pk__in=[c.pk for c in categories])
        else:
            del self.fields["category"]
        if assignment is not None and not self.is_bound:
            self.initial = assignment_initial(assignment)
        self.style_widgets()
        for name in ("assign_to", "students"):  # check boxes and radios, styled by the template
            self.fields[name].widget.attrs.pop("class", None)

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Give the assignment a title."))
        return title

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("assign_to") == self.CHOSEN:
            if not cleaned.get("students"):
                self.add_error("students", _("Choose at least one student."))
        else:
            cleaned["students"] = None
        if not cleaned.get("accepts_late"):
            # Hidden with the late-work box unticked: a value left there means nothing.
            cleaned["late_penalty_percent"] = None
            cleaned["cutoff_at"] = None
        return cleaned

    def assignment_fields(self) -> dict[str, Any]:
        """The cleaned values the assignment services take as keyword arguments."""
        data = self.cleaned_data
        students = data["students"]
        return {
            "title": data["title"],
            "instructions": data["instructions"],
            "points": data["points"],
            "category": data.get("category"),
            "due_at": data["due_at"],
            "accepts_late": data["accepts_late"],
            "late_penalty_percent": data["late_penalty_percent"],
            "cutoff_at": data["cutoff_at"],
            "submission_type": data["submission_type"],
            "students": None if students is None else list(students),
            "attachments": data["attachments"],
        }


def assignment_initial(assignment: Assignment) -> dict[str, Any]:
    """The edit form's values. Times are shown in the active zone (the view activates the
    assignment's own)."""
    named = list(assignment.assigned.values_list("student_id", flat=True))
    return {
        "title": assignment.title,
        "instructions": assignment.instructions,
        "points": assignment.grade_item.max_points,
        "category": assignment.grade_item.category_id,
        "due_at": timezone.localtime(assignment.due_at),
        "accepts_late": assignment.accepts_late,
        "late_penalty_percent": assignment.late_penalty_percent,
        "cutoff_at": timezone.localtime(assignment.cutoff_at) if assignment.cutoff_at else None,
        "submission_type": assignment.submission_type,
        "assign_to": AssignmentForm.CHOSEN if named else AssignmentForm.EVERYBODY,
        "students": named,
    }


_TOKEN = re.compile(r"^[A-Za-z0-9_-]*$")


class SubmissionForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=MAX_SUBMISSION_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    # Not "files": the form's own attribute of that name holds the request's uploads.
    uploads = MultipleFileField(
        label=_("Files"),
        required=False,
    )
    # One per rendering of the form: a double submit of it records one attempt.
    client_token = forms.CharField(
        required=False, max_length=CLIENT_TOKEN_MAX_LENGTH, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, assignment: Assignment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = Assignment.SubmissionType
        if assignment.submission_type == kinds.FILE:
            del self.fields["text"]
        elif assignment.submission_type == kinds.TEXT:
            del self.fields["uploads"]
        if "uploads" in self.fields:  # in the request's language, not the one at import
            self.fields["uploads"].help_text = ngettext(
                "Up to %(n)s file.", "Up to %(n)s files.", MAX_SUBMISSION_FILES
            ) % {"n": MAX_SUBMISSION_FILES}

    def clean_client_token(self) -> str:
        token: str = self.cleaned_data["client_token"]
        if not _TOKEN.match(token):
            # Above the form: the hidden field shows no errors of its own.
            self.add_error(None, _("The form is out of date. Reload the page."))
            return ""
        return token

    def submission_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        files: Sequence[UploadedFile] = data.get("uploads") or []
        return {
            "text": data.get("text") or "",
            "files": list(files),
            "client_token": data["client_token"],
        }
