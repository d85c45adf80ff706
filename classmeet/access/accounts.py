"""Who may create a teacher account."""

import enum

from django.conf import settings

from classmeet.accounts.selectors import teacher_invite_usable_list


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


def can_sign_up_as_teacher(*, invite_code: str = "") -> bool:
    """Open mode lets anyone in; invite mode needs a usable invite code; closed lets nobody."""
    mode = teacher_signup_mode()
    if mode is TeacherSignup.OPEN:
        return True
    if mode is TeacherSignup.CLOSED or not invite_code:
        return False
    return teacher_invite_usable_list().filter(code=invite_code).exists()
