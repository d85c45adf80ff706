import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from classmeet.discussions import services
from classmeet.discussions.rendering import markdown_to_text
from classmeet.discussions.tests.factories import DiscussionFactory
from classmeet.notifications.models import Notification

POST = """Look at **bold** and `code` here.

```python
print("fenced")
```

See [a link](http://x) <script>alert(1)</script> & more."""
PLAIN = 'Look at bold and code here. print("fenced") See a link & more.'


def test_markdown_to_text_keeps_the_words_and_drops_the_markup():
    assert markdown_to_text(POST) == PLAIN


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("# Title\n\n- one\n- two", "Title one two"),
        ("> quoted\n\nafter", "quoted after"),
        ("a\nb", "a b"),
        ("**cut off in an excerpt and `co…", "cut off in an excerpt and `co…"),
        ("```py\nx = 1…", "py x = 1…"),
        ("5 < 6 &amp; 7 > 3", "5 < 6 & 7 > 3"),
        ("", ""),
    ],
)
def test_markdown_to_text_edge_cases(source, text):
    assert markdown_to_text(source) == text


@pytest.mark.django_db
def test_post_notifications_carry_plain_text_everywhere_they_show(
    client, course, teacher, student, enrollment
):
    """The list page, the bell's JSON (also the live toast's payload) and the stored body."""
    discussion = services.discussion_create(
        course=course, author=student, title="Question", body=POST
    )
    services.comment_create(discussion=discussion, author=teacher, body=POST)
    bodies = Notification.objects.filter(kind__in=["discussion_created", "comment_created"])
    assert sorted(bodies.values_list("recipient", "body")) == [
        (teacher.pk, PLAIN),
        (student.pk, PLAIN),
    ]
    client.force_login(teacher)
    page = client.get(reverse("notifications:notification-list")).content.decode()
    latest = client.get(reverse("notifications:notification-latest")).json()["results"]
    for shown in (page, *(n["body"] for n in latest)):
        for marker in ("**", "```", "](http", "`code`"):
            assert marker not in shown


@pytest.mark.django_db
def test_migration_rewrites_stored_post_notifications_as_text(course, teacher):
    DiscussionFactory.create(course=course)
    raw = Notification.objects.create(
        recipient=teacher, kind=Notification.Kind.DISCUSSION_CREATED, title="t", body=POST
    )
    other = Notification.objects.create(
        recipient=teacher, kind=Notification.Kind.UPVOTE, title="t", body="**kept**"
    )
    migration = importlib.import_module(
        "classmeet.discussions.migrations.0002_notification_bodies_plain_text"
    )
    migration.bodies_to_text(apps, None)
    raw.refresh_from_db()
    other.refresh_from_db()
    assert (raw.body, other.body) == (PLAIN, "**kept**")
