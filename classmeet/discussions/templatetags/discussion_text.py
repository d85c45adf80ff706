"""The per-post texts of the discussion pages: what their `{% blocktranslate %}` rendered, with the
same messages, for a fraction of its cost on a page of many posts."""

from datetime import datetime
from typing import Any

from django import template
from django.template.defaultfilters import timesince_filter
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

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


@register.simple_tag
def discussion_item(d: Any, show_course: bool = False) -> SafeString:
    """One row of a discussion list (the course page's and the list page's), as the include of a
    template rendered it: a tag builds it for a fraction of an include's cost per row."""
    pinned = locked = deleted = answered = course = ""
    if d.is_pinned:
        label = escape(gettext("Pinned"))
        pinned = (
            f'<i class="bi bi-pin-angle-fill text-primary" title="{label}"></i>'
            f'<span class="visually-hidden">{label}</span>'
        )
    if d.is_locked:
        label = escape(gettext("Locked"))
        locked = (
            f'<i class="bi bi-lock-fill text-secondary" title="{label}"></i>'
            f'<span class="visually-hidden">{label}</span>'
        )
    if d.is_deleted:
        deleted = f'<span class="badge text-bg-secondary">{escape(gettext("Deleted"))}</span>'
    if d.has_answer:
        answered = f'<span class="badge text-bg-success">{escape(gettext("Answered"))}</span>'
    # {{ d.author.display_name|default:_("a former member") }}: the default is not escaped.
    author = escape(d.author.display_name) if d.author is not None else ""
    author = author or gettext("a former member")
    if show_course:
        course = f' · <span class="text-body-secondary">{escape(d.course.title)}</span>'
    html = (
        f'<a href="{escape(d.get_absolute_url())}" class="list-group-item list-group-item-action'
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
        f'  <div class="mb-1">{escape(gettext("Started by:"))} {author}{course}</div>\n'
        '  <small class="text-body-secondary">\n'
        f"    {upvotes(d.vote_count)} |\n"
        f"    {comments(d.comment_count)}\n"
        "  </small>\n"
        "</a>\n"
    )
    return mark_safe(html)  # noqa: S308
