"""Reads of the accounts app."""

from functools import cache
from zoneinfo import available_timezones

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .models import TeacherInvite


@cache
def _zone_names() -> tuple[str, ...]:
    # "localtime" and "Factory" are not places; "posixrules" is a tzdata alias, not a zone.
    skip = {"localtime", "Factory", "posixrules"}
    return tuple(sorted(name for name in available_timezones() if name not in skip))


def timezone_choices() -> list[tuple[str, StrOrPromise]]:
    """Return the select options for a time zone: the browser's, then every IANA zone."""
    return [("", _("Use my browser's time zone")), *((name, name) for name in _zone_names())]


def teacher_invite_usable_list() -> QuerySet[TeacherInvite]:
    """Return the invites that can still be used: not used and not expired."""
    return TeacherInvite.objects.filter(used_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
