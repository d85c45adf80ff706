"""A course's staff: its assistants listed (to staff), added and removed (by the owner).

The same rules as the HTML staff page: the form validates the identifier (unknown account, the
owner, an existing assistant, an enrolled student), the courses services write.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.courses import selectors, services
from classmeet.courses.forms import AddAssistantForm
from classmeet.courses.models import CourseAssistant

from .common import form_checked, paginated, validated
from .courses import UserOutputSerializer

STAFF_TAGS = ["staff"]


class AssistantOutputSerializer(serializers.ModelSerializer[CourseAssistant]):
    user = UserOutputSerializer(read_only=True)

    class Meta:
        model = CourseAssistant
        fields = ("id", "course_id", "user", "created_at")
        read_only_fields = fields


class AssistantListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="assistant_list",
        summary="List a course's assistants (its staff)",
        description="The course's teacher is in the course itself (`teacher`).",
        responses=AssistantOutputSerializer(many=True),
        tags=STAFF_TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course(user=user, course_id=course_id)
        if not access.courses.can_view_staff(user=user, course=course):
            raise exceptions.PermissionDenied
        return paginated(
            self, request, selectors.assistant_list(course=course), AssistantOutputSerializer
        )


class AssistantCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        identifier = serializers.CharField(
            max_length=254, help_text="The assistant's username or e-mail (case-insensitive)."
        )

    @extend_schema(
        operation_id="assistant_create",
        summary="Add an assistant to a course (its owner)",
        description="Any active account that is not the owner, an assistant already or a student "
        "enrolled in the course. The new assistant is notified.",
        request=InputSerializer,
        responses={201: AssistantOutputSerializer},
        tags=STAFF_TAGS,
    )
    def post(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course_for_owner(user=user, course_id=course_id)
        data = validated(self.InputSerializer, request.data)
        form = form_checked(AddAssistantForm(data=data, course=course))
        try:
            assistant = services.assistant_add(
                course=course,
                user=form.user,  # type: ignore[attr-defined]
                added_by=user,
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"identifier": error.messages}) from None
        return Response(AssistantOutputSerializer(assistant).data, status=status.HTTP_201_CREATED)


class AssistantDeleteApi(APIView):
    @extend_schema(
        operation_id="assistant_delete",
        summary="Remove an assistant from a course (its owner)",
        responses={204: None},
        tags=STAFF_TAGS,
    )
    def delete(self, request: Request, course_id: int, user_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course_for_owner(user=user, course_id=course_id)
        assistant = selectors.assistant_get(course=course, user_id=user_id)
        if assistant is None:
            raise Http404
        services.assistant_remove(assistant=assistant, removed_by=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
