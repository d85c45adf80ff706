"""Move the class record (attendance, chat log, removals) from rooms to meetings.

The state moves; the tables and their rows stay where they are (`rooms_*`), and the next
migration renames them to `meetings_*`. `rooms.0002` removes the models from rooms' state.
The content types move too, so permissions granted on these models and admin history follow.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("attendance", "chatmessage", "roomremoval")


def _move_content_types(apps, from_app, to_app):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A fresh database has none yet: post_migrate creates them under the new app.
        if not content_type.objects.filter(app_label=to_app, model=model).exists():
            content_type.objects.filter(app_label=from_app, model=model).update(app_label=to_app)


def content_types_to_meetings(apps, schema_editor):
    _move_content_types(apps, "rooms", "meetings")


def content_types_to_rooms(apps, schema_editor):
    _move_content_types(apps, "meetings", "rooms")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_meeting_started_at"),
        ("rooms", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Attendance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("peer_id", models.CharField(max_length=64, unique=True)),
                        ("joined_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("left_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "closed_by",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("leave", "Left"),
                                    ("crash", "Connection lost"),
                                    ("removed", "Removed by the teacher"),
                                    ("ended", "Meeting ended"),
                                ],
                                default="",
                                max_length=16,
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendances",
                                to="meetings.meeting",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendances",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rooms_attendance",
                        "ordering": ("joined_at", "id"),
                        "indexes": [
                            models.Index(
                                fields=["meeting", "user"], name="rooms_atten_meeting_1503f1_idx"
                            ),
                            models.Index(
                                fields=["meeting", "left_at"], name="rooms_atten_meeting_91a111_idx"
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("left_at__isnull", True),
                                    ("left_at__gte", models.F("joined_at")),
                                    _connector="OR",
                                ),
                                name="attendance_leave_after_join",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("closed_by", ""), ("left_at__isnull", True)),
                                    models.Q(
                                        ("left_at__isnull", False),
                                        models.Q(("closed_by", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="attendance_closed_with_reason",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ChatMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", models.TextField(max_length=1000, verbose_name="message")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("deleted_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="chat_messages",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "deleted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="chat_messages",
                                to="meetings.meeting",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rooms_chatmessage",
                        "ordering": ("created_at", "id"),
                        "indexes": [
                            models.Index(
                                fields=["meeting", "created_at"],
                                name="rooms_chatm_meeting_c60503_idx",
                            ),
                            models.Index(
                                fields=["author", "created_at"],
                                name="rooms_chatm_author__cfe39d_idx",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RoomRemoval",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="removals",
                                to="meetings.meeting",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="room_removals",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rooms_roomremoval",
                        "ordering": ("at", "id"),
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("meeting", "user"), name="unique_room_removal"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_meetings, content_types_to_rooms),
    ]
