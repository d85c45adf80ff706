"""Benchmark: notification fan-out of one new discussion in a course of 1,000 students.

Times `discussion_create` (the discussion row, the members query, ONE `INSERT ... SELECT ...
RETURNING` writing the 1,000 notifications, the e-mail preference query) up to the commit, then
the on-commit push (one presence lookup for the 1,000 recipients, then for the online ones only:
one unread-count query and one group_send each), and counts the SQL statements of both with
CaptureQueriesContext. `--online 0,100,1000` repeats it with that many of the students marked as
having a notifications socket open (classmeet/notifications/presence.py). Runs on the database of
BENCH_DATABASE_URL (PostgreSQL by default, or a SQLite file) with the in-memory channel layer, or
the Redis one with --redis.

    .venv/bin/python -m bench.bench_fanout                                   # PostgreSQL
    BENCH_DATABASE_URL=sqlite:///var/bench/fanout.sqlite3 .venv/bin/python -m bench.bench_fanout
    .venv/bin/python -m bench.bench_fanout --redis --write                   # append to docs
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from bench.common import (
    DEFAULT_REDIS_URL,
    append_to_doc,
    database_url,
    markdown_table,
    print_table,
    setup_django,
)

SECTION = "Notification fan-out"
PREFIX = "fanout_"


def course_of(students: int) -> Any:
    """Return the benchmark course with exactly `students` enrolled (created once, then reused)."""
    from django.contrib.auth.hashers import make_password

    from classmeet.accounts.models import User
    from classmeet.courses.models import Course, Enrollment

    teacher, _ = User.objects.get_or_create(
        username=f"{PREFIX}teacher", defaults={"role": User.Role.TEACHER}
    )
    course, _ = Course.objects.get_or_create(teacher=teacher, title=f"Fan-out {students}")
    have = Enrollment.objects.filter(course=course).count()
    if have < students:
        unusable = make_password(None)  # nobody signs in as these students
        new = [
            User(username=f"{PREFIX}{students}_{i}", role=User.Role.STUDENT, password=unusable)
            for i in range(have, students)
        ]
        User.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        users = User.objects.filter(username__in=[u.username for u in new])
        Enrollment.objects.bulk_create(
            [Enrollment(course=course, student=u) for u in users],
            ignore_conflicts=True,
            batch_size=500,
        )
    return course


def mark_all_offline(course: Any) -> None:
    """Forget the presence keys an earlier run left (they live for the presence TTL)."""
    import redis

    from classmeet.courses.models import Enrollment
    from classmeet.notifications import presence

    store = presence.get_store()
    if isinstance(store, presence.RedisPresence):
        ids = Enrollment.objects.filter(course=course).values_list("student_id", flat=True)
        client = redis.Redis.from_url(store.address)
        client.delete(*[store.key(uid) for uid in ids])


def mark_online(course: Any, count: int) -> None:
    """Mark the first `count` students of the course as having a notifications socket open."""
    from asgiref.sync import async_to_sync

    from classmeet.courses.models import Enrollment
    from classmeet.notifications import presence

    ids = Enrollment.objects.filter(course=course).order_by("student_id")
    for student_id in ids.values_list("student_id", flat=True)[:count]:
        async_to_sync(presence.mark_online)(student_id)


def count_sends() -> list[str]:
    """Record the group of every group_send of the default layer (for the table)."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    sent: list[str] = []
    real = layer.group_send

    async def counting(group: str, message: dict[str, Any]) -> None:
        sent.append(group)
        await real(group, message)

    layer.group_send = counting
    return sent


def one_run(course: Any, n: int, sent: list[str]) -> dict[str, float]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from classmeet.discussions.services import discussion_create

    marks: dict[str, float] = {}
    sent.clear()

    def committed() -> None:
        marks["commit"] = time.perf_counter()
        marks["commit_cpu"] = time.process_time()

    with CaptureQueriesContext(connection) as queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            # Registered first, so it runs first on commit: the end of the write, before the push.
            transaction.on_commit(committed)
            discussion_create(
                course=course, author=course.teacher, title=f"Exam {n}", body="Chapters 1-3."
            )
            marks["before_commit"] = len(queries.captured_queries)
        end = time.perf_counter()
    sql = [q["sql"] for q in queries.captured_queries]
    inserts = [s for s in sql if s.startswith('INSERT INTO "notifications_notification"')]
    return {
        "write_ms": (marks["commit"] - start) * 1000,
        "write_cpu_ms": (marks["commit_cpu"] - start_cpu) * 1000,
        "push_ms": (end - marks["commit"]) * 1000,
        "total_ms": (end - start) * 1000,
        "statements_tx": marks["before_commit"],
        "statements_all": len(sql),
        "notification_inserts": len(inserts),
        "sends": len(sent),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--redis", action="store_true", help="use the Redis channel layer")
    parser.add_argument("--write", action="store_true", help="append the figures to the docs")
    parser.add_argument(
        "--online",
        default="0,100,1000",
        help="comma-separated numbers of recipients with a notifications socket open",
    )
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL) if args.redis else ""
    setup_django(redis_url=redis_url)
    from django.conf import settings
    from django.db import connection

    from classmeet.notifications.models import Notification

    course = course_of(args.students)
    recipients = args.students + 0  # the teacher writes: every student is notified
    sent = count_sends()
    mark_all_offline(course)
    layer = str(settings.CHANNEL_LAYERS["default"]["BACKEND"]).rsplit(".", 1)[-1]
    rows = []
    for online in sorted(int(n) for n in args.online.split(",")):
        mark_online(course, online)  # ascending: the earlier ones stay online
        runs = [one_run(course, n, sent) for n in range(args.runs + 1)]
        results = runs[1:]  # the first one warms up
        made = Notification.objects.filter(course=course).count()
        Notification.objects.filter(course=course).delete()
        assert made == recipients * (args.runs + 1), made

        def med(key: str, results: list[dict[str, float]] = results) -> float:
            return statistics.median(r[key] for r in results)

        rows.append(
            [
                connection.vendor,
                layer,
                recipients,
                online,
                med("write_ms"),
                max(r["write_ms"] for r in results),
                med("write_cpu_ms"),
                med("push_ms"),
                med("total_ms"),
                int(med("statements_tx")),
                int(med("statements_all")),
                int(med("notification_inserts")),
                int(med("sends")),
            ]
        )
    headers = [
        "database",
        "channel layer",
        "recipients",
        "with a socket open",
        "write to commit, median ms",
        "write, max ms",
        "write, CPU ms of this process",
        "on-commit push, median ms",
        "total, median ms",
        "SQL in the transaction",
        "SQL incl. push",
        "INSERT batches into notifications",
        "group sends",
    ]
    print_table(f"{SECTION}: {args.runs} runs (+1 warm-up)", headers, rows)
    if args.write:
        command = ".venv/bin/python -m bench.bench_fanout" + (" --redis" if args.redis else "")
        command += f" --online {args.online}"
        if not database_url().startswith("postgres"):
            command = f"BENCH_DATABASE_URL={database_url()} {command}"
        body = markdown_table(headers, rows) + (
            "\n\nTarget: one INSERT batch, and the write well under 0.5 s. The machine is shared"
            " (see its load average above): figures on an idle machine are lower."
        )
        append_to_doc(SECTION, body, command=command + " --write")


if __name__ == "__main__":
    main()
