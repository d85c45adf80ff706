from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import SORT_NEWEST, SORTS

BODY_MAX = 20_000


class DiscussionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "autofocus": True}),
    )
    body = forms.CharField(
        label=_("Description"),
        max_length=BODY_MAX,
        help_text=_("Markdown is supported."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the discussion a title."))
        return title


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=BODY_MAX,
        widget=forms.Textarea(
            attrs={"class": "form-control", "rows": 3, "placeholder": _("Add your comment...")}
        ),
    )
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class DiscussionFilterForm(forms.Form):
    course = forms.IntegerField(required=False, min_value=1)
    q = forms.CharField(required=False, max_length=200)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or SORT_NEWEST
