"""The per-post texts of the discussion pages: what their `{% blocktranslate %}` rendered, with the
same messages, for a fraction of its cost on a page of many posts."""

from datetime import datetime

from django import template
from django.template.defaultfilters import timesince_filter
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


def _counted(singular: str, plural: str, count: int) -> SafeString:
    # As blocktranslate: the message is not escaped, the number is localized and escaped.
    text = ngettext(singular, plural, count) % {"counter": conditional_escape(localize(count))}
    return mark_safe(text)  # noqa: S308


@register.filter
def upvotes(count: int) -> SafeString:
    """ "3 Upvotes": {% blocktranslate count counter=count %}{{ counter }} Upvote{% plural %}..."""
    return _counted("%(counter)s Upvote", "%(counter)s Upvotes", count)


@register.filter
def comments(count: int) -> SafeString:
    """ "3 Comments": {% blocktranslate count counter=count %}{{ counter }} Comment{% plural %}..."""
    return _counted("%(counter)s Comment", "%(counter)s Comments", count)


@register.filter
def ago(value: datetime | None) -> SafeString:
    """ "5 minutes ago": {% blocktranslate with when=value|timesince %}{{ when }} ago{% endblocktranslate %}."""
    text = gettext("%(when)s ago") % {"when": conditional_escape(timesince_filter(value))}
    return mark_safe(text)  # noqa: S308
