"""Benchmark 3b: the reminder scan (classmeet.meetings.services.reminders.meeting_reminders_send).

10,000 scheduled meetings in 100 courses of 50 students, spread over ±60 days, in a database
of its own (`classmeet_bench_reminders`: the other benchmarks' live meetings would be due).
Timed: the scan with none due (median of repeated scans; target ≤ 100 ms, the candidate query
on the (status, starts_at) index), and with 100 due (each sends one "starting soon" reminder to
51 people; the sent rows are deleted between repetitions). The plan of the candidate query is
printed from PostgreSQL's EXPLAIN.

    .venv/bin/python -m bench.reminders
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from bench import common

PREFIX = "remind-"


def generate(meetings: int) -> list[int]:
    """Create the courses and meetings; return the ids of 100 meetings to make due later."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from classmeet.courses.models import Course, Enrollment
    from classmeet.meetings.models import Meeting, MeetingReminder
    from classmeet.notifications.models import Notification

    rng = random.Random(3)
    user_model: Any = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        MeetingReminder.objects.all().delete()
        Notification.objects.all().delete()
        Meeting.objects.all().delete()
        user_model.objects.filter(username__startswith=PREFIX).delete()
        teacher = user_model.objects.create(username=f"{PREFIX}teacher", role="teacher")
        students = user_model.objects.bulk_create(
            user_model(username=f"{PREFIX}s{i}", role="student") for i in range(1000)
        )
        courses = Course.objects.bulk_create(
            Course(teacher=teacher, title=f"Course {i}") for i in range(100)
        )
        Enrollment.objects.bulk_create(
            Enrollment(course=course, student=student)
            for course in courses
            for student in rng.sample(students, 50)
        )
        rows = []
        for i in range(meetings):
            # Never inside a reminder window: at least an hour away from now.
            hours = rng.uniform(1, 24 * 60) * rng.choice((-1, 1))
            rows.append(
                Meeting(
                    course=courses[i % len(courses)],
                    title=f"Class {i}",
                    starts_at=now + timedelta(hours=hours),
                    duration_minutes=60,
                )
            )
        created = Meeting.objects.bulk_create(rows)
    with connection_cursor() as cursor:
        cursor.execute("ANALYZE")
    return [m.pk for m in created[:100]]


def connection_cursor() -> Any:
    from django.db import connection

    return connection.cursor()


def make_due(ids: list[int], now: datetime) -> None:
    """Move the meetings 14.5 minutes ahead: the 15-minute reminder is due for each."""
    from classmeet.meetings.models import Meeting, MeetingReminder
    from classmeet.notifications.models import Notification

    MeetingReminder.objects.all().delete()
    Notification.objects.all().delete()
    Meeting.objects.filter(pk__in=ids).update(starts_at=now + timedelta(minutes=14, seconds=30))


def explain(now: datetime) -> str:
    from django.conf import settings

    from classmeet.meetings.models import Meeting

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return ""
    qs = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        starts_at__lte=now + timedelta(minutes=15),
        starts_at__gt=now - timedelta(minutes=10),
    ).only("id", "starts_at", "duration_minutes", "status")
    return qs.explain()


def timed_scan(now: datetime) -> tuple[float, int, int]:
    """Return (ms, reminders sent, SQL queries) of one scan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from classmeet.meetings.services.reminders import meeting_reminders_send

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        sent = meeting_reminders_send(now=now)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, sent, len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description="Reminder scan benchmark")
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    common.setup_django(database="classmeet_bench_reminders")
    from django.utils import timezone

    due_ids = generate(args.meetings)
    rows: list[list[Any]] = []

    idle = [timed_scan(timezone.now()) for _ in range(args.repeat)]
    assert all(sent == 0 for _, sent, _ in idle), "a meeting was due in the 'none due' case"
    times = [ms for ms, _, _ in idle]
    rows.append(["none due", 0, common.median(times), max(times), idle[0][2], "≤ 100 ms"])

    busy = []
    for _ in range(max(3, args.repeat // 2)):
        now = timezone.now()
        make_due(due_ids, now)
        busy.append(timed_scan(now))
    times = [ms for ms, _, _ in busy]
    sent = busy[0][1]
    rows.append(["100 due", sent, common.median(times), max(times), busy[0][2], ""])
    rows.append(["100 due, per reminder", 1, common.median(times) / max(sent, 1), "", "", ""])

    headers = ("case", "reminders sent", "median ms", "max ms", "SQL queries", "target")
    title = f"Reminder scan over {args.meetings:,} meetings (100 courses of 50 students)"
    common.print_table(title, headers, rows)
    plan = explain(timezone.now())
    print(plan)
    if not args.no_doc:
        body = f"{title}:\n\n{common.markdown_table(headers, rows)}\n"
        if plan:
            body += f"\nPlan of the candidate query (PostgreSQL):\n\n```\n{plan}\n```\n"
        common.append_to_doc(
            "Reminder scan", body, command="python -m bench.reminders " + " ".join(sys.argv[1:])
        )


if __name__ == "__main__":
    main()
