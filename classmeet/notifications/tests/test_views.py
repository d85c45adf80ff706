import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from classmeet.accounts.models import User
from classmeet.notifications.models import Notification
from classmeet.notifications.selectors import notification_unread_count

pytestmark = pytest.mark.django_db


def make(user: User, n: int = 1, **kwargs: str) -> list[Notification]:
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind="upvote",
                title=kwargs.get("title", f"N{i}"),
                url=kwargs.get("url", f"/discussions/{i}/"),
            )
            for i in range(n)
        ]
    )


def test_pages_need_sign_in(client):
    for name in ("notification-list", "notification-latest"):
        assert client.get(reverse(f"notifications:{name}")).status_code == 302


def test_bell_shows_unread_count(client, student, outsider):
    make(student, 3)
    make(outsider, 5)
    client.force_login(student)
    page = client.get(reverse("notifications:notification-list")).content.decode()
    assert 'id="notification-badge" data-count="3"' in page


def test_bell_costs_one_count_query(client, student):
    """The bell adds exactly one COUNT to a page whatever the number of notifications."""
    client.force_login(student)
    make(student, 2)
    url = reverse("discussions:discussion-list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make(student, 40)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    counts = [q["sql"] for q in many.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1
    assert "COUNT(" in counts[0].upper()
    assert len(few.captured_queries) == len(many.captured_queries)


def test_latest_json_gives_five_of_mine(client, student, outsider):
    make(student, 7)
    make(outsider, 2, title="not yours")
    client.force_login(student)
    data = client.get(reverse("notifications:notification-latest")).json()
    assert data["unread"] == 7
    assert len(data["results"]) == 5
    assert all(r["title"] != "not yours" for r in data["results"])
    assert {"id", "title", "url", "created_at", "read", "kind", "body"} <= set(data["results"][0])


def test_list_is_paginated_and_only_mine(client, student, outsider):
    make(student, 25)
    make(outsider, 1, title="outsider only")
    client.force_login(student)
    first = client.get(reverse("notifications:notification-list")).content.decode()
    second = client.get(reverse("notifications:notification-list") + "?page=2").content.decode()
    assert first.count("notification-row") == 20
    assert "outsider only" not in first + second
    assert "Page 2 of 2" in second


def test_mark_one_read_redirects_to_target(client, student):
    (n,) = make(student, url="/discussions/7/#comment-3")
    client.force_login(student)
    response = client.post(
        reverse("notifications:notification-read", kwargs={"notification_id": n.pk})
    )
    assert response.status_code == 302
    assert response["Location"] == "/discussions/7/#comment-3"
    n.refresh_from_db()
    assert n.read_at is not None
    assert notification_unread_count(user=student) == 0


def test_mark_read_never_redirects_off_site(client, student):
    (n,) = make(student, url="https://evil.example/")
    client.force_login(student)
    response = client.post(
        reverse("notifications:notification-read", kwargs={"notification_id": n.pk}),
        {"next": "//evil.example/"},
    )
    assert response["Location"] == "/notifications/"


UNSAFE_NEXT = [
    "foo",  # a bare word: redirect() would reverse it as a URL name (NoReverseMatch, 500)
    "notifications:notification-list",
    "//evil.example",
    "/\\evil.example",
    "http://evil.example/",
    "https://testserver/notifications/",  # absolute, even to this host: only paths are taken
    "javascript:alert(1)",
    " /x",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_mark_read_with_unsafe_next_goes_to_the_list(client, student, target):
    (n,) = make(student)
    client.force_login(student)
    response = client.post(
        reverse("notifications:notification-read", kwargs={"notification_id": n.pk}),
        {"next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:notification-list")


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_mark_all_read_with_unsafe_next_goes_to_the_list(client, student, target):
    make(student, 2)
    client.force_login(student)
    response = client.post(reverse("notifications:notification-read-all"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:notification-list")
    assert notification_unread_count(user=student) == 0


def test_mark_read_keeps_a_local_next(client, student):
    (n,) = make(student)
    client.force_login(student)
    response = client.post(
        reverse("notifications:notification-read", kwargs={"notification_id": n.pk}),
        {"next": "/notifications/?page=2"},
    )
    assert response["Location"] == "/notifications/?page=2"


def test_cannot_mark_someone_elses(client, student, outsider):
    (n,) = make(outsider)
    client.force_login(student)
    response = client.post(
        reverse("notifications:notification-read", kwargs={"notification_id": n.pk})
    )
    assert response.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_needs_post(client, student):
    (n,) = make(student)
    client.force_login(student)
    assert (
        client.get(
            reverse("notifications:notification-read", kwargs={"notification_id": n.pk})
        ).status_code
        == 405
    )
    assert client.get(reverse("notifications:notification-read-all")).status_code == 405


def test_mark_all_read_only_touches_mine(client, student, outsider):
    make(student, 3)
    make(outsider, 2)
    client.force_login(student)
    response = client.post(
        reverse("notifications:notification-read-all"), {"next": "/discussions/"}
    )
    assert response["Location"] == "/discussions/"
    assert notification_unread_count(user=student) == 0
    assert notification_unread_count(user=outsider) == 2


def test_read_ones_are_not_counted(client, student):
    a, _ = make(student, 2)
    a.read_at = timezone.now()
    a.save()
    assert notification_unread_count(user=student) == 1


def test_titles_are_escaped(client, student):
    make(student, title="<script>alert(1)</script>")
    client.force_login(student)
    page = client.get(reverse("notifications:notification-list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
