"""The dashboard: the signed-in user's courses, each with its next meeting and unread count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.courses.forms import JoinCodeForm
from classmeet.dashboard.selectors import course_card_list


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "nav": "dashboard",
            "cards": course_card_list(user=user),
            "can_create": access.courses.can_create_course(user=user),
            "join_form": JoinCodeForm() if user.is_student else None,
        },
    )
