"""Assignment pages: a course's list, the create/edit form, publish and delete, the detail page
with its submit form, and the file downloads. Thin: access, one service or selector.

Uploads (attachments, submitted files) go through the materials' checks and size limit: the
limit is installed before the body is read, and access is checked before that, so nobody
else's upload is even parsed. The upload script (courses/js/upload.js) posts the same forms
and gets JSON back.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classmeet import access
from classmeet.accounts.models import User
from classmeet.accounts.selectors import request_user
from classmeet.core.times import zone_named
from classmeet.courses.models import Course
from classmeet.courses.uploads import (
    SizeLimitUploadHandler,
    content_disposition,
    size_limit_install,
    too_large_message,
)
from classmeet.discussions.rendering import render_markdown
from classmeet.meetings.views import in_browser_zone

from ..forms_assignments import AssignmentForm, SubmissionForm
from ..models import Assignment
from ..selectors import assignments as selectors
from ..services import assignments as services


def _list_url(course: Course) -> str:
    return reverse("coursework:assignment-list", kwargs={"course_id": course.pk})


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _apply_errors(
    form: Form, error: ValidationError, renamed: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: under its field, else above the form."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            field = (renamed or {}).get(key, key)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _refused(
    request: HttpRequest, form: Form, limiter: SizeLimitUploadHandler
) -> JsonResponse | None:
    """Name the file the size limit dropped; the JSON answer of the upload script, if it asked."""
    if limiter.too_large:
        form.errors[limiter.too_large] = form.error_class([too_large_message()])
    if _wants_json(request):
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    return None


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": True, "redirect": url})
    return redirect(url)


# The list -------------------------------------------------------------------------------------


@login_required
@require_GET
def assignment_list(request: HttpRequest, course_id: int) -> HttpResponse:
    """Staff see every assignment with drafts and counts; students what is assigned to them."""
    user = request_user(request)
    course = access.courses.access_course(user=user, course_id=course_id)
    can_manage = access.coursework.can_manage_coursework(user=user, course=course)
    context: dict[str, Any] = {"course": course, "can_manage": can_manage}
    if can_manage:
        context["staff_rows"] = selectors.assignment_list_for_staff(course=course)
    else:
        context["student_rows"] = selectors.assignment_list_for_student(
            course=course, student_id=user.pk
        )
    return render(request, "coursework/assignment_list.html", context)


# Create and edit ------------------------------------------------------------------------------


@csrf_exempt  # checked by _assignment_form, once the size-limit handler is in place
@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, course_id: int) -> HttpResponse:
    """A new assignment, its due date read in the viewer's zone (or their browser's)."""
    # Coursework is the course's staff's to manage (access.coursework.can_manage_coursework).
    course = access.courses.access_course_for_manage(
        user=request_user(request), course_id=course_id
    )
    limiter = size_limit_install(request)
    return in_browser_zone(_assignment_form)(request, course, None, limiter)


@csrf_exempt  # checked by _assignment_form, once the size-limit handler is in place
@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Edit in the zone the due date was set in (shown on the page), whoever edits."""
    assignment = access.coursework.access_assignment_for_staff(
        user=request_user(request), assignment_id=assignment_id
    )
    limiter = size_limit_install(request)
    zone = zone_named(assignment.due_zone) or timezone.get_default_timezone()
    with timezone.override(zone):
        return _assignment_form(request, assignment.course, assignment, limiter)


