"""The "To do" page: what a student still has to hand in, and what a grader has to grade."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from classmeet.accounts.selectors import request_user

from ..selectors.todo import grading_list, todo_list


@login_required
@require_GET
def todo_page(request: HttpRequest) -> HttpResponse:
    """Everybody's own list: nothing to ask of access (a user sees only their own courses)."""
    user = request_user(request)
    return render(
        request,
        "coursework/todo.html",
        {"nav": "todo", "items": todo_list(user=user), "grading": grading_list(user=user)},
    )
