"""Who is asking: the one helper every access module shares."""

from typing import Any

from django.contrib.auth.models import AnonymousUser

from classmeet.accounts.models import User

AnyUser = User | AnonymousUser


def is_authenticated(user: Any) -> bool:
    """Return whether the user is signed in with an active account."""
    return bool(user is not None and user.is_authenticated and user.is_active)
