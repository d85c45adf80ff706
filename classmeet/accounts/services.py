"""Writes of the accounts app: sign-up, profile edits and teacher invites."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import TeacherInvite, User
from .selectors import TeacherSignup, teacher_invite_usable_list, teacher_signup_mode


@transaction.atomic
def user_signup(
    *,
    username: str,
    email: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    invite_code: str = "",
) -> User:
    """Create an account. A teacher in invite mode consumes the invite in the same transaction.

    Raise ValidationError when the teacher role is not allowed or the invite is not usable
    (also when another sign-up consumed it a moment ago).
    """
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        role=role,
    )
    user.set_password(password)
    user.full_clean()
    mode = teacher_signup_mode()
    if role == User.Role.TEACHER and mode is TeacherSignup.CLOSED:
        raise ValidationError({"role": _("Teacher sign-up is closed.")})
    user.save()
    if role == User.Role.TEACHER and mode is TeacherSignup.INVITE:
        teacher_invite_consume(code=invite_code, user=user)
    return user


def teacher_invite_consume(*, code: str, user: User) -> None:
    """Mark the invite as used by user, atomically: of two concurrent sign-ups only one wins."""
    now = timezone.now()
    updated = (
        teacher_invite_usable_list().filter(code=code.strip()).update(used_by=user, used_at=now)
        if code.strip()
        else 0
    )
    if updated != 1:
        raise ValidationError({"invite_code": _("This invite code is not valid or already used.")})


def teacher_invites_generate(
    *,
    count: int,
    created_by: User | None,
    note: str = "",
    expires_at: datetime | None = None,
) -> list[TeacherInvite]:
    """Issue count new one-time teacher invite codes."""
    if not 1 <= count <= 100:
        raise ValidationError(_("Generate between 1 and 100 codes at a time."))
    invites = [
        TeacherInvite(created_by=created_by, note=note, expires_at=expires_at)
        for _i in range(count)
    ]
    for invite in invites:
        invite.full_clean()
    return TeacherInvite.objects.bulk_create(invites)


def user_profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    timezone_name: str,
    email_notifications: str,
    language: str,
) -> User:
    """Save the fields a user edits on the profile page (language "" = the browser's)."""
    user.first_name = first_name
    user.last_name = last_name
    user.email = User.objects.normalize_email(email)
    user.language = language
    user.timezone = timezone_name
    user.email_notifications = email_notifications
    user.full_clean(exclude=["password"])
    user.save(
        update_fields=[
            "first_name",
            "last_name",
            "email",
            "language",
            "timezone",
            "email_notifications",
        ]
    )
    return user
