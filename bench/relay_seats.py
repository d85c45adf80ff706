"""The relay benchmark's seats (bench/relay.py): real users with a signed-in session each, in
live meetings, or plain room numbers for the floor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Seat:
    meeting_id: int
    session_key: str


def prepare(rooms: int, per_room: int) -> list[list[Seat]]:
    """Create a teacher and per_room-1 enrolled students per room, a live meeting and sessions."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from classmeet.courses.models import Course, Enrollment
    from classmeet.meetings.models import Meeting

    user_model = get_user_model()
    now = timezone.now()
    password = make_password("bench-relay")
    with transaction.atomic():
        user_model.objects.filter(username__startswith="relay-").delete()
        teachers = user_model.objects.bulk_create(
            user_model(username=f"relay-t{r}", password=password, role="teacher")
            for r in range(rooms)
        )
        students = user_model.objects.bulk_create(
            user_model(username=f"relay-s{r}-{i}", password=password, role="student")
            for r in range(rooms)
            for i in range(per_room - 1)
        )
        courses = Course.objects.bulk_create(
            Course(teacher=teacher, title=f"Relay room {r}") for r, teacher in enumerate(teachers)
        )
        Enrollment.objects.bulk_create(
            Enrollment(course=courses[index // (per_room - 1)], student=student)
            for index, student in enumerate(students)
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                course=course,
                title="Load test",
                starts_at=now - timedelta(minutes=1),
                duration_minutes=240,
                created_by=course.teacher,
            )
            for course in courses
        )
        store = SessionStore()
        expires = now + timedelta(days=1)
        seats: list[list[Seat]] = []
        sessions = []
        for r in range(rooms):
            members = [teachers[r], *students[r * (per_room - 1) : (r + 1) * (per_room - 1)]]
            row = []
            for user in members:
                key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
                data = {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "classmeet.accounts.backends.UserBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
                sessions.append(
                    Session(session_key=key, session_data=store.encode(data), expire_date=expires)
                )
                row.append(Seat(meetings[r].pk, key))
            seats.append(row)
        Session.objects.bulk_create(sessions)
    return seats


def floor_seats(rooms: int, per_room: int) -> list[list[Seat]]:
    return [[Seat(r + 1, "") for _ in range(per_room)] for r in range(rooms)]
