"""The dashboard: the signed-in user's courses, each with its next meeting and unread count, and
a student's work due soon."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.courses.forms import JoinCodeForm
from classmeet.coursework.selectors.todo import todo_list
from classmeet.dashboard.selectors import course_card_list

# The "Due soon" card: what a student has to hand in within this.
DUE_SOON = timedelta(days=7)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    due_soon = todo_list(user=user, until=timezone.now() + DUE_SOON) if user.is_student else []
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "nav": "dashboard",
            "cards": course_card_list(user=user),
            "can_create": access.courses.can_create_course(user=user),
            "join_form": JoinCodeForm() if user.is_student else None,
            "due_soon": due_soon,
        },
    )
