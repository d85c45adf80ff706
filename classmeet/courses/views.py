"""HTML views of courses, enrollment and materials.

Each view parses input, asks classmeet.access, and calls one service or selector.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.core.batch import plan_page_reads
from classmeet.courses import selectors, services
from classmeet.courses.forms import AddStudentForm, CourseForm, JoinCodeForm, MaterialForm
from classmeet.courses.models import Course
from classmeet.courses.sections import course_section_result, course_sections_plan
from classmeet.courses.uploads import (
    THUMBNAIL_CONTENT_TYPES,
    SizeLimitUploadHandler,
    content_disposition,
    extension_of,
    size_limit_install,
    too_large_message,
)

PLACEHOLDER_COLOURS = (
    "#0d6efd",
    "#6610f2",
    "#6f42c1",
    "#d63384",
    "#dc3545",
    "#fd7e14",
    "#198754",
    "#20c997",
    "#0dcaf0",
    "#495057",
)


def _course_url(course: Course, section: str = "") -> str:
    url = reverse("courses:course-detail", kwargs={"course_id": course.pk})
    return f"{url}#{section}" if section else url


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


# Courses ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not access.courses.can_create_course(user=user):
        raise PermissionDenied
    form = CourseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        course = services.course_create(
            teacher=user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            thumbnail=form.new_thumbnail,
        )
        messages.success(request, _("Course created. Share its join code with your students."))
        return redirect(course)
    return render(request, "courses/course_form.html", {"form": form, "course": None})


@login_required
@require_GET
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.courses.access_course(user=user, course_id=course_id)
    can_manage = access.courses.can_manage_course(user=user, course=course)
    context: dict[str, Any] = {
        "course": course,
        "can_manage": can_manage,
        "can_delete": access.courses.can_delete_course(user=user, course=course),
    }
    # Every section's rows (and the staff's roster, and the navbar's unread count) in one round
    # trip on PostgreSQL, before the template asks for them.
    also = plan_page_reads(request)
    if can_manage:
        also["roster"] = selectors.enrollment_list_plan(course=course)
    course_sections_plan(course=course, user=user, also=also)
    context["materials"] = course_section_result(course=course, user=user, name="materials")
    if can_manage:
        context["roster"] = course_section_result(course=course, user=user, name="roster")
        context["add_student_form"] = AddStudentForm(course=course)
        context["material_form"] = MaterialForm()
        context["material_max_bytes"] = settings.CLASSMEET_MATERIAL_MAX_BYTES
        context["invite_url"] = request.build_absolute_uri(
            reverse("courses:course-invite", kwargs={"token": course.invite_token})
        )
    return render(request, "courses/course_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.courses.access_course_for_manage(
        user=request_user(request), course_id=course_id
    )
    form = CourseForm(request.POST or None, request.FILES or None, course=course)
    if request.method == "POST" and form.is_valid():
        services.course_update(
            course=course,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            thumbnail=form.new_thumbnail,
            clear_thumbnail=form.cleaned_data["thumbnail"] is False,
        )
        messages.success(request, _("Course saved."))
        return redirect(course)
    return render(request, "courses/course_form.html", {"form": form, "course": course})


@login_required
@require_http_methods(["GET", "POST"])
def course_delete(request: HttpRequest, course_id: int) -> HttpResponse:
    # Owner only: deleting takes the assistants' work with it.
    course = access.courses.access_course_for_owner(user=request_user(request), course_id=course_id)
    if request.method == "POST":
        title = course.title
        services.course_delete(course=course)
        messages.success(request, _("Course “%(title)s” deleted.") % {"title": title})
        return redirect("dashboard:dashboard")
    return render(request, "courses/course_confirm_delete.html", {"course": course})


@login_required
@require_GET
def course_thumbnail(request: HttpRequest, course_id: int) -> HttpResponseBase:
    """Serve the course's private picture, or a generated one with its initials."""
    course = access.courses.access_course(user=request_user(request), course_id=course_id)
    if course.thumbnail:
        extension = extension_of(course.thumbnail.name)
        try:
            handle = course.thumbnail.open("rb")
        except OSError:
            handle = None
        if handle is not None and extension in THUMBNAIL_CONTENT_TYPES:
            response: HttpResponseBase = FileResponse(
                handle, content_type=THUMBNAIL_CONTENT_TYPES[extension]
            )
            response["Cache-Control"] = "private, max-age=3600"
            return response
    words = [w for w in course.title.split() if w[:1].isalnum()]
    initials = "".join(w[0] for w in words[:2]).upper() or "?"
    svg = render_to_string(
        "courses/placeholder.svg",
        {"initials": initials, "colour": PLACEHOLDER_COLOURS[course.pk % len(PLACEHOLDER_COLOURS)]},
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


# Enrollment ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def course_join(request: HttpRequest) -> HttpResponse:
    """Enroll the signed-in student in the course whose join code they typed."""
    user = request_user(request)
    if not user.is_student:
        raise PermissionDenied
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.course is not None  # noqa: S101  (set by clean_code)
        course = form.course
        if access.courses.can_view_course(user=user, course=course):
            messages.info(request, _("You are already in %(course)s.") % {"course": course.title})
            return redirect(course)
        services.enrollment_create(course=course, student=user)
        messages.success(request, _("Welcome to %(course)s!") % {"course": course.title})
        return redirect(course)
    status = 400 if request.method == "POST" else 200
    return render(request, "courses/course_join.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def course_invite(request: HttpRequest, token: str) -> HttpResponse:
    """Show the course an invite link leads to; enroll the student on POST."""
    user = request_user(request)
    course = selectors.course_get_by_invite_token(token=token)
    if course is None or not course.joining_enabled:
        return render(request, "courses/invite_invalid.html", status=404)
    already = access.courses.can_view_course(user=user, course=course)
    if request.method == "POST":
        if already:
            return redirect(course)
        if not access.courses.can_enroll(user=user, course=course):
            raise PermissionDenied
        services.enrollment_create(course=course, student=user)
        messages.success(request, _("Welcome to %(course)s!") % {"course": course.title})
        return redirect(course)
    return render(
        request,
        "courses/invite_confirm.html",
        {
            "course": course,
            "token": token,
            "already": already,
            "can_enroll": access.courses.can_enroll(user=user, course=course),
        },
    )


@login_required
@require_POST
def course_regenerate_code(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.courses.access_course_for_manage(
        user=request_user(request), course_id=course_id
    )
    services.course_regenerate_join_code(course=course)
    messages.success(
        request,
        _("New join code: %(code)s. The old one no longer works.") % {"code": course.join_code},
    )
    return redirect(_course_url(course, "enrollment"))


@login_required
@require_POST
def course_regenerate_invite(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.courses.access_course_for_manage(
        user=request_user(request), course_id=course_id
    )
    services.course_regenerate_invite_token(course=course)
    messages.success(request, _("New invite link made. The old link no longer works."))
    return redirect(_course_url(course, "enrollment"))


@login_required
@require_POST
def course_joining(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access.courses.access_course_for_manage(
        user=request_user(request), course_id=course_id
    )
    enabled = request.POST.get("enabled") == "1"
    services.course_set_joining(course=course, enabled=enabled)
    if enabled:
        messages.success(request, _("Students can join with the code or the link again."))
    else:
        messages.success(request, _("Joining is off: the code and the link no longer work."))
    return redirect(_course_url(course, "enrollment"))


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_add(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.courses.access_course_for_manage(user=user, course_id=course_id)
    form = AddStudentForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        assert form.student is not None  # noqa: S101  (set by clean_identifier)
        _enrollment, created = services.enrollment_create(
            course=course, student=form.student, added_by=user
        )
        name = form.student.display_name
        if created:
            messages.success(request, _("%(name)s was added.") % {"name": name})
        else:
            messages.info(request, _("%(name)s is already enrolled.") % {"name": name})
        return redirect(_course_url(course, "roster"))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "courses/enrollment_add.html", {"course": course, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_remove(request: HttpRequest, course_id: int, student_id: int) -> HttpResponse:
    course = access.courses.access_course_for_manage(
        user=request_user(request), course_id=course_id
    )
    enrollment = selectors.enrollment_get(course=course, student_id=student_id)
    if enrollment is None:
        raise Http404
    if request.method == "POST":
        name = enrollment.student.display_name
        services.enrollment_delete(enrollment=enrollment, removed_by=request_user(request))
        messages.success(request, _("%(name)s was removed from the course.") % {"name": name})
        return redirect(_course_url(course, "roster"))
    return render(
        request,
        "courses/enrollment_confirm_remove.html",
        {"course": course, "enrollment": enrollment},
    )


# Materials ----------------------------------------------------------------------------------


@csrf_exempt  # checked by _material_create, once the size-limit handler is in place
@login_required
@require_http_methods(["GET", "POST"])
def material_create(request: HttpRequest, course_id: int) -> HttpResponse:
    """Upload a material. The upload script posts here too and gets JSON back.

    An oversized file is dropped while it arrives instead of being stored first.
    """
    # Access is checked before the body is read: nobody else's upload is even parsed.
    course = access.courses.access_course_for_manage(
        user=request_user(request), course_id=course_id
    )
    return _material_create(request, course, size_limit_install(request))


@csrf_protect
def _material_create(
    request: HttpRequest, course: Course, limiter: SizeLimitUploadHandler
) -> HttpResponse:
    user = request_user(request)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            assert form.kind is not None  # noqa: S101  (set by clean_file)
            material = services.material_create(
                course=course,
                uploaded_by=user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                original_name=form.original_name,
                kind=form.kind,
            )
            messages.success(request, _("“%(title)s” uploaded.") % {"title": material.title})
            url = _course_url(course, "materials")
            if _wants_json(request):
                return JsonResponse({"ok": True, "redirect": url})
            return redirect(url)
        if limiter.too_large:
            form.errors[limiter.too_large] = form.error_class([too_large_message()])
        if _wants_json(request):
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            return JsonResponse({"ok": False, "errors": errors}, status=400)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "courses/material_form.html",
        {
            "course": course,
            "form": form,
            "material_max_bytes": settings.CLASSMEET_MATERIAL_MAX_BYTES,
        },
        status=status,
    )


@login_required
@require_GET
def material_download(request: HttpRequest, course_id: int, material_id: int) -> HttpResponseBase:
    """Stream a material to the course's teacher and students, as an attachment."""
    course = access.courses.access_course(user=request_user(request), course_id=course_id)
    material = selectors.material_get(course=course, material_id=material_id)
    if material is None:
        raise Http404
    try:
        handle = material.file.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=material.content_type)
    response["Content-Disposition"] = content_disposition(material.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def material_delete(request: HttpRequest, course_id: int, material_id: int) -> HttpResponse:
    course = access.courses.access_course_for_manage(
        user=request_user(request), course_id=course_id
    )
    material = selectors.material_get(course=course, material_id=material_id)
    if material is None:
        raise Http404
    if request.method == "POST":
        services.material_delete(material=material)
        messages.success(request, _("“%(title)s” deleted.") % {"title": material.title})
        return redirect(_course_url(course, "materials"))
    return render(
        request, "courses/material_confirm_delete.html", {"course": course, "material": material}
    )
