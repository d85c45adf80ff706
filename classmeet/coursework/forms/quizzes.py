"""Forms of the quiz pages: the quiz's settings, a question with its options, a score override.
Times are read in the viewer's active time zone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from classmeet.core.forms import BootstrapFormMixin, LocalizedDecimalField
from classmeet.core.validators import validate_single_line

from ..models import Question, Quiz
from ..services.quizzes import MAX_OPTIONS, ChoiceInput, true_false_choices


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _plain(value: Decimal | None) -> Decimal | None:
    """0.500000 → 0.5 and 100.000000 → 100 (not 1E+2): how a stored number shows in a field."""
    return None if value is None else Decimal(format(value.normalize(), "f"))


class QuizForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimeLocalInput())
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Empty: no limit but the window."),
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"), min_value=1, max_value=100, initial=1
    )
    scoring = forms.ChoiceField(label=_("Scoring"), choices=Quiz.Scoring.choices)
    shuffle_options = forms.BooleanField(label=_("Shuffle the options"), required=False)
    release = forms.ChoiceField(label=_("Results"), choices=Quiz.Release.choices)

    def quiz_fields(self) -> dict[str, Any]:
        """Return the cleaned values the quiz services take as keyword arguments."""
        return {name: self.cleaned_data[name] for name in QuizForm.base_fields}

    @staticmethod
    def initial_for(quiz: Quiz) -> dict[str, Any]:
        return {name: getattr(quiz, name) for name in QuizForm.base_fields}


class QuestionForm(BootstrapFormMixin, forms.Form):
    """A question and up to MAX_OPTIONS options (empty rows are ignored). A true/false question
    takes its answer from `true_false_answer`; a numeric one from the number fields."""

    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    points = LocalizedDecimalField(
        label=_("Points"), min_value=Decimal(0), max_digits=7, decimal_places=2, initial=1
    )
    true_false_answer = forms.ChoiceField(
        label=_("Right answer (true or false)"),
        choices=[("true", _("True")), ("false", _("False"))],
        required=False,
    )
    numeric_answer = LocalizedDecimalField(
        label=_("Right number"), required=False, max_digits=20, decimal_places=6
    )
    numeric_tolerance = LocalizedDecimalField(
        label=_("Tolerance (±)"),
        required=False,
        min_value=Decimal(0),
        max_digits=20,
        decimal_places=6,
        initial=0,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MAX_OPTIONS):
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Option %(number)d") % {"number": i + 1}, max_length=500, required=False
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(label=_("Correct"), required=False)
        self.style_widgets()

    def option_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"option_{i}"], self[f"correct_{i}"]) for i in range(MAX_OPTIONS)]

    def question_fields(self) -> dict[str, Any]:
        """Return the cleaned values question_create/question_update take."""
        data = self.cleaned_data
        kind = data["kind"]
        if kind == Question.Kind.TRUE_FALSE:
            choices = true_false_choices(answer=data.get("true_false_answer") != "false")
        else:
            choices = [
                ChoiceInput(data.get(f"option_{i}") or "", bool(data.get(f"correct_{i}")))
                for i in range(MAX_OPTIONS)
            ]
        tolerance = data.get("numeric_tolerance")
        return {
            "kind": kind,
            "text": data["text"],
            "points": data["points"],
            "choices": choices,
            "numeric_answer": data.get("numeric_answer"),
            "numeric_tolerance": Decimal(0) if tolerance is None else tolerance,
        }

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": question.kind,
            "text": question.text,
            "points": question.points,
            "numeric_answer": _plain(question.numeric_answer),
            "numeric_tolerance": _plain(question.numeric_tolerance),
        }
        choices = list(question.choices.all())
        for i, choice in enumerate(choices):
            initial[f"option_{i}"] = choice.text
            initial[f"correct_{i}"] = choice.is_correct
        if question.kind == Question.Kind.TRUE_FALSE and choices:
            initial["true_false_answer"] = "true" if choices[0].is_correct else "false"
        return initial


class ScoreOverrideForm(BootstrapFormMixin, forms.Form):
    points = LocalizedDecimalField(
        label=_("Score"), min_value=Decimal(0), max_digits=7, decimal_places=2
    )
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
