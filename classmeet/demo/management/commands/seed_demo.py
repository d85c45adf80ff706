"""`manage.py seed_demo [--json]`: create the demo users, courses, materials, a live meeting and
coursework."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from classmeet.demo.seeders import demo_as_dict, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo data (2 teachers, 4 students, 2 courses with materials, a live meeting; "
        "the second teacher assists the first course, which has assignments with submissions, a "
        "quiz and a gradebook). "
        "Idempotent: running it again creates nothing new and prints the same."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print the users, courses and meetings as JSON."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data = demo_as_dict(seed_demo())
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(self._table(data))

    def _table(self, data: dict[str, Any]) -> str:
        titles = {course["id"]: course["title"] for course in data["courses"]}
        rows = [("USERNAME", "PASSWORD", "ROLE", "COURSES")] + [
            (
                user["username"],
                user["password"],
                user["role"],
                ", ".join(
                    [titles.get(cid, f"#{cid}") for cid in user["courses"]]
                    + [f"{titles.get(cid, f'#{cid}')} (assistant)" for cid in user["assists"]]
                )
                or "-",
            )
            for user in data["users"]
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = ["Classmeet demo logins (sign in at /auth/signin/):", ""]
        lines += [
            "  "
            + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[3]
            for row in rows
        ]
        lines += ["", "Courses:"]
        lines += [
            f"  {c['title']} (teacher {c['teacher']}"
            + "".join(f", assistant {name}" for name in c["assistants"])
            + f"): {c['url']}  join code {c['join_code']}"
            for c in data["courses"]
        ]
        if data["meetings"]:
            lines += ["", "Meetings:"]
            lines += [f"  {m['title']}: {m['url']}  room {m['room_url']}" for m in data["meetings"]]
        work = data.get("assignments", []) + data.get("quizzes", [])
        if work:
            lines += ["", "Coursework:"]
            lines += [f"  {w['title']} ({w['status']}): {w['url']}" for w in work]
            lines += [
                f"  Gradebook of {c['title']}: {c['gradebook_url']}"
                for c in data["courses"]
                if any(w["course_id"] == c["id"] for w in work)
            ]
        return "\n".join(lines)
