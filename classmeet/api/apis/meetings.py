"""Meetings: list (live / upcoming / past), detail, schedule, edit, cancel and the .ics file.

Every rule is the meetings app's: its selectors group meetings by phase, its services validate
slots (duration, past start, overlaps) and tell the students.
"""

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.api.renderers import ICalendarRenderer
from classmeet.core.validators import validate_single_line
from classmeet.meetings import selectors
from classmeet.meetings.ics import calendar_build
from classmeet.meetings.models import MAX_DURATION, MIN_DURATION, Meeting
from classmeet.meetings.services import meetings as meeting_services

from .common import MAX_ID, FastOutputMixin, paginated, validated, validated_query

TAGS = ["meetings"]
PHASES = ("live", "upcoming", "past")


class MeetingOutputSerializer(FastOutputMixin, serializers.ModelSerializer[Meeting]):
    """A meeting as the requesting user sees it now."""

    course_title = serializers.CharField(source="course.title", read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    phase = serializers.ChoiceField(choices=Meeting.Phase.choices, read_only=True)
    joinable = serializers.BooleanField(source="is_joinable", read_only=True)

    class Meta:
        model = Meeting
        fields = (
            "id",
            "course_id",
            "course_title",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "status",
            "phase",
            "joinable",
            "waiting_room",
            "series",
            "sequence",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


# The columns MeetingOutputSerializer reads (phase and joinable: status, start and duration).
OUTPUT_COLUMNS = (
    "id", "course_id", "course__id", "course__title", "title", "description", "starts_at",
    "duration_minutes", "status", "waiting_room", "series", "sequence", "created_at", "updated_at",
)  # fmt: skip


class MeetingListApi(APIView):
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer[Any]):
        phase = serializers.ChoiceField(
            choices=PHASES,
            required=False,
            help_text="live: running now; upcoming: not started yet, soonest first (cancelled "
            "ones included); past: ended or cancelled, latest first.",
        )
        course = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_ID, help_text="A course id."
        )
        starts_after = serializers.DateTimeField(
            required=False, help_text="Only meetings starting at or after this time."
        )
        starts_before = serializers.DateTimeField(
            required=False, help_text="Only meetings starting before this time."
        )
        ordering = serializers.ChoiceField(
            choices=("starts_at", "-starts_at"),
            required=False,
            help_text="Without `phase`: by start, soonest (default) or latest first.",
        )

    @extend_schema(
        operation_id="meeting_list",
        summary="List my meetings",
        description="The meetings of the courses you teach or attend, by start time; "
        "`phase` picks one group as the meetings page shows them.",
        parameters=[FilterSerializer],
        responses=MeetingOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = validated_query(self.FilterSerializer, request)
        # Only what MeetingOutputSerializer reads: no teacher, no creator, no unused column.
        meetings = (
            selectors.meeting_list_for_user(user=request_user(request))
            .select_related(None)
            .select_related("course")
            .only(*OUTPUT_COLUMNS)
        )
        if "course" in filters:
            meetings = meetings.filter(course_id=filters["course"])
        if "starts_after" in filters:
            meetings = meetings.filter(starts_at__gte=filters["starts_after"])
        if "starts_before" in filters:
            meetings = meetings.filter(starts_at__lt=filters["starts_before"])
        if "phase" not in filters:
            meetings = meetings.order_by(filters.get("ordering", "starts_at"), "id")
            return paginated(self, request, meetings, MeetingOutputSerializer)
        groups = selectors.meeting_groups(meetings=meetings, now=timezone.now())
        rows = [row.meeting for row in getattr(groups, filters["phase"])]
        return paginated(self, request, rows, MeetingOutputSerializer)


class MeetingDetailApi(APIView):
    @extend_schema(
        operation_id="meeting_detail",
        summary="Get a meeting",
        responses=MeetingOutputSerializer,
        tags=TAGS,
    )
    def get(self, request: Request, meeting_id: int) -> Response:
        meeting = access.meetings.access_meeting(user=request_user(request), meeting_id=meeting_id)
        return Response(MeetingOutputSerializer(meeting).data)


class MeetingCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        title = serializers.CharField(max_length=200, validators=[validate_single_line])
        description = serializers.CharField(required=False, allow_blank=True, default="")
        starts_at = serializers.DateTimeField(help_text="ISO 8601; without an offset, UTC.")
        duration_minutes = serializers.IntegerField(min_value=MIN_DURATION, max_value=MAX_DURATION)
        weeks = serializers.IntegerField(
            min_value=1,
            max_value=meeting_services.MAX_WEEKS,
            default=1,
            help_text="Create this many weekly meetings of one series.",
        )
        waiting_room = serializers.BooleanField(
            default=False,
            help_text="Students wait to be admitted by the course's staff (the waiting room); "
            "once admitted they rejoin this meeting without waiting.",
        )

    @extend_schema(
        operation_id="meeting_create",
        summary="Schedule a meeting (course teacher)",
        description="Schedules one meeting, or a weekly series; the students are notified. "
        "Refused with 400 if it starts in the past (before the current minute) or overlaps "
        "another meeting of the course.",
        request=InputSerializer,
        responses={201: MeetingOutputSerializer(many=True)},
        tags=TAGS,
    )
    def post(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course_for_manage(user=user, course_id=course_id)
        data = validated(self.InputSerializer, request.data)
        meetings = meeting_services.meeting_schedule(course=course, created_by=user, **data)
        return Response(
            MeetingOutputSerializer(meetings, many=True).data, status=status.HTTP_201_CREATED
        )


class MeetingUpdateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        title = serializers.CharField(
            max_length=200, required=False, validators=[validate_single_line]
        )
        description = serializers.CharField(required=False, allow_blank=True)
        starts_at = serializers.DateTimeField(required=False)
        duration_minutes = serializers.IntegerField(
            min_value=MIN_DURATION,
            max_value=MAX_DURATION,
            required=False,
        )
        waiting_room = serializers.BooleanField(
            required=False,
            help_text="Students wait to be admitted by the course's staff (the waiting room); "
            "once admitted they rejoin this meeting without waiting.",
        )

    @extend_schema(
        operation_id="meeting_update",
        summary="Edit a meeting (course teacher)",
        description="Changes the given fields of a scheduled meeting that has not ended; "
        "the students are notified.",
        request=InputSerializer,
        responses=MeetingOutputSerializer,
        tags=TAGS,
    )
    def patch(self, request: Request, meeting_id: int) -> Response:
        user = request_user(request)
        meeting = access.meetings.access_meeting_for_manage(user=user, meeting_id=meeting_id)
        data = validated(self.InputSerializer, request.data)
        fields = ("title", "description", "starts_at", "duration_minutes", "waiting_room")
        current = {name: getattr(meeting, name) for name in fields}
        meeting = meeting_services.meeting_update(
            meeting=meeting, actor=user, **{**current, **data}
        )
        return Response(MeetingOutputSerializer(meeting).data)


class MeetingCancelApi(APIView):
    @extend_schema(
        operation_id="meeting_cancel",
        summary="Cancel a meeting (course teacher)",
        description="Cancelling twice is harmless; a meeting that has ended can't be cancelled.",
        request=None,
        responses=MeetingOutputSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        user = request_user(request)
        meeting = access.meetings.access_meeting_for_manage(user=user, meeting_id=meeting_id)
        meeting = meeting_services.meeting_cancel(meeting=meeting, actor=user)
        return Response(MeetingOutputSerializer(meeting).data)


class MeetingIcsApi(APIView):
    renderer_classes = [JSONRenderer, ICalendarRenderer]

    @extend_schema(
        operation_id="meeting_ics",
        summary="Download a meeting as .ics",
        description="An iCalendar file with the meeting (times in UTC) for any calendar app.",
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar")
        },
        tags=TAGS,
    )
    def get(self, request: Request, meeting_id: int) -> HttpResponse:
        meeting = access.meetings.access_meeting(user=request_user(request), meeting_id=meeting_id)
        body = calendar_build(
            meetings=[meeting], absolute_url=request.build_absolute_uri, name=meeting.title
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        response["Cache-Control"] = "private, no-store"
        return response
