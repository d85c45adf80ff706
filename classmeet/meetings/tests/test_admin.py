import pytest
from django.urls import reverse

from classmeet.meetings.models import MeetingReminder

pytestmark = pytest.mark.django_db


def test_admin_lists_and_opens_meetings_with_their_reminders(client, staff, live_meeting):
    reminder = MeetingReminder.objects.create(
        meeting=live_meeting, offset_seconds=900, starts_at=live_meeting.starts_at, recipients=3
    )
    client.force_login(staff)
    assert client.get(reverse("admin:meetings_meeting_changelist")).status_code == 200
    page = client.get(reverse("admin:meetings_meeting_change", args=[live_meeting.pk]))
    assert page.status_code == 200
    assert "900" in page.content.decode()
    assert client.get(reverse("admin:meetings_meetingreminder_changelist")).status_code == 200
    page = client.get(reverse("admin:meetings_meetingreminder_change", args=[reminder.pk]))
    assert page.status_code == 200
