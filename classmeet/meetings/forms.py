"""Forms of the scheduling pages. Times are read in the viewer's active time zone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from classmeet.core.validators import validate_single_line

from .models import MAX_DURATION, MIN_DURATION
from .services.meetings import MAX_WEEKS


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", attrs={"class": "form-control"})


class MeetingForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_at = forms.DateTimeField(label=_("Start"), widget=DateTimeLocalInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        initial=60,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    waiting_room = forms.BooleanField(
        label=_("Students wait to be admitted"),
        required=False,
        help_text=_(
            "Students wait in a waiting room until you or an assistant let them in; "
            "once admitted they rejoin this meeting without waiting."
        ),
    )

    def meeting_fields(self) -> dict[str, Any]:
        """Return the cleaned values the meeting services take as keyword arguments."""
        return {name: self.cleaned_data[name] for name in MeetingForm.base_fields}


class MeetingScheduleForm(MeetingForm):
    repeat_weekly = forms.BooleanField(label=_("Repeat weekly"), required=False)
    weeks = forms.IntegerField(
        label=_("Number of weeks"),
        min_value=1,
        max_value=MAX_WEEKS,
        initial=1,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        help_text=_("With weekly repetition: how many meetings to create, one a week."),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("repeat_weekly") or not cleaned.get("weeks"):
            cleaned["weeks"] = 1
        return cleaned
