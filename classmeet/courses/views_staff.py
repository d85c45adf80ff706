"""HTML views of a course's staff: the owner adds and removes assistants; assistants read.

Each view parses input, asks classmeet.access, and calls one service or selector.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.courses import selectors, services
from classmeet.courses.forms import AddAssistantForm
from classmeet.courses.models import Course


def _staff_url(course: Course) -> str:
    return reverse("courses:staff", kwargs={"course_id": course.pk})


def _staff_page(
    request: HttpRequest, course: Course, form: AddAssistantForm | None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    can_manage_staff = access.courses.can_manage_staff(user=user, course=course)
    context = {
        "course": course,
        "assistants": list(selectors.assistant_list(course=course)),
        "can_manage_staff": can_manage_staff,
        "form": form if form is not None else AddAssistantForm(course=course),
    }
    return render(request, "courses/staff.html", context, status=status)


@login_required
@require_GET
def staff_list(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's teacher and assistants: a form to add and remove for the owner, read-only
    for assistants; 403 to students, 404 to outsiders."""
    user = request_user(request)
    course = access.courses.access_course(user=user, course_id=course_id)
    if not access.courses.can_view_staff(user=user, course=course):
        raise PermissionDenied
    return _staff_page(request, course, None)


@login_required
@require_POST
def assistant_add(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.courses.access_course_for_owner(user=user, course_id=course_id)
    form = AddAssistantForm(request.POST, course=course)
    if not form.is_valid():
        return _staff_page(request, course, form, status=400)
    assert form.user is not None  # noqa: S101  (set by clean_identifier)
    try:
        services.assistant_add(course=course, user=form.user, added_by=user)
    except ValidationError as error:
        # Lost a race with another add of the same person: the form says so.
        form.add_error("identifier", error)
        return _staff_page(request, course, form, status=400)
    messages.success(request, _("%(name)s is now an assistant.") % {"name": form.user.display_name})
    return redirect(_staff_url(course))


@login_required
@require_http_methods(["GET", "POST"])
def assistant_remove(request: HttpRequest, course_id: int, user_id: int) -> HttpResponse:
    """Ask to confirm (GET), then remove the assistant (POST)."""
    user = request_user(request)
    course = access.courses.access_course_for_owner(user=user, course_id=course_id)
    assistant = selectors.assistant_get(course=course, user_id=user_id)
    if assistant is None:
        raise Http404
    if request.method == "POST":
        name = assistant.user.display_name
        services.assistant_remove(assistant=assistant, removed_by=user)
        messages.success(request, _("%(name)s is no longer an assistant.") % {"name": name})
        return redirect(_staff_url(course))
    return render(
        request, "courses/assistant_confirm_remove.html", {"course": course, "assistant": assistant}
    )
