"""The dashboard: the signed-in user's courses, each with its next meeting and unread count."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from classmeet import access
from classmeet.accounts.models import User
from classmeet.accounts.selectors import request_user
from classmeet.core.reversing import id_url
from classmeet.courses.forms import JoinCodeForm
from classmeet.dashboard.selectors import CourseCard, course_card_list


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "nav": "dashboard",
            "cards": _card_contexts(course_card_list(user=user), user=user),
            "can_create": access.courses.can_create_course(user=user),
            "join_form": JoinCodeForm() if user.is_student else None,
        },
    )


def _card_contexts(cards: list[CourseCard], *, user: User) -> list[dict[str, Any]]:
    """What each card of the template shows, as dicts (the template's cheapest lookup).

    The links are reversed once per page (id_url) and "Prof. …" translated once per teacher:
    a student's 50 cards would otherwise cost a few hundred reverse() and blocktranslate calls.
    """
    course_url = id_url("courses:course-detail", "course_id")
    thumbnail_url = id_url("courses:course-thumbnail", "course_id")
    room_url = id_url("rooms:room", "meeting_id")
    start_url = id_url("meetings:meeting-start-now", "course_id")
    professors: dict[int, str] = {}
    contexts = []
    for card in cards:
        if card.teacher_id not in professors:
            # The template's former {% blocktranslate %}: same message, the name escaped.
            professors[card.teacher_id] = mark_safe(  # noqa: S308 (name escaped)
                gettext("Prof. %(name)s") % {"name": escape(card.teacher_name)}
            )
        meeting = card.next_meeting
        live = meeting is not None and meeting.live
        contexts.append(
            {
                "url": course_url(card.course_id),
                "thumbnail_url": (
                    f"{thumbnail_url(card.course_id)}?v={int(card.updated_at.timestamp())}"
                ),
                "title": card.title,
                "professor": professors[card.teacher_id],
                "unread_count": card.unread_count,
                "meeting": meeting,
                "room_url": room_url(meeting.id) if live and meeting else "",
                "start_url": start_url(card.course_id) if card.teacher_id == user.pk and not live else "",
            }
        )
    return contexts
