"""Create notifications. Every fan-out is one bulk INSERT inside the caller's transaction;
the real-time push to open tabs and the immediate e-mails happen once that transaction commits.

A notification is stored in its recipient's language (their profile's, else the site's): the
caller passes a title made by a function, rendered once per language, and the INSERT picks each
recipient's text by their `language` column.
"""

import asyncio
import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import send_mail
from django.db import connections, router, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateTimeField,
    Expression,
    F,
    Field,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from classmeet.accounts.models import User
from classmeet.core.recipients import Text, in_each_language, recipient_locale
from classmeet.courses.models import Course

from . import presence
from .models import Notification
from .selectors import course_members_q, notification_unread_counts

EVENT_CREATED = "notification.created"  # handled by NotificationConsumer.notification_created
EVENT_READ = "notification.read"  # handled by NotificationConsumer.notification_read


def user_group_name(user_id: int) -> str:
    """Return the channel-layer group of one user's open tabs."""
    return f"notifications.user.{user_id}"


def notification_payload(notification: Notification) -> dict[str, Any]:
    """Return what a browser needs to show a notification (plain text; the client uses textContent)."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


@transaction.atomic
def notifications_create(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    title: Text,
    url: str = "",
    body: Text = "",
    actor: User | None = None,
    course: Course | None = None,
) -> list[Notification]:
    """Notify each recipient once (the actor never notifies themselves).

    `title` and `body` are strings, or functions returning the text in the active language:
    each recipient's copy is then in their language (core.recipients.language_for), still in
    one INSERT.

    With a course, recipients outside it (neither its teacher nor enrolled) are dropped: a
    notification never leaves its course. Inactive accounts are dropped too. The push to open
    tabs and the immediate e-mails happen only if the surrounding transaction commits.
    """
    ids = {rid for rid in recipient_ids if actor is None or rid != actor.pk}
    if not ids:
        return []
    # The recipients that exist, are active and (with a course) belong to it.
    people = User.objects.filter(pk__in=ids, is_active=True).order_by()
    if course is not None:
        people = people.filter(course_members_q(course=course))
    titles = {code: text[:255] for code, text in in_each_language(title).items()}
    bodies = in_each_language(body)
    template = Notification(
        actor_id=actor.pk if actor is not None else None,
        course_id=course.pk if course is not None else None,
        kind=kind,
        title=titles[settings.LANGUAGE_CODE],
        url=url,
        body=bodies[settings.LANGUAGE_CODE],
        created_at=timezone.now(),
    )
    created = _insert_one_each(
        people=people,
        template=template,
        title=_by_language(titles, CharField()),
        body=_by_language(bodies, TextField()),
    )
    if not created:
        return []
    emailed_ids = set(
        people.filter(email_notifications=User.EmailPreference.IMMEDIATE)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    to_email = [n.pk for n in created if n.recipient_id in emailed_ids]
    transaction.on_commit(lambda: notifications_push(notifications=created), robust=True)
    if to_email:
        transaction.on_commit(lambda: _queue_immediate_emails(to_email), robust=True)
    return created


def _by_language(texts: dict[str, str], field: Field[Any, Any]) -> Expression:
    """The recipient's text: a constant when every language has the same, else a CASE on the
    user's `language` (empty or unknown: the site's default)."""
    default = texts[settings.LANGUAGE_CODE]
    others = {code: text for code, text in texts.items() if text != default}
    if not others:
        return Value(default, output_field=field)
    return Case(
        *(When(language=code, then=Value(text)) for code, text in others.items()),
        default=Value(default),
        output_field=field,
    )


def _insert_one_each(
    *,
    people: QuerySet[User],
    template: Notification,
    title: Expression | None = None,
    body: Expression | None = None,
) -> list[Notification]:
    """Insert a copy of `template` for each user of `people` in ONE statement; return them.

    An INSERT ... SELECT ... RETURNING (PostgreSQL, SQLite 3.35+): the database copies the rows,
    so a fan-out to 1,000 people costs one statement and no per-row work in Python beyond
    building the returned instances. The SELECT is the ORM's own (quoted and parameterized).
    `title` and `body`, when given, are expressions on the recipient's row (their language).
    """
    opts = Notification._meta
    values: dict[str, Any] = {
        "recipient": F("pk"),
        "actor": Value(template.actor_id, output_field=BigIntegerField()),
        "course": Value(template.course_id, output_field=BigIntegerField()),
        "kind": Value(template.kind, output_field=CharField()),
        "title": title if title is not None else Value(template.title, output_field=CharField()),
        "body": body if body is not None else Value(template.body, output_field=TextField()),
        "url": Value(template.url, output_field=CharField()),
        "created_at": Value(template.created_at, output_field=DateTimeField()),
    }
    aliases = {f"notification_{name}": expression for name, expression in values.items()}
    alias = router.db_for_write(Notification)
    connection = connections[alias]
    select = people.annotate(**aliases).values_list(*aliases)
    select_sql, params = select.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    column = {field.name: field.column for field in opts.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in values)
    returned = ("id", "recipient", "title", "body")
    returning = ", ".join(quote(column[name]) for name in returned)
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) {select_sql} RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = sorted(cursor.fetchall(), key=lambda row: row[1])
    attnames = [field.attname for field in opts.concrete_fields]
    base = {name: getattr(template, name) for name in attnames}
    return [
        Notification.from_db(
            alias,
            attnames,
            [
                {**base, "id": pk, "recipient_id": rid, "title": text, "body": more}[name]
                for name in attnames
            ],
        )
        for pk, rid, text, more in inserted
    ]


def _queue_immediate_emails(notification_ids: list[int]) -> None:
    from .tasks import notifications_email_immediate

    notifications_email_immediate.delay(notification_ids=notification_ids)


PUSH_CONCURRENCY = 16  # group sends in flight at once: well under the layer's connection pool


def notifications_push(*, notifications: list[Notification]) -> None:
    """Send each notification to its recipient's open tabs through the channel layer.

    Only recipients with a notifications socket open (presence.online_user_ids: one Redis round
    trip for the whole batch) get a push: a fan-out to a course of 1,000 costs the caller's
    request one lookup plus a send per *online* recipient, not per recipient. The sends run
    PUSH_CONCURRENCY at a time in one event-loop hop (all at once would open a Redis connection
    each on big fan-outs).
    """
    layer = get_channel_layer()
    if layer is None or not notifications:
        return
    online = presence.online_user_ids({n.recipient_id for n in notifications})
    notifications = [n for n in notifications if n.recipient_id in online]
    if not notifications:
        return
    unread = notification_unread_counts(user_ids=online)
    events = [
        (
            user_group_name(n.recipient_id),
            {
                "type": EVENT_CREATED,
                "notification": notification_payload(n),
                "unread": unread.get(n.recipient_id, 0),
            },
        )
        for n in notifications
    ]

    async def send_all() -> None:
        slots = asyncio.Semaphore(PUSH_CONCURRENCY)

        async def send(group: str, event: dict[str, Any]) -> None:
            async with slots:
                await layer.group_send(group, event)

        await asyncio.gather(*(send(group, event) for group, event in events))

    async_to_sync(send_all)()


def _push_unread(*, user: User) -> None:
    from .selectors import notification_unread_count

    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(
        user_group_name(user.pk),
        {"type": EVENT_READ, "unread": notification_unread_count(user=user)},
    )


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read; the recipient's other tabs update their badge on commit."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        user = notification.recipient
        transaction.on_commit(lambda: _push_unread(user=user), robust=True)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; return how many changed."""
    changed = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        transaction.on_commit(lambda: _push_unread(user=user), robust=True)
    return changed


