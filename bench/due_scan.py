"""The "due in 24 hours" scan (classmeet.coursework.services.reminders) and the "To do" page.

1. 100,000 published assignments in 200 courses, due over ±60 days but none within 25 hours
   of now (plus 1,000 drafts due within the day: the scan must skip them), in a database of its
   own (`classmeet_bench_due`). Timed: `assignment_reminders_send()` with none due, median of
   repeated scans (target: one query, under 50 ms, an index scan on the partial index
   `assignment_due_published`); PostgreSQL's plan of the scan's query is printed.
2. The "To do" page of a student in 2 and in 20 courses (5 open items per course) and the
   dashboard with its "Due soon" card: SQL queries per request with the test client (target
   ≤ 8, the same at both sizes).

    flock /tmp/classmeet-bench.lock .venv/bin/python -m bench.due_scan
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from bench import common

PREFIX = "due-"


def generate(assignments: int) -> None:
    """Create the courses and the assignments (none due within 25 hours but the drafts)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from classmeet.courses.models import Course
    from classmeet.coursework.models import Assignment, GradeItem

    rng = random.Random(23)
    user_model: Any = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:  # the benchmark's own database: start empty, fast
            cursor.execute("TRUNCATE courses_course CASCADE")
        user_model.objects.filter(username__startswith=PREFIX).delete()
        teacher = user_model.objects.create(username=f"{PREFIX}teacher", role="teacher")
        courses = Course.objects.bulk_create(
            Course(teacher=teacher, title=f"Course {i}") for i in range(200)
        )
        dues: list[tuple[datetime, str]] = []
        for _ in range(assignments):
            hours = rng.uniform(25, 24 * 60) * rng.choice((-1, 1))
            dues.append((now + timedelta(hours=hours), Assignment.Status.PUBLISHED))
        for _ in range(1000):
            dues.append((now + timedelta(hours=rng.uniform(0.1, 23.9)), Assignment.Status.DRAFT))
        items = GradeItem.objects.bulk_create(
            (
                GradeItem(
                    course=courses[i % len(courses)],
                    kind=GradeItem.Kind.ASSIGNMENT,
                    title=f"Assignment {i}",
                    dated_at=due_at,
                    is_published=status == Assignment.Status.PUBLISHED,
                )
                for i, (due_at, status) in enumerate(dues)
            ),
            batch_size=5000,
        )
        Assignment.objects.bulk_create(
            (
                Assignment(
                    course_id=item.course_id,
                    grade_item=item,
                    title=item.title,
                    due_at=due_at,
                    status=status,
                )
                for item, (due_at, status) in zip(items, dues, strict=True)
            ),
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed_scan(now: datetime) -> tuple[float, int, int]:
    """Return (ms, reminders sent, SQL queries) of one scan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from classmeet.coursework.services.reminders import assignment_reminders_send

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        sent = assignment_reminders_send(now=now)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, sent, len(ctx.captured_queries)


def explain(now: datetime) -> str:
    from django.conf import settings

    from classmeet.coursework.services.reminders import assignment_due_scan_query

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return ""
    return assignment_due_scan_query(now=now).values_list("pk", "due_at").explain()


def todo_student(courses: int) -> Any:
    """A student in `courses` new courses, each with 3 assignments due, one late, one quiz."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from classmeet.courses.models import Course, Enrollment
    from classmeet.coursework.models import Assignment, GradeItem, Quiz

    user_model: Any = get_user_model()
    now = timezone.now()
    teacher = user_model.objects.get(username=f"{PREFIX}teacher")
    student = user_model.objects.create(
        username=f"{PREFIX}student{courses}-{time.monotonic_ns()}", role="student"
    )
    for c in range(courses):
        course = Course.objects.create(teacher=teacher, title=f"To do {c}")
        Enrollment.objects.create(course=course, student=student)
        for days, late in ((1, False), (2, False), (3, False), (-1, True)):
            due_at = now + timedelta(days=days)
            item = GradeItem.objects.create(
                course=course, kind=GradeItem.Kind.ASSIGNMENT, title="A", dated_at=due_at
            )
            Assignment.objects.create(
                course=course,
                grade_item=item,
                title=f"A {days}",
                due_at=due_at,
                accepts_late=late,
                status=Assignment.Status.PUBLISHED,
            )
        item = GradeItem.objects.create(course=course, kind=GradeItem.Kind.QUIZ, title="Q")
        Quiz.objects.create(
            course=course,
            grade_item=item,
            title="Q",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=2),
            status=Quiz.Status.PUBLISHED,
        )
    return student


def count_page_queries(student: Any) -> dict[str, tuple[int, int, int]]:
    """page → (queries, HTTP status, items listed), second request with the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(student)
    counts = {}
    for name, url in (
        ("To do", reverse("coursework:todo")),
        ("dashboard (Due soon)", reverse("dashboard:dashboard")),
    ):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        listed = response.content.count(b"todo-item")  # a row of coursework/todo_rows.html
        counts[name] = (len(ctx.captured_queries), response.status_code, listed)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description="Due-reminder scan and To do benchmark")
    parser.add_argument("--assignments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    common.setup_django(database="classmeet_bench_due")
    from django.utils import timezone

    generate(args.assignments)
    timed_scan(timezone.now())  # warm: the first query loads the catalog
    idle = [timed_scan(timezone.now()) for _ in range(args.repeat)]
    assert all(sent == 0 for _, sent, _ in idle), "an assignment was due in the 'none due' case"
    times = [ms for ms, _, _ in idle]
    scan_headers = ("case", "reminders sent", "median ms", "max ms", "SQL queries", "target")
    scan_rows: list[list[Any]] = [
        ["none due", 0, common.median(times), max(times), idle[0][2], "1 query, < 50 ms"]
    ]
    scan_title = (
        f"Due-reminder scan over {args.assignments:,} published assignments "
        "(200 courses; 1,000 drafts due within the day)"
    )
    common.print_table(scan_title, scan_headers, scan_rows)
    plan = explain(timezone.now())
    print(plan)

    small, large = count_page_queries(todo_student(2)), count_page_queries(todo_student(20))
    page_headers = (
        "page",
        "status",
        "items, 2 courses",
        "queries, 2 courses",
        "items, 20 courses",
        "queries, 20 courses",
        "verdict (≤ 8, same)",
    )
    page_rows = []
    for name, (queries, status, listed) in large.items():
        small_queries, _, small_listed = small[name]
        verdict = "ok" if queries <= 8 and queries == small_queries else "OVER"
        page_rows.append([name, status, small_listed, small_queries, listed, queries, verdict])
    page_title = "A student's To do and dashboard: SQL queries per request (test client)"
    common.print_table(page_title, page_headers, page_rows)

    if not args.no_doc:
        body = f"{scan_title}:\n\n{common.markdown_table(scan_headers, scan_rows)}\n"
        if plan:
            body += f"\nPlan of the scan's query (PostgreSQL):\n\n```\n{plan}\n```\n"
        body += f"\n{page_title}:\n\n{common.markdown_table(page_headers, page_rows)}\n"
        common.append_to_doc(
            "Due-reminder scan and To do",
            body,
            command="python -m bench.due_scan " + " ".join(sys.argv[1:]),
        )


if __name__ == "__main__":
    main()
