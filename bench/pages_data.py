"""The data of the pages benchmark: a school of the issue's size, in the benchmark database.

At scale 1: 20 teachers, 1,000 students, 100 courses of ~50 students, 10 discussions per course
with 10 comments each (a few replies, upvotes), 10 meetings per course (past, live, upcoming,
one cancelled) and 50 notifications per student. `scale` shrinks every count but the per-course
ones, so the query counts can be compared between a small and a large school.

The `landing` shape is issue 22's, where people land most: one student in 50 courses of 10
teachers (30 students each), 5 discussions with 4 comments and 3 meetings (yesterday, in two
hours, next week) per course, and 20 unread notifications (`generate_landing`).

    .venv/bin/python -m bench.pages_data --scale 1
    .venv/bin/python -m bench.pages_data --shape landing
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

PREFIX = "pages-"
LANDING_PREFIX = "landing-"


@dataclass(frozen=True)
class Sample:
    """The user and objects the pages are opened with."""

    student_id: int
    teacher_id: int
    course_id: int
    discussion_id: int
    meeting_id: int


def _people(
    user_model: Any, role: str, count: int, password: str, *, prefix: str = PREFIX
) -> list[Any]:
    return list(
        user_model.objects.bulk_create(
            user_model(
                username=f"{prefix}{role[0]}{i}",
                first_name=f"{role.title()} {i}",
                password=password,
                role=role,
            )
            for i in range(count)
        )
    )


def generate(scale: float = 1.0, *, seed: int = 8) -> Sample:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from classmeet.courses.models import Course, Enrollment
    from classmeet.discussions.models import Comment, Discussion, Vote
    from classmeet.meetings.models import Meeting
    from classmeet.notifications.models import Notification

    rng = random.Random(seed)
    user_model: Any = get_user_model()
    now = timezone.now()
    n_students = max(50, round(1000 * scale))
    n_courses = max(2, round(100 * scale))
    n_teachers = max(1, round(20 * scale))
    password = make_password("bench-pages")
    with transaction.atomic():
        user_model.objects.filter(username__startswith=PREFIX).delete()
        teachers = _people(user_model, "teacher", n_teachers, password)
        students = _people(user_model, "student", n_students, password)
        courses = Course.objects.bulk_create(
            Course(
                teacher=teachers[i % n_teachers],
                title=f"Course {i}",
                description="A course of the pages benchmark.",
            )
            for i in range(n_courses)
        )
        rosters = [rng.sample(students, 50) for _ in courses]
        Enrollment.objects.bulk_create(
            Enrollment(course=course, student=student)
            for course, roster in zip(courses, rosters, strict=True)
            for student in roster
        )
        meetings = []
        for course in courses:
            for k in range(10):
                starts = now + timedelta(days=k - 5, minutes=-5 if k == 5 else 0)
                meetings.append(
                    Meeting(
                        course=course,
                        title=f"Class {k}",
                        starts_at=starts,
                        duration_minutes=60,
                        status=Meeting.Status.CANCELLED if k == 8 else Meeting.Status.SCHEDULED,
                        created_by=course.teacher,
                    )
                )
        meetings = Meeting.objects.bulk_create(meetings)
        discussions = Discussion.objects.bulk_create(
            Discussion(
                course=course,
                author=rng.choice(roster),
                title=f"Question {k} about {course.title}",
                body=f"How does part {k} work?",
                body_html=f"<p>How does part {k} work?</p>",
                is_pinned=k == 0,
                last_activity_at=now - timedelta(hours=k),
            )
            for course, roster in zip(courses, rosters, strict=True)
            for k in range(10)
        )
        comments = Comment.objects.bulk_create(
            Comment(
                discussion=discussion,
                author=rng.choice(rosters[i // 10]),
                body=f"Answer {k}.",
                body_html=f"<p>Answer {k}.</p>",
                is_answer=k == 1,
                created_at=now - timedelta(minutes=60 - k),
            )
            for i, discussion in enumerate(discussions)
            for k in range(8)
        )
        replies = Comment.objects.bulk_create(
            Comment(
                discussion=parent.discussion,
                parent=parent,
                author=rng.choice(students),
                body="A reply.",
                body_html="<p>A reply.</p>",
                created_at=now - timedelta(minutes=5),
            )
            for parent in comments[::4]
        )
        Vote.objects.bulk_create(
            [
                *(
                    Vote(user=voter, discussion=d)
                    for i, d in enumerate(discussions)
                    for voter in rng.sample(rosters[i // 10], 3)
                ),
                *(Vote(user=rng.choice(students), comment=c) for c in comments[::2]),
            ]
        )
        kinds = [k for k, _ in Notification.Kind.choices]
        Notification.objects.bulk_create(
            Notification(
                recipient=student,
                actor=rng.choice(teachers),
                course=rng.choice(courses),
                kind=rng.choice(kinds),
                title=f"Notification {k}",
                body="Something happened in your course.",
                url="/classmeet/dashboard/",
                created_at=now - timedelta(minutes=k * 7),
                read_at=None if k < 5 else now,
            )
            for student in students
            for k in range(50)
        )
    course = courses[0]
    student = rosters[0][0]
    del replies
    return Sample(
        student_id=student.pk,
        teacher_id=course.teacher_id,
        course_id=course.pk,
        discussion_id=discussions[0].pk,
        meeting_id=meetings[5].pk,
    )


def generate_landing(*, courses_per_student: int = 50, seed: int = 22) -> Sample:
    """Issue 22's data: the sample student is in `courses_per_student` courses."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from classmeet.courses.models import Course, Enrollment
    from classmeet.discussions.models import Comment, Discussion
    from classmeet.meetings.models import Meeting
    from classmeet.notifications.models import Notification

    rng = random.Random(seed)
    user_model: Any = get_user_model()
    now = timezone.now()
    password = make_password("bench-pages")
    with transaction.atomic():
        user_model.objects.filter(username__startswith=LANDING_PREFIX).delete()
        teachers = _people(user_model, "teacher", 10, password, prefix=LANDING_PREFIX)
        students = _people(user_model, "student", 300, password, prefix=LANDING_PREFIX)
        student = students[0]
        courses = Course.objects.bulk_create(
            Course(
                teacher=teachers[i % len(teachers)],
                title=f"Course {i}",
                description="A course of the landing pages benchmark.",
            )
            for i in range(courses_per_student)
        )
        rosters = [[student, *rng.sample(students[1:], 29)] for _ in courses]
        Enrollment.objects.bulk_create(
            Enrollment(course=course, student=member)
            for course, roster in zip(courses, rosters, strict=True)
            for member in roster
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                course=course,
                title=f"Class {k}",
                starts_at=starts,
                duration_minutes=60,
                created_by=course.teacher,
            )
            for course in courses
            for k, starts in enumerate(
                (now - timedelta(days=1), now + timedelta(hours=2), now + timedelta(days=7))
            )
        )
        discussions = Discussion.objects.bulk_create(
            Discussion(
                course=course,
                author=rng.choice(roster),
                title=f"Question {k} about {course.title}",
                body=f"How does part {k} work?",
                body_html=f"<p>How does part {k} work?</p>",
                last_activity_at=now - timedelta(hours=k),
            )
            for course, roster in zip(courses, rosters, strict=True)
            for k in range(5)
        )
        Comment.objects.bulk_create(
            Comment(
                discussion=discussion,
                author=rng.choice(rosters[i // 5]),
                body=f"Answer {k}.",
                body_html=f"<p>Answer {k}.</p>",
                created_at=now - timedelta(minutes=60 - k),
            )
            for i, discussion in enumerate(discussions)
            for k in range(4)
        )
        kinds = [k for k, _ in Notification.Kind.choices]
        Notification.objects.bulk_create(
            Notification(
                recipient=student,
                actor=rng.choice(teachers),
                course=rng.choice(courses),
                kind=rng.choice(kinds),
                title=f"Notification {k}",
                body="Something happened in your course.",
                url="/classmeet/dashboard/",
                created_at=now - timedelta(minutes=k * 7),
            )
            for k in range(20)
        )
    return Sample(
        student_id=student.pk,
        teacher_id=courses[0].teacher_id,
        course_id=courses[0].pk,
        discussion_id=discussions[0].pk,
        meeting_id=meetings[1].pk,
    )


def main() -> None:
    from bench import common

    parser = argparse.ArgumentParser(description="Generate the pages benchmark data")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--shape", choices=("school", "landing"), default="school")
    args = parser.parse_args()
    common.setup_django()
    print(generate_landing() if args.shape == "landing" else generate(args.scale))


if __name__ == "__main__":
    main()