def _send(*, user: User, subject: Text, template: str, notifications: list[Notification]) -> None:
    context = {
        "user": user,
        "notifications": notifications,
        "site_url": settings.CLASSMEET_SITE_URL,
    }
    # In the recipient's language and zone (the site's default when they chose none).
    with recipient_locale(user):
        message = render_to_string(template, context)
        subject = subject if isinstance(subject, str) else subject()
    send_mail(
        # A header is one line: a title stored with a line break would raise BadHeaderError.
        subject=" ".join(subject.split()),
        message=message,
        from_email=None,
        recipient_list=[user.email],
    )


def notifications_email_immediate_send(*, notification_ids: list[int]) -> int:
    """E-mail each given notification to its recipient if they still want immediate e-mails.

    Each notification is e-mailed at most once (emailed_at). Return how many were sent.
    """
    pending = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .filter(recipient__email_notifications=User.EmailPreference.IMMEDIATE)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    sent = 0
    for notification in pending:
        _send(
            user=notification.recipient,
            subject=notification.title,
            template="notifications/email/immediate.txt",
            notifications=[notification],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def _digest_subject(count: int) -> str:
    return ngettext(
        "Your Classmeet digest: %(count)d new notification",
        "Your Classmeet digest: %(count)d new notifications",
        count,
    ) % {"count": count}


def notifications_email_digest_send(*, now: datetime | None = None) -> int:
    """Send one digest e-mail per daily-digest user with notifications not yet e-mailed.

    Only unread notifications go in; all of that user's pending ones are then marked e-mailed.
    Return the number of e-mails sent.
    """
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__lte=now,
            recipient__email_notifications=User.EmailPreference.DAILY,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.recipient_id, []).append(notification)
    for items in by_user.values():
        user = items[0].recipient
        _send(
            user=user,
            subject=functools.partial(_digest_subject, len(items)),
            template="notifications/email/digest.txt",
            notifications=items,
        )
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
    return len(by_user)
