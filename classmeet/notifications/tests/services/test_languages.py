"""Notifications and their e-mails in each recipient's language (their profile's, else the
site's), in one fan-out."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from classmeet.accounts.models import User
from classmeet.accounts.tests.factories import StudentFactory
from classmeet.courses.tests.factories import EnrollmentFactory
from classmeet.notifications.models import Notification
from classmeet.notifications.services import (
    notifications_create,
    notifications_email_digest_send,
)

pytestmark = pytest.mark.django_db

FRENCH = {
    "Hello %(name)s,": "Bonjour %(name)s,",
    (
        "Your Classmeet digest: %(count)d new notification",
        "Your Classmeet digest: %(count)d new notifications",
    ): (
        "Votre résumé Classmeet : %(count)d nouvelle notification",
        "Votre résumé Classmeet : %(count)d nouvelles notifications",
    ),
}


@pytest.fixture
def people(course, enrollment, student):
    """The student reads French; a classmate chose no language (the site's: English)."""
    student.language = "fr"
    student.email_notifications = User.EmailPreference.IMMEDIATE
    student.save(update_fields=["language", "email_notifications"])
    classmate = StudentFactory.create(
        username="classmate", first_name="Cleo", email_notifications=User.EmailPreference.IMMEDIATE
    )
    EnrollmentFactory.create(course=course, student=classmate)
    return student, classmate


def _month() -> str:
    # Django's own catalogs translate the month names: "décembre" in French.
    return gettext("December")


def test_each_recipient_gets_the_text_in_their_language_in_one_insert(people, course):
    student, classmate = people
    with CaptureQueriesContext(connection) as queries:
        created = notifications_create(
            recipient_ids=[student.pk, classmate.pk],
            kind=Notification.Kind.MEETING_SCHEDULED,
            title=_month,
            body=lambda: gettext("Monday"),
            course=course,
        )
    assert [q["sql"].startswith("INSERT") for q in queries.captured_queries].count(True) == 1
    texts = {n.recipient_id: (n.title, n.body) for n in created}  # as pushed to open tabs
    assert texts == {student.pk: ("décembre", "lundi"), classmate.pk: ("December", "Monday")}
    stored = dict(Notification.objects.values_list("recipient_id", "title"))
    assert stored == {student.pk: "décembre", classmate.pk: "December"}


def test_a_plain_string_is_the_same_for_everybody(people, course):
    student, classmate = people
    notifications_create(
        recipient_ids=[student.pk, classmate.pk], kind="upvote", title="Waves", course=course
    )
    assert set(Notification.objects.values_list("title", flat=True)) == {"Waves"}


def test_immediate_emails_go_out_in_each_recipients_language(
    people, course, test_catalog, django_capture_on_commit_callbacks
):
    test_catalog("fr", FRENCH)
    student, classmate = people
    with django_capture_on_commit_callbacks(execute=True):
        notifications_create(
            recipient_ids=[student.pk, classmate.pk], kind="upvote", title=_month, course=course
        )
    emails = {m.to[0]: m for m in mail.outbox}
    french, english = emails[student.email], emails[classmate.email]
    assert (french.subject, english.subject) == ("décembre", "December")
    assert french.body.startswith("Bonjour Sam Study,")
    assert english.body.startswith("Hello Cleo ")


def test_the_digest_goes_out_in_each_recipients_language_and_zone(people, course, test_catalog):
    test_catalog("fr", FRENCH)
    student, classmate = people
    User.objects.filter(pk__in=[student.pk, classmate.pk]).update(
        email_notifications=User.EmailPreference.DAILY
    )
    User.objects.filter(pk=student.pk).update(timezone="Europe/Paris")
    notifications_create(
        recipient_ids=[student.pk, classmate.pk], kind="upvote", title=_month, course=course
    )
    Notification.objects.update(created_at=datetime(2030, 1, 15, 20, 56, tzinfo=UTC))
    assert notifications_email_digest_send(now=timezone.now() + timedelta(days=3650)) == 2
    emails = {m.to[0]: m for m in mail.outbox}
    french, english = emails[student.email], emails[classmate.email]
    assert french.subject == "Votre résumé Classmeet : 1 nouvelle notification"
    assert english.subject == "Your Classmeet digest: 1 new notification"
    assert "- décembre (15 janvier 2030 21:56 CET)" in french.body
    assert french.body.startswith("Bonjour ")
    assert "- December (Jan 15, 2030 20:56 UTC)" in english.body
