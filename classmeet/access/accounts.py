"""Who may create a teacher account."""

from classmeet.accounts.selectors import (
    TeacherSignup,
    teacher_invite_usable_list,
    teacher_signup_mode,
)


def can_sign_up_as_teacher(*, invite_code: str = "") -> bool:
    """Open mode lets anyone in; invite mode needs a usable invite code; closed lets nobody."""
    mode = teacher_signup_mode()
    if mode is TeacherSignup.OPEN:
        return True
    if mode is TeacherSignup.CLOSED or not invite_code:
        return False
    return teacher_invite_usable_list().filter(code=invite_code).exists()
