"""core.batch: raw querysets fetched together give what each gives alone, in one round trip on
PostgreSQL (client-side binding) and one statement each elsewhere."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory, TeacherFactory
from classmeet.core.batch import Planned, batched_raw, run_together

pytestmark = pytest.mark.django_db

ONE_USER = (
    'SELECT "id", "username", "is_active", "date_joined" FROM "accounts_user" WHERE "id" = %s'
)
JOINED_SINCE = (
    'SELECT "id", "username", "date_joined", 1 AS "extra" FROM "accounts_user"'
    ' WHERE "date_joined" >= %s ORDER BY "id"'
)


def _users() -> tuple[User, User]:
    return TeacherFactory.create(username="tina"), StudentFactory.create(username="sam")


def test_rows_are_the_same_as_alone_and_cost_one_round_trip_on_postgresql():
    teacher, student = _users()
    since = timezone.now() - timedelta(days=1)
    alone = [
        [(u.pk, u.username, u.is_active, u.date_joined) for u in User.objects.raw(ONE_USER, [uid])]
        for uid in (teacher.pk, student.pk)
    ]
    alone_since = [(u.pk, vars(u)["extra"]) for u in User.objects.raw(JOINED_SINCE, [since])]

    first = batched_raw(User, ONE_USER, [teacher.pk])
    second = batched_raw(User, ONE_USER, [student.pk])
    third = batched_raw(User, JOINED_SINCE, [since])  # a datetime parameter, an extra column
    with CaptureQueriesContext(connection) as fetched:
        run_together([first, second, third])
    with CaptureQueriesContext(connection) as read:
        together = [
            [(u.pk, u.username, u.is_active, u.date_joined) for u in first],
            [(u.pk, u.username, u.is_active, u.date_joined) for u in second],
        ]
        together_since = [(u.pk, vars(u)["extra"]) for u in third]

    assert together == alone
    assert together_since == alone_since == [(teacher.pk, 1), (student.pk, 1)]
    assert isinstance(together[0][0][2], bool)  # converters ran (SQLite gives 0/1)
    if connection.vendor == "postgresql":
        assert (len(fetched), len(read)) == (1, 0)
        assert fetched.captured_queries[0]["sql"].count("SELECT") == 3
    else:  # nothing to save in-process: each reads its own statement
        assert (len(fetched), len(read)) == (0, 3)


def test_one_queryset_or_plain_raw_runs_on_its_own():
    teacher, _ = _users()
    lone = batched_raw(User, ONE_USER, [teacher.pk])
    plain = User.objects.raw(ONE_USER, [teacher.pk])
    with CaptureQueriesContext(connection) as fetched:
        run_together([lone, plain])
    assert len(fetched) == 0
    assert [u.pk for u in lone] == [u.pk for u in plain] == [teacher.pk]


def test_a_failing_statement_surfaces_and_nothing_is_half_read():
    teacher, _ = _users()
    good = batched_raw(User, ONE_USER, [teacher.pk])
    bad = batched_raw(User, 'SELECT "id" FROM "no_such_table" WHERE "id" = %s', [1])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError):
            run_together([good, bad])
    else:
        run_together([good, bad])
        with pytest.raises(DatabaseError):
            list(bad)


def test_planned_finishes_once():
    teacher, _ = _users()
    calls = []

    def names(users: list[User]) -> list[str]:
        calls.append(1)
        return [u.username for u in users]

    planned = Planned(batched_raw(User, ONE_USER, [teacher.pk]), names)
    assert planned.result() == ["tina"]
    with CaptureQueriesContext(connection) as again:
        assert planned.result() == ["tina"]
    assert (len(calls), len(again)) == (1, 0)
