"""Rename the class record's tables and indexes from rooms_* to meetings_*; the rows stay.

On PostgreSQL both renames only change the catalog; SQLite rebuilds the four indexes. The indexes
and constraints Django named itself (foreign keys, peer_id) keep their rooms_* names: Django finds
them by introspection, never by name.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_class_record_from_rooms"),
    ]

    operations = [
        migrations.RenameIndex(
            model_name="attendance",
            new_name="meetings_at_meeting_811718_idx",
            old_name="rooms_atten_meeting_1503f1_idx",
        ),
        migrations.RenameIndex(
            model_name="attendance",
            new_name="meetings_at_meeting_eb0314_idx",
            old_name="rooms_atten_meeting_91a111_idx",
        ),
        migrations.RenameIndex(
            model_name="chatmessage",
            new_name="meetings_ch_meeting_41d894_idx",
            old_name="rooms_chatm_meeting_c60503_idx",
        ),
        migrations.RenameIndex(
            model_name="chatmessage",
            new_name="meetings_ch_author__0267dd_idx",
            old_name="rooms_chatm_author__cfe39d_idx",
        ),
        migrations.AlterModelTable(
            name="attendance",
            table=None,
        ),
        migrations.AlterModelTable(
            name="chatmessage",
            table=None,
        ),
        migrations.AlterModelTable(
            name="roomremoval",
            table=None,
        ),
    ]
