"""The class record (attendance, chat log, removals) now lives in meetings: drop it from rooms' state.

Nothing happens in the database: `meetings.0004` took over the tables and their rows.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0001_initial"),
        ("meetings", "0004_class_record_from_rooms"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="Attendance"),
                migrations.DeleteModel(name="ChatMessage"),
                migrations.DeleteModel(name="RoomRemoval"),
            ],
        ),
    ]
