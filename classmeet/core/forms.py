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


class LocalizedDecimalField(forms.DecimalField):
    """A number as the page's language writes it: "8,5" in French, "8.5" in English (a point is
    accepted in every language). A text box with the decimal keypad: a number box would show
    and take the browser's format, not the page's."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)
