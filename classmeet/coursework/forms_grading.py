"""Forms of grading: a student's grade (points, feedback, returned file) and grade categories."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _

from classmeet.core.forms import BootstrapFormMixin, LocalizedDecimalField
from classmeet.courses.uploads import ALLOWED_EXTENSIONS, Kind, validate_material_file

from .models import GradeCategory, GradeItem

FEEDBACK_MAX_LENGTH = 20_000


class GradeForm(BootstrapFormMixin, forms.Form):
    points = LocalizedDecimalField(
        label=_("Points"), required=False, max_digits=7, decimal_places=2
    )
    feedback = forms.CharField(
        label=_("Feedback"),
        required=False,
        max_length=FEEDBACK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, lists, links."),
    )
    returned_file = forms.FileField(
        label=_("Return a file"),
        required=False,
        max_length=1000,
        widget=forms.FileInput(attrs={"accept": ",".join(f".{e}" for e in ALLOWED_EXTENSIONS)}),
        help_text=_("Optional: the work with your comments. It replaces a file returned before."),
    )
    remove_returned = forms.BooleanField(label=_("Remove the returned file"), required=False)

    def __init__(self, *args: Any, item: GradeItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.returned_name = ""
        self.returned_kind: Kind | None = None
        if item.max_points is None:
            # An ungraded assignment: feedback only.
            del self.fields["points"]
        else:
            points = self.fields["points"]
            points.required = True  # a grade with no points would read as graded
            points.help_text = _("Out of %(max)s.") % {"max": localize(item.max_points)}

    def clean_returned_file(self) -> Any:
        file = self.cleaned_data.get("returned_file")
        if file:
            self.returned_name, self.returned_kind = validate_material_file(file)
        return file


class GradeCategoryForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    weight = LocalizedDecimalField(
        label=_("Weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Give the category a name."))
        return name


class ItemCategoriesForm(forms.Form):
    """One select per item of the course: the category it counts in."""

    def __init__(
        self,
        *args: Any,
        items: list[GradeItem],
        categories: list[GradeCategory],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        choices = [("", _("No category")), *((str(c.pk), c.name) for c in categories)]
        for item in items:
            self.fields[self.field_name(item)] = forms.TypedChoiceField(
                label=item.title,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(item.category_id or ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    @staticmethod
    def field_name(item: GradeItem) -> str:
        return f"item-{item.pk}"

    def rows(self) -> list[tuple[GradeItem, forms.BoundField]]:
        return [(item, self[self.field_name(item)]) for item in self.items]
