"""The sign-in backend: Django's ModelBackend, with the session's user read by one written-out
statement (`selectors.user_get`) instead of an ORM query built on every signed-in request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .selectors import user_get


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        # The session's id, as django.contrib.auth.get_user gives it (the pk field's to_python).
        if not isinstance(user_id, int):
            return super().get_user(user_id)
        user = user_get(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
