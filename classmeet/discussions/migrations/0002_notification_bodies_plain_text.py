"""Notifications of discussions and comments carried the post's raw Markdown as their body;
they now carry its plain text (rendering.markdown_to_text). Rewrite the stored ones."""

from django.db import migrations

KINDS = ("discussion_created", "comment_created")


def bodies_to_text(apps, schema_editor):
    from classmeet.discussions.rendering import markdown_to_text

    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.filter(kind__in=KINDS).exclude(body="").only("id", "body")
    for row in rows.iterator(chunk_size=1000):
        text = markdown_to_text(row.body)
        if text != row.body:
            Notification.objects.filter(pk=row.pk).update(body=text)


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(bodies_to_text, migrations.RunPython.noop)]