@csrf_protect
def _assignment_form(
    request: HttpRequest,
    course: Course,
    assignment: Assignment | None,
    limiter: SizeLimitUploadHandler,
) -> HttpResponse:
    """Show the create or edit form; save it on POST (times in the active zone)."""
    form = AssignmentForm(
        request.POST or None, request.FILES or None, course=course, assignment=assignment
    )
    if request.method == "POST":
        # A file the size limit dropped is an error, even where files are optional.
        if form.is_valid() and not limiter.too_large:
            try:
                if assignment is None:
                    saved = services.assignment_create(
                        course=course,
                        by=request_user(request),
                        due_zone=timezone.get_current_timezone_name(),
                        **form.assignment_fields(),
                    )
                    done = _("Assignment saved as a draft. Publish it when it is ready.")
                else:
                    saved = services.assignment_update(
                        assignment=assignment,
                        due_zone=assignment.due_zone,
                        **form.assignment_fields(),
                    )
                    done = _("Assignment saved.")
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, done)
                return _done(request, saved.get_absolute_url())
        refused = _refused(request, form, limiter)
        if refused is not None:
            return refused
    return render(
        request,
        "coursework/assignment_form.html",
        {
            "form": form,
            "course": course,
            "assignment": assignment,
            "attachments": selectors.attachment_list(assignment=assignment) if assignment else [],
            "material_max_bytes": settings.CLASSMEET_MATERIAL_MAX_BYTES,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def assignment_publish(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = request_user(request)
    assignment = access.coursework.access_assignment_for_staff(
        user=user, assignment_id=assignment_id
    )
    if services.assignment_publish(assignment=assignment, by=user):
        messages.success(request, _("Assignment published. Its students were notified."))
    else:
        messages.info(request, _("This assignment was published already."))
    return redirect(assignment)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_delete(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.coursework.access_assignment_for_staff(
        user=request_user(request), assignment_id=assignment_id
    )
    course = assignment.course
    if request.method == "POST":
        services.assignment_delete(assignment=assignment)
        messages.success(request, _("“%(title)s” deleted.") % {"title": assignment.title})
        return redirect(_list_url(course))
    return render(
        request,
        "coursework/assignment_confirm_delete.html",
        {
            "course": course,
            "assignment": assignment,
            "row": selectors.assignment_row_for_staff(assignment=assignment),
        },
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = access.coursework.access_attachment_for_staff(
        user=request_user(request), attachment_id=attachment_id
    )
    services.assignment_attachment_delete(attachment=attachment)
    messages.success(request, _("“%(name)s” removed.") % {"name": attachment.original_name})
    return redirect("coursework:assignment-edit", assignment_id=attachment.assignment_id)


# The detail page and submitting ---------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    assignment: Assignment,
    *,
    form: SubmissionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    can_manage = access.coursework.can_manage_coursework(user=user, course=assignment.course)
    context: dict[str, Any] = {
        "course": assignment.course,
        "assignment": assignment,
        "can_manage": can_manage,
        "instructions": render_markdown(assignment.instructions),
        "attachments": selectors.attachment_list(assignment=assignment),
    }
    if can_manage:
        context["staff_row"] = selectors.assignment_row_for_staff(assignment=assignment)
    else:
        context["row"] = selectors.assignment_row_for_student(
            assignment=assignment, student_id=user.pk
        )
        context["submission"] = selectors.submission_for_student(
            assignment=assignment, student_id=user.pk
        )
        context["grade"] = selectors.grade_released_for_student(
            assignment=assignment, student_id=user.pk
        )
        # The form while the assignment takes work (closed: only the attempts show), or the
        # refused one with its errors.
        if access.coursework.can_submit(user=user, assignment=assignment) and (
            form is not None or assignment.accepts_submissions()
        ):
            if form is None:
                form = SubmissionForm(
                    initial={"client_token": uuid.uuid4().hex}, assignment=assignment
                )
            context["form"] = form
            context["material_max_bytes"] = settings.CLASSMEET_MATERIAL_MAX_BYTES
    if context.get("grade") is not None:
        context["feedback"] = render_markdown(context["grade"].feedback)
    return render(request, "coursework/assignment_detail.html", context, status=status)


@login_required
@require_GET
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.coursework.access_assignment(
        user=request_user(request), assignment_id=assignment_id
    )
    return _detail_page(request, assignment)


@csrf_exempt  # checked by _assignment_submit, once the size-limit handler is in place
@login_required
@require_POST
def assignment_submit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Hand in an attempt (students it is assigned to). Refusals show on the detail page."""
    user = request_user(request)
    assignment = access.coursework.access_assignment(user=user, assignment_id=assignment_id)
    if not access.coursework.can_submit(user=user, assignment=assignment):
        raise PermissionDenied
    return _assignment_submit(request, assignment, size_limit_install(request))


@csrf_protect
def _assignment_submit(
    request: HttpRequest, assignment: Assignment, limiter: SizeLimitUploadHandler
) -> HttpResponse:
    user: User = request_user(request)
    form = SubmissionForm(request.POST, request.FILES, assignment=assignment)
    if form.is_valid() and not limiter.too_large:
        try:
            submitted = services.submission_create(
                assignment=assignment, student=user, **form.submission_fields()
            )
        except ValidationError as error:
            _apply_errors(form, error, {"files": "uploads"})
        else:
            if submitted.created:
                messages.success(request, _("Submitted. Your teacher can see it now."))
            else:
                messages.info(request, _("This was submitted already; nothing was added."))
            return _done(request, f"{assignment.get_absolute_url()}#submission")
    refused = _refused(request, form, limiter)
    if refused is not None:
        return refused
    return _detail_page(request, assignment, form=form, status=400)


# Downloads ------------------------------------------------------------------------------------


def _file_response(field: Any, name: str, content_type: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    attachment = access.coursework.access_attachment(
        user=request_user(request), attachment_id=attachment_id
    )
    return _file_response(attachment.file, attachment.original_name, attachment.content_type)


@login_required
@require_GET
def submission_file_download(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """A submitted file, for the course's staff and the student who handed it in."""
    found = access.coursework.access_submission_file(user=request_user(request), file_id=file_id)
    return _file_response(found.file, found.original_name, found.content_type)
