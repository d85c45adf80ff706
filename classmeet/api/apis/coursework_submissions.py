"""Submissions and grades: a student hands work in (files and/or text) and lists their attempts;
the course's staff list an assignment's submissions, grade a student, release the grades and
read the gradebook; a student reads their own released grades.

As on the pages: an oversized file is dropped while it arrives (the materials' size limit), each
file is checked by content (coursework services' check_files), and a retried request with the
same `Idempotency-Key` records one attempt (the service's client token).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet import access
from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.courses.uploads import SizeLimitUploadHandler, size_limit_install, too_large_message
from classmeet.coursework.models import Grade, SubmissionAttempt
from classmeet.coursework.selectors import assignments as assignment_selectors
from classmeet.coursework.selectors import gradebook as gradebook_selectors
from classmeet.coursework.selectors import grading as grading_selectors
from classmeet.coursework.services import assignments as assignment_services
from classmeet.coursework.services import grades as grade_services

from .common import paginated, validated
from .courses import UserOutputSerializer
from .coursework_assignments import assigned_student

SUBMISSION_TAGS = ["submissions"]
GRADE_TAGS = ["grades"]
IDEMPOTENCY_HEADER = "Idempotency-Key"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
GRADING_STATUSES = [
    grading_selectors.Status.TO_GRADE,
    grading_selectors.Status.GRADED,
    grading_selectors.Status.MISSING,
    grading_selectors.Status.NOT_SUBMITTED,
]


class SubmittedFileOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class SubmissionAttemptOutputSerializer(serializers.ModelSerializer[SubmissionAttempt]):
    """One hand-in; a resubmission is a new attempt and the earlier ones stay."""

    files = SubmittedFileOutputSerializer(many=True, read_only=True)

    class Meta:
        model = SubmissionAttempt
        fields = ("id", "number", "submitted_at", "is_late", "days_late", "text", "files")
        read_only_fields = fields


class GradeOutputSerializer(serializers.ModelSerializer[Grade]):
    class Meta:
        model = Grade
        fields = (
            "student_id",
            "points",
            "entered_points",
            "penalty_percent",
            "feedback",
            "graded_by_id",
            "graded_at",
        )
        read_only_fields = fields
        extra_kwargs = {
            "points": {"help_text": "What counts: the entered points less any late penalty."},
            "entered_points": {"help_text": "What the grader entered."},
        }


# Submitting -----------------------------------------------------------------------------------


def _client_token(request: Request) -> str:
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return ""
    if not _TOKEN.fullmatch(raw):
        raise exceptions.ValidationError(
            {IDEMPOTENCY_HEADER: [_("Use 1 to 64 letters, digits, hyphens or underscores.")]}
        )
    return raw


class SubmissionCreateApi(APIView):
    limiter: SizeLimitUploadHandler

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # As for materials: the size limit is in place before anything may parse the body.
        self.limiter = size_limit_install(request)
        return super().initialize_request(request, *args, **kwargs)

    class InputSerializer(serializers.Serializer[Any]):
        text = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            trim_whitespace=False,
            max_length=assignment_services.MAX_SUBMISSION_TEXT,
            help_text="For assignments that take text (Markdown).",
        )
        files = serializers.ListField(
            child=serializers.FileField(),
            required=False,
            default=list,
            max_length=assignment_services.MAX_SUBMISSION_FILES,
            help_text="For assignments that take files: the materials' types and size limit, "
            "checked by content.",
        )

    @extend_schema(
        operation_id="submission_create",
        summary="Hand in work (students it is assigned to)",
        description="Records a new attempt; earlier attempts are kept. 201 when recorded, 200 "
        "when this `Idempotency-Key` was used for the assignment already (nothing is added; the "
        "first attempt is returned). Refused with 400 after the due date (or, with late work, "
        "the cut-off), without the text or file the assignment takes, and for refused files; "
        "403 to the course's staff.",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="A key of your choosing (1-64 of A-Z a-z 0-9 _ -): a retried "
                "request with the same key records one attempt.",
            )
        ],
        request={"multipart/form-data": InputSerializer},
        responses={201: SubmissionAttemptOutputSerializer, 200: SubmissionAttemptOutputSerializer},
        tags=SUBMISSION_TAGS,
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        user = request_user(request)
        assignment = access.coursework.access_assignment(user=user, assignment_id=assignment_id)
        if not access.coursework.can_submit(user=user, assignment=assignment):
            raise exceptions.PermissionDenied
        token = _client_token(request)
        body = request.data
        if self.limiter.too_large:
            raise exceptions.ValidationError({self.limiter.too_large: [too_large_message()]})
        data = validated(self.InputSerializer, body)
        submitted = assignment_services.submission_create(
            assignment=assignment,
            student=user,
            text=data["text"],
            files=data["files"],
            client_token=token,
        )
        return Response(
            SubmissionAttemptOutputSerializer(submitted.attempt).data,
            status=status.HTTP_201_CREATED if submitted.created else status.HTTP_200_OK,
        )


class SubmissionMineApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="submission_mine",
        summary="List my attempts on an assignment (students)",
        description="Newest first, each with its files. The course's staff have the "
        "submissions list instead (403 here).",
        responses=SubmissionAttemptOutputSerializer(many=True),
        tags=SUBMISSION_TAGS,
    )
    def get(self, request: Request, assignment_id: int) -> Response:
        user = request_user(request)
        assignment = access.coursework.access_assignment(user=user, assignment_id=assignment_id)
        if access.coursework.can_manage_coursework(user=user, course=assignment.course):
            raise exceptions.PermissionDenied
        submission = assignment_selectors.submission_for_student(
            assignment=assignment, student_id=user.pk
        )
        attempts = list(submission.attempts.all()) if submission is not None else []
        return paginated(self, request, attempts, SubmissionAttemptOutputSerializer)


class SubmissionListApi(APIView):
    pagination_class = ApiPagination

    class OutputSerializer(serializers.Serializer[Any]):
        student = UserOutputSerializer()
        status = serializers.ChoiceField(
            choices=GRADING_STATUSES,
            help_text="to_grade: submitted and not graded since; missing: nothing handed in "
            "by the due date.",
        )
        attempts = serializers.IntegerField()
        last_submitted_at = serializers.DateTimeField(allow_null=True)
        is_late = serializers.BooleanField()
        points = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
        graded_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        operation_id="submission_list",
        summary="List an assignment's students with their submissions (course staff)",
        description="Every student the assignment is for, by name, with their status.",
        responses=OutputSerializer(many=True),
        tags=SUBMISSION_TAGS,
    )
    def get(self, request: Request, assignment_id: int) -> Response:
        assignment = access.coursework.access_assignment_for_staff(
            user=request_user(request), assignment_id=assignment_id
        )
        queue = grading_selectors.grading_queue(assignment=assignment)
        rows = [
            {
                "student": row.student,
                "status": row.status,
                "attempts": row.submission.attempt_count if row.submission else 0,
                "last_submitted_at": row.submission.last_submitted_at if row.submission else None,
                "is_late": row.is_late,
                "points": row.grade.points if row.grade else None,
                "graded_at": row.grade.graded_at if row.grade else None,
            }
            for row in queue.rows
        ]
        return paginated(self, request, rows, self.OutputSerializer)


# Grades ---------------------------------------------------------------------------------------


class GradeUpdateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        points = serializers.DecimalField(
            max_digits=7,
            decimal_places=2,
            min_value=Decimal(0),
            allow_null=True,
            help_text="At most the assignment's points; null for none (an ungraded assignment "
            "takes feedback only).",
        )
        feedback = serializers.CharField(allow_blank=True, help_text="Markdown.")

    @extend_schema(
        operation_id="grade_update",
        summary="Grade a student's work (course staff)",
        description="Sets the points and feedback (submitted, late or missing work). A late "
        "penalty is applied; a change after release is kept in the grade's history.",
        request=InputSerializer,
        responses=GradeOutputSerializer,
        tags=GRADE_TAGS,
    )
    def put(self, request: Request, assignment_id: int, student_id: int) -> Response:
        user = request_user(request)
        assignment = access.coursework.access_assignment_for_staff(
            user=user, assignment_id=assignment_id
        )
        student = assigned_student(assignment, student_id)
        data = validated(self.InputSerializer, request.data)
        grade = grade_services.submission_grade(
            assignment=assignment,
            student=student,
            points=data["points"],
            feedback=data["feedback"],
            by=user,
        )
        return Response(GradeOutputSerializer(grade).data)


class GradeReleaseApi(APIView):
    class OutputSerializer(serializers.Serializer[Any]):
        assignment_id = serializers.IntegerField()
        released_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="grade_release",
        summary="Release an assignment's grades (course staff)",
        description="Students see their grades from now on and are notified. Releasing again "
        "changes nothing.",
        request=None,
        responses=OutputSerializer,
        tags=GRADE_TAGS,
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        user = request_user(request)
        assignment = access.coursework.access_assignment_for_staff(
            user=user, assignment_id=assignment_id
        )
        item = grade_services.grade_release(item=assignment.grade_item, by=user)
        return Response(
            self.OutputSerializer(
                {"assignment_id": assignment.pk, "released_at": item.released_at}
            ).data
        )


class MyGradeListApi(APIView):
    pagination_class = ApiPagination

    class OutputSerializer(serializers.Serializer[Any]):
        item_id = serializers.IntegerField(source="item.pk")
        kind = serializers.CharField(source="item.kind")
        title = serializers.CharField(source="item.title")
        max_points = serializers.DecimalField(
            source="item.max_points", max_digits=7, decimal_places=2, allow_null=True
        )
        dated_at = serializers.DateTimeField(source="item.dated_at", allow_null=True)
        points = serializers.DecimalField(
            source="grade.points", max_digits=7, decimal_places=2, allow_null=True
        )
        feedback = serializers.CharField(source="grade.feedback", default="")
        graded_at = serializers.DateTimeField(source="grade.graded_at", allow_null=True)
        class_average = serializers.DecimalField(
            max_digits=7,
            decimal_places=2,
            allow_null=True,
            help_text="Only where the teacher shows it.",
        )

    @extend_schema(
        operation_id="my_grade_list",
        summary="List my released grades of a course (students)",
        description="Only items whose grades are released. The course's staff have the "
        "gradebook instead (403 here).",
        responses=OutputSerializer(many=True),
        tags=GRADE_TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course(user=user, course_id=course_id)
        if not access.coursework.can_view_own_grades(user=user, course=course):
            raise exceptions.PermissionDenied
        rows = gradebook_selectors.my_grades(course=course, student=user)
        return paginated(self, request, rows, self.OutputSerializer)


class GradebookItemOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    category_id = serializers.IntegerField(allow_null=True)
    dated_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    assignment_id = serializers.IntegerField(source="assignment_ref", allow_null=True)
    quiz_id = serializers.IntegerField(source="quiz_ref", allow_null=True)


class GradebookCategoryOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class GradebookTotalOutputSerializer(serializers.Serializer[Any]):
    points = serializers.DecimalField(max_digits=None, decimal_places=2)
    max_points = serializers.DecimalField(max_digits=None, decimal_places=2)
    percent = serializers.DecimalField(max_digits=None, decimal_places=1, allow_null=True)
    weighted = serializers.DecimalField(
        max_digits=None,
        decimal_places=1,
        allow_null=True,
        help_text="Percent, with the course's category weights (null without categories).",
    )


class GradebookRowOutputSerializer(serializers.Serializer[Any]):
    student = UserOutputSerializer()
    cells = serializers.ListField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True),
        help_text="Points per item, in `items` order; null: no score.",
    )
    total = GradebookTotalOutputSerializer()


class GradebookDetailApi(APIView):
    class OutputSerializer(serializers.Serializer[Any]):
        items = GradebookItemOutputSerializer(many=True)
        categories = GradebookCategoryOutputSerializer(many=True)
        rows = GradebookRowOutputSerializer(many=True)

    @extend_schema(
        operation_id="gradebook_detail",
        summary="Get a course's gradebook (course staff)",
        description="Every enrolled student by every published graded item, with totals over "
        "the scored cells; unreleased grades included.",
        responses=OutputSerializer,
        tags=GRADE_TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = access.coursework.access_course_for_gradebook(
            user=request_user(request), course_id=course_id
        )
        book = gradebook_selectors.gradebook_get(course=course)
        return Response(self.OutputSerializer(book).data)
