"""Form helpers shared by every app."""

from typing import Any

from django import forms


def _add_class(widget: forms.Widget, css: str) -> None:
    classes = widget.attrs.get("class", "").split()
    if css not in classes:
        widget.attrs["class"] = " ".join([*classes, css])


class BootstrapFormMixin:
    """Give every widget Bootstrap's classes, and mark fields with errors as invalid.

    Put it before the form class: ``class CourseForm(BootstrapFormMixin, forms.Form)``.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        """Style every widget; call again after replacing one."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                _add_class(widget, "form-check-input")
            elif isinstance(widget, forms.Select):
                _add_class(widget, "form-select")
            else:
                _add_class(widget, "form-control")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        # _errors, not errors: reading .errors here would validate again.
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                _add_class(widget, "is-invalid")
                widget.attrs["aria-invalid"] = "true"
