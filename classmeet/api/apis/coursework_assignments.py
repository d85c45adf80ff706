"""Assignments: a course's list (staff: drafts too, with counts; students: theirs, with their
status), create, detail, edit, publish and delete.

The rules are the pages': access from classmeet.access.coursework, writes by the coursework
services (which validate dates, points, late work and the students assigned), reads by its
selectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet import access
from classmeet.accounts.models import User
from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.core.validators import validate_single_line
from classmeet.courses.models import Course
from classmeet.coursework.models import Assignment, GradeCategory
from classmeet.coursework.selectors import assignments as selectors
from classmeet.coursework.selectors.assignments import StaffAssignmentRow, StudentAssignmentRow
from classmeet.coursework.selectors.gradebook import grade_category_get
from classmeet.coursework.selectors.grading import assigned_students
from classmeet.coursework.services import assignments as services

from .common import MAX_ID, PartialInput, paginated, validated

TAGS = ["assignments"]


class ProgressOutputSerializer(serializers.Serializer[StaffAssignmentRow]):
    """How far the class is (staff only)."""

    assigned = serializers.IntegerField(help_text="Students it is for.")
    submitted = serializers.IntegerField()
    late = serializers.IntegerField()
    graded = serializers.IntegerField()


class MyStatusOutputSerializer(serializers.Serializer[StudentAssignmentRow]):
    """The requesting student's own standing (students only)."""

    status = serializers.ChoiceField(choices=selectors.StudentStatus.choices)
    attempts = serializers.IntegerField()
    last_submitted_at = serializers.DateTimeField(allow_null=True)
    points = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        help_text="Your points, once the grades are released.",
    )


class AssignmentOutputSerializer(serializers.ModelSerializer[Assignment]):
    """An assignment as the requesting user sees it: `progress` for its staff, `mine` for a
    student (the other one is null)."""

    points = serializers.DecimalField(
        source="grade_item.max_points",
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        read_only=True,
        help_text="null: ungraded.",
    )
    category_id = serializers.IntegerField(
        source="grade_item.category_id", allow_null=True, read_only=True
    )
    closes_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="The last moment work is taken (null: never)."
    )
    grades_released = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields: tuple[str, ...] = (
            "id",
            "course_id",
            "title",
            "instructions",
            "points",
            "category_id",
            "due_at",
            "accepts_late",
            "late_penalty_percent",
            "cutoff_at",
            "closes_at",
            "submission_type",
            "status",
            "published_at",
            "grades_released",
            "created_at",
            "updated_at",
            "progress",
            "mine",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_grades_released(self, assignment: Assignment) -> bool:
        return assignment.grade_item.is_released()

    @extend_schema_field(ProgressOutputSerializer(allow_null=True))
    def get_progress(self, assignment: Assignment) -> dict[str, Any] | None:
        row = self.context.get("progress", {}).get(assignment.pk)
        return None if row is None else ProgressOutputSerializer(row).data

    @extend_schema_field(MyStatusOutputSerializer(allow_null=True))
    def get_mine(self, assignment: Assignment) -> dict[str, Any] | None:
        row = self.context.get("mine", {}).get(assignment.pk)
        return None if row is None else MyStatusOutputSerializer(row).data


class AttachmentOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class AssignmentDetailOutputSerializer(AssignmentOutputSerializer):
    attachments = serializers.SerializerMethodField()
    student_ids = serializers.SerializerMethodField(
        help_text="Staff only: the students it is assigned to by name (null: everybody)."
    )

    class Meta(AssignmentOutputSerializer.Meta):
        fields = (*AssignmentOutputSerializer.Meta.fields, "attachments", "student_ids")
        read_only_fields = fields

    @extend_schema_field(AttachmentOutputSerializer(many=True))
    def get_attachments(self, assignment: Assignment) -> list[dict[str, Any]]:
        rows = selectors.attachment_list(assignment=assignment)
        return list(AttachmentOutputSerializer(rows, many=True).data)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_student_ids(self, assignment: Assignment) -> list[int] | None:
        if "progress" not in self.context:
            return None
        return selectors.assigned_student_ids(assignment=assignment)


def _detail(request: Request, assignment: Assignment, code: int = status.HTTP_200_OK) -> Response:
    user = request_user(request)
    context: dict[str, Any] = {}
    if access.coursework.can_manage_coursework(user=user, course=assignment.course):
        row = selectors.assignment_row_for_staff(assignment=assignment)
        context["progress"] = {assignment.pk: row}
    else:
        mine = selectors.assignment_row_for_student(assignment=assignment, student_id=user.pk)
        context["mine"] = {assignment.pk: mine} if mine is not None else {}
    data = AssignmentDetailOutputSerializer(assignment, context=context).data
    return Response(data, status=code)


# Input ----------------------------------------------------------------------------------------


def _points_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=services.MAX_POINTS,
        **kwargs,
    )


class AssignmentInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, validators=[validate_single_line])
    instructions = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Markdown."
    )
    points = _points_field(allow_null=True, default=None, help_text="null: ungraded.")
    category = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        default=None,
        help_text="A grade category of the course (id).",
    )
    due_at = serializers.DateTimeField(help_text="ISO 8601; without an offset, UTC.")
    accepts_late = serializers.BooleanField(default=False)
    late_penalty_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        allow_null=True,
        default=None,
        help_text="Per started day late; needs accepts_late.",
    )
    cutoff_at = serializers.DateTimeField(
        allow_null=True, default=None, help_text="Nothing is taken after it; needs accepts_late."
    )
    submission_type = serializers.ChoiceField(
        choices=Assignment.SubmissionType.choices, default=Assignment.SubmissionType.FILE
    )
    students = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_null=True,
        allow_empty=False,
        max_length=1000,
        default=None,
        help_text="Ids of enrolled students it is for; null: everybody enrolled.",
    )


