"""The signed-in user's notifications: list, mark one read, mark all read."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.notifications import selectors, services
from classmeet.notifications.models import Notification

from .common import FastOutputMixin, paginated, validated_query

TAGS = ["notifications"]


class NotificationOutputSerializer(FastOutputMixin, serializers.ModelSerializer[Notification]):
    is_read = serializers.BooleanField(read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = (
            "id",
            "kind",
            "title",
            "body",
            "url",
            "course_id",
            "actor_name",
            "created_at",
            "read_at",
            "is_read",
        )
        read_only_fields = fields

    def get_actor_name(self, notification: Notification) -> str | None:
        return notification.actor.display_name if notification.actor else None


class NotificationListApi(APIView):
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer[Any]):
        unread = serializers.BooleanField(
            required=False, default=None, allow_null=True, help_text="Only unread (or read)."
        )

    @extend_schema(
        operation_id="notification_list",
        summary="List my notifications",
        description="Newest first.",
        parameters=[FilterSerializer],
        responses=NotificationOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = validated_query(self.FilterSerializer, request)
        notifications = selectors.notification_list(user=request_user(request))
        if filters.get("unread") is not None:
            notifications = notifications.filter(read_at__isnull=filters["unread"])
        return paginated(self, request, notifications, NotificationOutputSerializer)


class NotificationReadApi(APIView):
    @extend_schema(
        operation_id="notification_read",
        summary="Mark a notification read",
        request=None,
        responses=NotificationOutputSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, notification_id: int) -> Response:
        notification = (
            selectors.notification_list(user=request_user(request))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            raise Http404
        notification = services.notification_mark_read(notification=notification)
        return Response(NotificationOutputSerializer(notification).data)


class NotificationReadAllApi(APIView):
    class OutputSerializer(serializers.Serializer[Any]):
        marked = serializers.IntegerField(help_text="How many were unread.")

    @extend_schema(
        operation_id="notification_read_all",
        summary="Mark all my notifications read",
        request=None,
        responses=OutputSerializer,
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        marked = services.notifications_mark_all_read(user=request_user(request))
        return Response({"marked": marked})
