"""Reads of the accounts app."""

import enum
from functools import cache
from typing import Any, Protocol
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from classmeet.core.rows import columns, load

from .models import TeacherInvite, User

AnyUser = User | AnonymousUser


def is_authenticated(user: Any) -> bool:
    """Return whether the user is signed in with an active account."""
    return bool(user is not None and user.is_authenticated and user.is_active)


class _SignedInRequest(Protocol):
    """A Django HttpRequest or a DRF Request: both carry the user."""

    @property
    def user(self) -> object: ...


def request_user(request: _SignedInRequest) -> User:
    """Return the signed-in user of a page view (behind login_required) or an API view.

    The one way views, API views and template tags get a typed `User` from a request.
    """
    user = request.user
    if not isinstance(user, User):  # never behind login_required or the API's IsAuthenticated
        raise PermissionDenied
    return user


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


class TeacherSignup(enum.StrEnum):
    """settings.CLASSMEET_TEACHER_SIGNUP: who may create a teacher account on /auth/signup/."""

    OPEN = "open"
    INVITE = "invite"
    CLOSED = "closed"


def teacher_signup_mode() -> TeacherSignup:
    """Return the configured mode; an unknown value counts as closed (fail safe)."""
    try:
        return TeacherSignup(str(settings.CLASSMEET_TEACHER_SIGNUP).strip().lower())
    except ValueError:
        return TeacherSignup.CLOSED


@cache
def _user_sql() -> str:
    return (
        f'SELECT {columns(User, "u")} FROM "{User._meta.db_table}" u'  # noqa: S608 (column names)
        f' WHERE u."{User._meta.pk.column}" = %s'
    )


def user_get(*, user_id: int) -> User | None:
    """Return the user with this id (every column, as `User.objects.get(pk=...)`), or None.

    Written out: it runs on every signed-in request (the session's user), where building the
    ORM query cost several times running it.
    """
    if not 0 < user_id < 2**63:  # no such id (and none the driver would refuse)
        return None
    connection = connections[router.db_for_read(User)]
    with connection.cursor() as cursor:
        cursor.execute(_user_sql(), [user_id])
        row = cursor.fetchone()
    return None if row is None else load(User, connection, row)
