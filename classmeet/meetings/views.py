"""HTML pages of meetings and the calendar downloads. Thin: access, one service or selector."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classmeet import access
from classmeet.accounts.models import User
from classmeet.accounts.selectors import request_user
from classmeet.core.recipients import recipient_locale
from classmeet.core.times import zone_named
from classmeet.courses.models import Course
from classmeet.courses.selectors import course_list_staffed
from classmeet.meetings.selectors import attendance_report, chat_message_list

from . import selectors
from .forms import MeetingForm, MeetingScheduleForm
from .ics import calendar_build, calendar_entries
from .models import Meeting
from .services import meetings as meeting_services


def _apply_errors(form: MeetingForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def in_browser_zone(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Read and show the form's times in the zone the page sent (meetings/js/zone.js).

    The page sends it when the profile names no zone: then the viewer's zone is the browser's,
    which the server may not know yet on a first visit.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        zone = zone_named(request.POST.get("browser_time_zone", ""))
        chosen = isinstance(request.user, User) and bool(request.user.timezone)
        if request.method != "POST" or zone is None or chosen:
            return view(request, *args, **kwargs)
        with timezone.override(zone):
            return view(request, *args, **kwargs)

    return wrapper


def _form_page(
    request: HttpRequest, *, form: MeetingForm, course: Course, meeting: Meeting | None
) -> HttpResponse:
    """Render the schedule/edit form; 400 when it shows errors."""
    return render(
        request,
        "meetings/meeting_form.html",
        {"nav": "meetings", "form": form, "course": course, "meeting": meeting},
        status=400 if form.errors else 200,
    )


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    raw_page = request.GET.get("upcoming_page", "1")
    if not raw_page.isdigit() or int(raw_page) < 1 or len(raw_page) > 6:
        raise Http404(_("No such page of upcoming meetings."))
    page = int(raw_page)
    size = selectors.UPCOMING_PAGE_SIZE
    groups = selectors.meeting_groups_for_page(
        user=user,
        upcoming_limit=size,
        upcoming_offset=(page - 1) * size,
    )
    own_courses = course_list_staffed(user=user)
    feed_url = (
        request.build_absolute_uri(
            reverse("meetings:calendar-feed", kwargs={"token": user.calendar_token})
        )
        if user.calendar_token
        else ""
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "nav": "meetings",
            "groups": groups,
            "own_courses": own_courses,
            "feed_url": feed_url,
            "upcoming_page": page,
        },
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = request_user(request)
    meeting = access.meetings.access_meeting(user=user, meeting_id=meeting_id)
    can_manage = access.meetings.can_manage_meeting(user=user, meeting=meeting)
    phase = meeting.phase()
    started = phase in (Meeting.Phase.LIVE, Meeting.Phase.ENDED)
    report = None
    if can_manage and started:
        # The room's records: who attended and what was said, for the teacher.
        report = {
            "attendance": attendance_report(meeting=meeting),
            "chat": chat_message_list(meeting_id=meeting.pk, include_deleted=True),
        }
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "row": selectors.MeetingRow(meeting, phase, meeting.is_joinable()),
            "can_manage": can_manage,
            "report": report,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@in_browser_zone
def meeting_schedule(request: HttpRequest, course_id: int) -> HttpResponse:
    user = request_user(request)
    course = access.courses.access_course_for_manage(user=user, course_id=course_id)
    form = MeetingScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meetings = meeting_services.meeting_schedule(
                course=course, created_by=user, weeks=data["weeks"], **form.meeting_fields()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Meeting scheduled."))
            return redirect(meetings[0])
    return _form_page(request, form=form, course=course, meeting=None)


@login_required
@require_POST
def meeting_start_now(request: HttpRequest, course_id: int) -> HttpResponse:
    """Start a class of the course now (or rejoin the open one) and go straight into its room."""
    user = request_user(request)
    course = access.courses.access_course_for_manage(user=user, course_id=course_id)
    try:
        started = meeting_services.meeting_start_now(course=course, created_by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(course)
    return redirect("rooms:room", meeting_id=started.meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
@in_browser_zone
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = request_user(request)
    meeting = access.meetings.access_meeting_for_manage(user=user, meeting_id=meeting_id)
    initial = {
        "title": meeting.title,
        "description": meeting.description,
        "starts_at": timezone.localtime(meeting.starts_at),
        "duration_minutes": meeting.duration_minutes,
        "waiting_room": meeting.waiting_room,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fields = form.meeting_fields()
            # The form has minute precision: an unchanged minute keeps the stored start.
            if fields["starts_at"] == meeting.starts_at.replace(second=0, microsecond=0):
                fields["starts_at"] = meeting.starts_at
            meeting_services.meeting_update(meeting=meeting, actor=user, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Meeting updated."))
            return redirect(meeting)
    return _form_page(request, form=form, course=meeting.course, meeting=meeting)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = request_user(request)
    meeting = access.meetings.access_meeting_for_manage(user=user, meeting_id=meeting_id)
    try:
        meeting_services.meeting_cancel(meeting=meeting, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Meeting cancelled."))
    return redirect(meeting)


@login_required
@require_GET
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.meetings.access_meeting(user=request_user(request), meeting_id=meeting_id)
    body = calendar_build(
        meetings=[meeting], absolute_url=request.build_absolute_uri, name=meeting.title
    )
    return _ics_response(body, f"meeting-{meeting.pk}.ics")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Serve a user's private feed; the token in the URL is the only credential."""
    owner = selectors.user_get_by_calendar_token(token=token)
    if owner is None:
        raise Http404
    # A calendar app fetches the feed with no browser language: the owner's profile decides.
    with recipient_locale(owner):
        body = calendar_build(
            meetings=selectors.meeting_list_for_calendar(user=owner),
            absolute_url=request.build_absolute_uri,
            name=_("Classmeet meetings"),
            entries=calendar_entries(user=owner),
        )
    return _ics_response(body, "classmeet.ics")


# Signed-in download, no token: the personal feed is the subscription and already has this course.
@login_required
@require_GET
def course_calendar(request: HttpRequest, course_id: int) -> HttpResponse:
    """Serve one course's meetings and coursework dates to its members (404 to anybody else)."""
    user = request_user(request)
    course = access.courses.access_course(user=user, course_id=course_id)
    body = calendar_build(
        meetings=selectors.meeting_list_for_calendar(user=user, course_id=course.pk),
        absolute_url=request.build_absolute_uri,
        name=course.title,
        entries=calendar_entries(user=user, course_id=course.pk),
    )
    return _ics_response(body, f"course-{course.pk}.ics")


@login_required
@require_POST
def calendar_token_regenerate(request: HttpRequest) -> HttpResponse:
    meeting_services.calendar_token_regenerate(user=request_user(request))
    messages.success(
        request, _("Your calendar feed has a new address; the old one no longer works.")
    )
    return redirect("meetings:meeting-list")
