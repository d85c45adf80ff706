"""Two sign-ups racing for one teacher invite: exactly one teacher is created."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from classmeet.accounts import services
from classmeet.accounts.models import TeacherInvite, User


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_consume_an_invite_once(settings):
    settings.CLASSMEET_TEACHER_SIGNUP = "invite"
    invite = TeacherInvite.objects.create()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def sign_up(number: int) -> None:
        try:
            barrier.wait()
            services.user_signup(
                username=f"racer{number}",
                email=f"racer{number}@example.test",
                password="a-long-racing-pass-1",
                role=User.Role.TEACHER,
                invite_code=invite.code,
            )
            result = "ok"
        except ValidationError:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    teachers = User.objects.filter(username__startswith="racer")
    assert teachers.count() == 1
    invite.refresh_from_db()
    assert invite.used_by == teachers.get()
