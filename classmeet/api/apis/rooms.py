"""The ICE servers (STUN, and TURN with time-limited credentials) for a meeting's live room."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.api.schema import ErrorSerializer
from classmeet.rooms.ice import ice_servers_for, ice_transport_policy
from classmeet.rooms.selectors import attendance_report

from .common import paginated
from .courses import UserOutputSerializer


class RoomNotOpen(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The meeting room is not open now.")
    default_code = "room_not_open"


class IceServerSerializer(serializers.Serializer[Any]):
    """One RTCIceServer, as the browser's RTCPeerConnection takes it."""

    urls = serializers.ListField(child=serializers.CharField())
    username = serializers.CharField(required=False)
    credential = serializers.CharField(required=False)


class MeetingIceServersApi(APIView):
    class OutputSerializer(serializers.Serializer[Any]):
        ice_servers = IceServerSerializer(many=True)
        ice_transport_policy = serializers.ChoiceField(choices=["all", "relay"])

    @extend_schema(
        operation_id="meeting_ice_servers",
        summary="ICE servers for a meeting's room",
        description=(
            "The RTCIceServer list for joining the meeting now: STUN URLs, and TURN with "
            "credentials valid for TURN_TTL_SECONDS when TURN is configured. Only while the "
            "room is open (409 otherwise)."
        ),
        responses={
            200: OutputSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The room is not open now."),
        },
        tags=["meetings"],
    )
    def get(self, request: Request, meeting_id: int) -> Response:
        user = request_user(request)
        entry, _meeting = access.rooms.room_entry(user=user, meeting_id=meeting_id)
        if entry is access.rooms.RoomEntry.NOT_FOUND:
            # Hidden and missing meetings look the same, as with every access_* check.
            raise exceptions.NotFound
        if entry is access.rooms.RoomEntry.ANONYMOUS:
            raise exceptions.NotAuthenticated
        if entry is access.rooms.RoomEntry.NOT_OPEN:
            raise RoomNotOpen
        # Any other refusal, e.g. removed from this meeting by its teacher.
        if entry is not access.rooms.RoomEntry.ALLOWED:
            raise exceptions.PermissionDenied
        data = {
            "ice_servers": ice_servers_for(user_id=user.pk),
            "ice_transport_policy": ice_transport_policy(),
        }
        return Response(self.OutputSerializer(data).data)


class MeetingAttendanceApi(APIView):
    pagination_class = ApiPagination

    class OutputSerializer(serializers.Serializer[Any]):
        student = UserOutputSerializer(source="user")
        present = serializers.BooleanField()
        in_room = serializers.BooleanField(help_text="In the room right now.")
        joins = serializers.IntegerField()
        first_join = serializers.DateTimeField(allow_null=True)
        last_leave = serializers.DateTimeField(allow_null=True)
        minutes = serializers.FloatField(help_text="Time in the room, overlapping tabs once.")

    @extend_schema(
        operation_id="meeting_attendance",
        summary="Attendance of a meeting (course teacher)",
        description="One row per enrolled student, present or absent.",
        responses=OutputSerializer(many=True),
        tags=["meetings"],
    )
    def get(self, request: Request, meeting_id: int) -> Response:
        user = request_user(request)
        meeting = access.meetings.access_meeting(user=user, meeting_id=meeting_id)
        if not access.meetings.can_view_attendance(user=user, meeting=meeting):
            raise exceptions.PermissionDenied
        return paginated(self, request, attendance_report(meeting=meeting), self.OutputSerializer)
