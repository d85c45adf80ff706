"""The class record's move from rooms to meetings keeps every row, forward and back.

Runs the real migrations on the test database (PostgreSQL in CI): back to where the record lived
in rooms, fill it, then forward to meetings and back again.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from classmeet.meetings.models import Attendance, ChatMessage, RoomRemoval

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

IN_ROOMS = [("meetings", "0003_meeting_started_at"), ("rooms", "0001_initial")]
IN_MEETINGS = [("meetings", "0005_class_record_tables"), ("rooms", "0002_class_record_to_meetings")]
FIELDS = {
    "attendance": ("id", "meeting_id", "user_id", "peer_id", "joined_at", "left_at", "closed_by"),
    "chatmessage": (
        "id",
        "meeting_id",
        "author_id",
        "text",
        "created_at",
        "deleted_at",
        "deleted_by_id",
    ),
    "roomremoval": ("id", "meeting_id", "user_id", "by_id", "at"),
}
MODELS = {"attendance": Attendance, "chatmessage": ChatMessage, "roomremoval": RoomRemoval}


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate the database to `targets`; return the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def rooms_apps() -> Iterator[Apps]:
    """The database as it was before the move; brought back to the latest migrations after."""
    try:
        yield migrate(IN_ROOMS)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()


def fill(apps: Apps) -> dict[str, list[dict[str, Any]]]:
    """Write rows of every kind the record holds through the old rooms models; return them."""
    user = apps.get_model("accounts", "User")
    teacher = user.objects.create(username="teacher", email="t@example.com", role="teacher")
    student = user.objects.create(username="student", email="s@example.com")
    other = user.objects.create(username="other", email="o@example.com")
    course = apps.get_model("courses", "Course").objects.create(teacher=teacher, title="Optics")
    start = timezone.now() - timedelta(hours=2)
    meeting = apps.get_model("meetings", "Meeting").objects.create(
        course=course, title="Lenses", starts_at=start, duration_minutes=60, created_by=teacher
    )
    attendance = apps.get_model("rooms", "Attendance")
    attendance.objects.create(
        meeting=meeting,
        user=student,
        peer_id="peer-closed",
        joined_at=start,
        left_at=start + timedelta(minutes=30),
        closed_by="crash",
    )
    attendance.objects.create(meeting=meeting, user=other, peer_id="peer-open", joined_at=start)
    chat = apps.get_model("rooms", "ChatMessage")
    chat.objects.create(meeting=meeting, author=student, text="hello", created_at=start)
    chat.objects.create(
        meeting=meeting,
        author=other,
        text="=spam",
        created_at=start + timedelta(minutes=1),
        deleted_at=start + timedelta(minutes=2),
        deleted_by=teacher,
    )
    removal = apps.get_model("rooms", "RoomRemoval")
    removal.objects.create(meeting=meeting, user=other, by=teacher, at=start)
    # A staff group given a right on the old model keeps it on the new one.
    content_type = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="rooms", model="attendance"
    )[0]
    permission = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_attendance", defaults={"name": "Can view"}
    )[0]
    apps.get_model("auth", "Group").objects.create(name="reviewers").permissions.add(permission)
    return {
        name: list(apps.get_model("rooms", name).objects.order_by("pk").values(*fields))
        for name, fields in FIELDS.items()
    }


def test_every_record_row_moves_to_meetings_and_back(rooms_apps: Apps) -> None:
    rows = fill(rooms_apps)
    assert [len(r) for r in rows.values()] == [2, 2, 1]

    meetings_apps = migrate(IN_MEETINGS)
    for name, fields in FIELDS.items():
        model = MODELS[name]
        assert model._meta.db_table == f"meetings_{name}"
        assert list(model._default_manager.order_by("pk").values(*fields)) == rows[name]
    # Through ids and lookups only: the current Meeting model has columns added after 0005.
    closed = Attendance.objects.filter(peer_id="peer-closed")
    assert closed.values_list("meeting__title", flat=True).get() == "Lenses"
    # The chat message model as it was at 0005 (the current one has a column added since).
    deleted = meetings_apps.get_model("meetings", "ChatMessage").objects.get(text="=spam")
    assert deleted.deleted_by is not None
    assert deleted.deleted_by.username == "teacher"
    assert RoomRemoval.objects.get().user.username == "other"
    group = meetings_apps.get_model("auth", "Group").objects.get(name="reviewers")
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("meetings", "view_attendance")
    ]
    # The renamed tables keep counting ids and enforcing their constraints.
    removal = RoomRemoval.objects.get()
    added = Attendance.objects.create(
        meeting_id=removal.meeting_id, user_id=removal.user_id, peer_id="new"
    )
    assert added.pk > max(row["id"] for row in rows["attendance"])
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomRemoval.objects.create(meeting_id=removal.meeting_id, user_id=removal.user_id)
    added.delete()

    rooms_apps = migrate(IN_ROOMS)
    for name, fields in FIELDS.items():
        model = rooms_apps.get_model("rooms", name)
        assert model._meta.db_table == f"rooms_{name}"
        assert list(model.objects.order_by("pk").values(*fields)) == rows[name]
    group = rooms_apps.get_model("auth", "Group").objects.get(name="reviewers")
    assert list(group.permissions.values_list("content_type__app_label", flat=True)) == ["rooms"]