def _category(course: Course, category_id: int | None) -> GradeCategory | None:
    if category_id is None:
        return None
    category = grade_category_get(course=course, category_id=category_id)
    if category is None:
        raise exceptions.ValidationError({"category": [_("Choose a category of this course.")]})
    return category


def _students(course: Course, ids: Sequence[int] | None) -> list[User] | None:
    """The users of these ids; the service checks that each is enrolled."""
    if ids is None:
        return None
    found = list(User.objects.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise exceptions.ValidationError(
            {"students": [_("Only students enrolled in the course can be assigned.")]}
        )
    return found


def _service_fields(course: Course, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "instructions": data["instructions"],
        "points": data["points"],
        "category": _category(course, data["category"]),
        "due_at": data["due_at"],
        "accepts_late": data["accepts_late"],
        "late_penalty_percent": data["late_penalty_percent"],
        "cutoff_at": data["cutoff_at"],
        "submission_type": data["submission_type"],
        "students": _students(course, data["students"]),
    }


# Views ----------------------------------------------------------------------------------------


class AssignmentListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="assignment_list",
        summary="List a course's assignments",
        description="By due date. The course's staff get every assignment, drafts included, "
        "with `progress`; a student the published ones assigned to them, with `mine`.",
        responses=AssignmentOutputSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course(user=user, course_id=course_id)
        context: dict[str, Any]
        if access.coursework.can_manage_coursework(user=user, course=course):
            staff_rows = selectors.assignment_list_for_staff(course=course)
            items = [row.assignment for row in staff_rows]
            context = {"progress": {row.assignment.pk: row for row in staff_rows}}
        else:
            rows = selectors.assignment_list_for_student(course=course, student_id=user.pk)
            items = [row.assignment for row in rows]
            context = {"mine": {row.assignment.pk: row for row in rows}}
        return paginated(self, request, items, AssignmentOutputSerializer, context)


class AssignmentDetailApi(APIView):
    @extend_schema(
        operation_id="assignment_detail",
        summary="Get an assignment",
        description="A draft, or an assignment not assigned to you, is a 404 to students.",
        responses=AssignmentDetailOutputSerializer,
        tags=TAGS,
    )
    def get(self, request: Request, assignment_id: int) -> Response:
        assignment = access.coursework.access_assignment(
            user=request_user(request), assignment_id=assignment_id
        )
        return _detail(request, assignment)


class AssignmentCreateApi(APIView):
    class InputSerializer(AssignmentInputSerializer):
        pass

    @extend_schema(
        operation_id="assignment_create",
        summary="Create an assignment (course staff)",
        description="Created as a draft: publish it to show it to its students.",
        request=InputSerializer,
        responses={201: AssignmentDetailOutputSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course_for_manage(user=user, course_id=course_id)
        data = validated(self.InputSerializer, request.data)
        assignment = services.assignment_create(
            course=course,
            by=user,
            due_zone=user.timezone or "UTC",
            **_service_fields(course, data),
        )
        return _detail(request, assignment, status.HTTP_201_CREATED)


class AssignmentUpdateApi(APIView):
    class InputSerializer(PartialInput, AssignmentInputSerializer):
        pass

    @extend_schema(
        operation_id="assignment_update",
        summary="Edit an assignment (course staff)",
        description="Changes the given fields; the others keep their values. Points below a "
        "grade already given are refused.",
        request=InputSerializer,
        responses=AssignmentDetailOutputSerializer,
        tags=TAGS,
    )
    def patch(self, request: Request, assignment_id: int) -> Response:
        assignment = access.coursework.access_assignment_for_staff(
            user=request_user(request), assignment_id=assignment_id
        )
        data = validated(self.InputSerializer, request.data)
        item = assignment.grade_item
        current = {
            "title": assignment.title,
            "instructions": assignment.instructions,
            "points": item.max_points,
            "category": item.category_id,
            "due_at": assignment.due_at,
            "accepts_late": assignment.accepts_late,
            "late_penalty_percent": assignment.late_penalty_percent,
            "cutoff_at": assignment.cutoff_at,
            "submission_type": assignment.submission_type,
            "students": selectors.assigned_student_ids(assignment=assignment),
        }
        assignment = services.assignment_update(
            assignment=assignment,
            due_zone=assignment.due_zone,
            **_service_fields(assignment.course, {**current, **data}),
        )
        return _detail(request, assignment)


class AssignmentPublishApi(APIView):
    @extend_schema(
        operation_id="assignment_publish",
        summary="Publish an assignment (course staff)",
        description="Its students see it and are notified. Publishing again changes nothing.",
        request=None,
        responses=AssignmentDetailOutputSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        user = request_user(request)
        assignment = access.coursework.access_assignment_for_staff(
            user=user, assignment_id=assignment_id
        )
        services.assignment_publish(assignment=assignment, by=user)
        return _detail(request, assignment)


class AssignmentDeleteApi(APIView):
    @extend_schema(
        operation_id="assignment_delete",
        summary="Delete an assignment (course staff)",
        description="With its submissions, files and grades.",
        responses={204: None},
        tags=TAGS,
    )
    def delete(self, request: Request, assignment_id: int) -> Response:
        assignment = access.coursework.access_assignment_for_staff(
            user=request_user(request), assignment_id=assignment_id
        )
        services.assignment_delete(assignment=assignment)
        return Response(status=status.HTTP_204_NO_CONTENT)


def assigned_student(assignment: Assignment, student_id: int) -> User:
    """A student the assignment is for, or 404."""
    student = assigned_students(assignment=assignment).filter(pk=student_id).first()
    if student is None:
        raise exceptions.NotFound
    return student
