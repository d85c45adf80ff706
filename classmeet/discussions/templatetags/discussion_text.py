"""The per-post texts of the discussion pages: what their `{% blocktranslate %}` rendered, with the
same messages, for a fraction of its cost on a page of many posts."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import template
from django.template.defaultfilters import timesince_filter
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from classmeet.core.links import id_url_for

from ..models import Discussion

register = template.Library()


def _counted(message: str, count: int) -> SafeString:
    # As blocktranslate: the message is not escaped, the number is localized and escaped.
    text = message % {"counter": conditional_escape(localize(count))}
    return mark_safe(text)  # noqa: S308


@register.filter
def upvotes(count: int) -> SafeString:
    """ "3 Upvotes": {% blocktranslate count counter=count %}{{ counter }} Upvote{% plural %}..."""
    return _counted(ngettext("%(counter)s Upvote", "%(counter)s Upvotes", count), count)


@register.filter
def comments(count: int) -> SafeString:
    """ "3 Comments": {% blocktranslate count counter=count %}{{ counter }} Comment{% plural %}..."""
    return _counted(ngettext("%(counter)s Comment", "%(counter)s Comments", count), count)


@register.filter
def ago(value: datetime | None) -> SafeString:
    """ "5 minutes ago": {% blocktranslate with when=value|timesince %}{{ when }} ago{% endblocktranslate %}."""
    text = gettext("%(when)s ago") % {"when": conditional_escape(timesince_filter(value))}
    return mark_safe(text)  # noqa: S308


class _Items:
    """What every row of one discussion list shares, worked out once: the translated labels and
    the detail URL's shape (as in the include, labels go out escaped, as `{% translate %}`)."""

    def __init__(self, show_course: bool) -> None:
        self.show_course = show_course
        pinned, locked = escape(gettext("Pinned")), escape(gettext("Locked"))
        self.pinned = (
            f'<i class="bi bi-pin-angle-fill text-primary" title="{pinned}"></i>'
            f'<span class="visually-hidden">{pinned}</span>'
        )
        self.locked = (
            f'<i class="bi bi-lock-fill text-secondary" title="{locked}"></i>'
            f'<span class="visually-hidden">{locked}</span>'
        )
        self.deleted = f'<span class="badge text-bg-secondary">{escape(gettext("Deleted"))}</span>'
        self.answered = f'<span class="badge text-bg-success">{escape(gettext("Answered"))}</span>'
        # {{ d.author.display_name|default:_("a former member") }}: the default is not escaped.
        self.former_member = gettext("a former member")
        self.started_by = escape(gettext("Started by:"))
        self.url = id_url_for("discussions:discussion-detail", "discussion_id")
        self.counts: dict[tuple[bool, int], str] = {}  # "3 Upvotes" by count: lists share a few

    def counted(self, of_upvotes: bool, count: int) -> str:
        text = self.counts.get((of_upvotes, count))
        if text is None:
            text = self.counts[of_upvotes, count] = (
                upvotes(count) if of_upvotes else comments(count)
            )
        return text

    def item(self, d: Any) -> str:
        """One row of a discussion list, as the include `_discussion_item.html` rendered it."""
        pinned = self.pinned if d.is_pinned else ""
        locked = self.locked if d.is_locked else ""
        deleted = self.deleted if d.is_deleted else ""
        answered = self.answered if d.has_answer else ""
        author = escape(d.author.display_name) if d.author is not None else ""
        author = author or self.former_member
        course = ""
        if self.show_course:
            course = f' · <span class="text-body-secondary">{escape(d.course.title)}</span>'
        # get_absolute_url, unless a subclass says otherwise: the URL's shape, filled in.
        url = self.url(d.pk) if type(d) is Discussion else d.get_absolute_url()
        return (
            f'<a href="{escape(url)}" class="list-group-item list-group-item-action'
            f' py-3 discussion-item" data-discussion-id="{escape(d.pk)}">\n'
            '  <div class="d-flex w-100 justify-content-between gap-2">\n'
            '    <h2 class="h5 mb-1 text-break">\n'
            f"      {pinned}\n"
            f"      {locked}\n"
            f"      {escape(d.title)}\n"
            f"      {deleted}\n"
            f"      {answered}\n"
            "    </h2>\n"
            f'    <small class="text-body-secondary text-nowrap">{ago(d.last_activity_at)}</small>\n'
            "  </div>\n"
            f'  <div class="mb-1">{self.started_by} {author}{course}</div>\n'
            '  <small class="text-body-secondary">\n'
            f"    {self.counted(True, d.vote_count)} |\n"
            f"    {self.counted(False, d.comment_count)}\n"
            "  </small>\n"
            "</a>\n"
        )


@register.simple_tag
def discussion_items(discussions: Iterable[Any], show_course: bool = False) -> SafeString:
    """Every row of a discussion list, as the include `_discussion_item.html` rendered each, one
    after the other, with the labels and the URL's shape worked out once per list (a tag builds
    a row for a fraction of an include's cost)."""
    kit = _Items(show_course)
    return mark_safe("".join([kit.item(d) for d in discussions]))  # noqa: S308  # escaped parts
