"""Grading an assignment: the "to grade" queue, one student's work with the grade form, releasing
the grades, the class average switch, and the returned file.

Each view parses input, asks classmeet.access, and calls one service or selector.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.core.links import id_url_for
from classmeet.courses.uploads import (
    SizeLimitUploadHandler,
    content_disposition,
    size_limit_install,
    too_large_message,
)
from classmeet.discussions.rendering import render_markdown

from ..forms_grading import GradeForm
from ..models import Assignment
from ..selectors import grading as selectors
from ..selectors.grading import StudentWork
from ..services import grades as services


def _queue_url(assignment: Assignment) -> str:
    return reverse("coursework:grading-queue", kwargs={"assignment_id": assignment.pk})


def _work_url(assignment: Assignment, student_id: int) -> str:
    return reverse(
        "coursework:grade-submission",
        kwargs={"assignment_id": assignment.pk, "student_id": student_id},
    )


@login_required
@require_GET
def grading_queue(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Everybody the assignment is for, with the submitted / late / missing / graded counts."""
    assignment = access.coursework.access_assignment_for_staff(
        user=request_user(request), assignment_id=assignment_id
    )
    return render(
        request,
        "coursework/grading_queue.html",
        {
            "assignment": assignment,
            "course": assignment.course,
            "item": assignment.grade_item,
            "queue": selectors.grading_queue(assignment=assignment),
        },
    )


@login_required
@require_POST
def grade_release(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = request_user(request)
    assignment = access.coursework.access_assignment_for_staff(
        user=user, assignment_id=assignment_id
    )
    if assignment.grade_item.is_released():
        messages.info(request, _("The grades were released already."))
    else:
        services.grade_release(item=assignment.grade_item, by=user)
        messages.success(request, _("Grades released: students see them now."))
    return redirect(_queue_url(assignment))


@login_required
@require_POST
def grade_class_average(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Show students the class average of this assignment, or stop (`show` = "1" or absent)."""
    assignment = access.coursework.access_assignment_for_staff(
        user=request_user(request), assignment_id=assignment_id
    )
    show = request.POST.get("show") == "1"
    services.grade_item_class_average_set(item=assignment.grade_item, show=show)
    if show:
        messages.success(request, _("Students see the class average next to their grade."))
    else:
        messages.success(request, _("Students no longer see the class average."))
    return redirect(_queue_url(assignment))


@csrf_exempt  # checked by _grade_submission, once the size-limit handler is in place
@login_required
@require_http_methods(["GET", "POST"])
def grade_submission(request: HttpRequest, assignment_id: int, student_id: int) -> HttpResponse:
    """One student's attempts and the grade form. An oversized returned file is dropped while it
    arrives, as a material's is."""
    # Access is checked before the body is read: nobody else's upload is even parsed.
    assignment = access.coursework.access_assignment_for_staff(
        user=request_user(request), assignment_id=assignment_id
    )
    limiter = size_limit_install(request) if request.method == "POST" else None
    return _grade_submission(request, assignment, student_id, limiter)


@csrf_protect
def _grade_submission(
    request: HttpRequest,
    assignment: Assignment,
    student_id: int,
    limiter: SizeLimitUploadHandler | None,
) -> HttpResponse:
    user = request_user(request)
    work = selectors.student_work_get(assignment=assignment, student_id=student_id)
    if work is None:
        raise Http404
    item = assignment.grade_item
    if request.method == "POST":
        form = GradeForm(request.POST, request.FILES, item=item)
        if form.is_valid():
            try:
                services.submission_grade(
                    assignment=assignment,
                    student=work.student,
                    points=form.cleaned_data.get("points"),
                    feedback=form.cleaned_data["feedback"],
                    by=user,
                    returned_file=form.cleaned_data["returned_file"] or None,
                    returned_name=form.returned_name,
                    returned_kind=form.returned_kind,
                    remove_returned=form.cleaned_data["remove_returned"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Grade saved for %(name)s.") % {"name": work.student.display_name},
                )
                if work.next_id is not None and "save_next" in request.POST:
                    return redirect(_work_url(assignment, work.next_id))
                return redirect(_work_url(assignment, work.student.pk))
        if limiter is not None and limiter.too_large:
            form.errors[limiter.too_large] = form.error_class([too_large_message()])
        return _work_page(request, assignment, work, form, status=400)
    grade = work.grade
    form = GradeForm(
        item=item,
        initial={
            "points": grade.entered_points if grade is not None else None,
            "feedback": grade.feedback if grade is not None else "",
        },
    )
    return _work_page(request, assignment, work, form)


def _add_errors(form: GradeForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _work_page(
    request: HttpRequest,
    assignment: Assignment,
    work: StudentWork,
    form: GradeForm,
    status: int = 200,
) -> HttpResponse:
    latest = work.latest_attempt
    days_late = latest.days_late if latest is not None else 0
    grade = work.grade
    file_url = id_url_for("coursework:submission-file-download", "file_id")
    context = {
        "assignment": assignment,
        "course": assignment.course,
        "item": assignment.grade_item,
        "work": work,
        "attempts": [
            (
                attempt,
                render_markdown(attempt.text) if attempt.text else "",
                [(f, file_url(f.pk)) for f in attempt.files.all()],
            )
            for attempt in reversed(work.attempts)
        ],
        "feedback_html": render_markdown(grade.feedback) if grade and grade.feedback else "",
        "days_late": days_late,
        "penalty": services.late_penalty_percent(assignment=assignment, days_late=days_late),
        "form": form,
        "material_max_bytes": settings.CLASSMEET_MATERIAL_MAX_BYTES,
        "previous_url": _work_url(assignment, work.previous_id) if work.previous_id else "",
        "next_url": _work_url(assignment, work.next_id) if work.next_id else "",
    }
    return render(request, "coursework/grading_submission.html", context, status=status)


@login_required
@require_GET
def grade_returned_file(
    request: HttpRequest, assignment_id: int, student_id: int
) -> HttpResponseBase:
    """The grader's returned copy, to staff and to its student once the grades are released;
    anybody else gets 404, as for a missing file."""
    user = request_user(request)
    assignment = access.coursework.access_assignment(user=user, assignment_id=assignment_id)
    submission = selectors.submission_for_student(assignment=assignment, student_id=student_id)
    if (
        submission is None
        or not submission.returned_file
        or not access.coursework.can_download_returned_file(
            user=user, submission=submission, assignment=assignment
        )
    ):
        raise Http404
    try:
        handle = submission.returned_file.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=submission.returned_content_type)
    response["Content-Disposition"] = content_disposition(submission.returned_name or "returned")
    response["Cache-Control"] = "private, no-store"
    return response
