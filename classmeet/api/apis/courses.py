"""Courses, enrollment (join by code, roster, add, remove) and materials.

Rules come from classmeet.access and the courses app: its services write, its selectors
read, and its forms (join code, upload content checks, thumbnails) validate the same input the
HTML pages take.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classmeet import access
from classmeet.accounts.models import User
from classmeet.accounts.selectors import request_user
from classmeet.api.pagination import ApiPagination
from classmeet.api.renderers import AnyFileRenderer
from classmeet.courses import selectors, services
from classmeet.courses import views as courses_views
from classmeet.courses.forms import AddStudentForm, CourseForm, JoinCodeForm, MaterialForm
from classmeet.courses.models import Course, Enrollment, Material
from classmeet.courses.uploads import SizeLimitUploadHandler, size_limit_install, too_large_message

from .common import FastOutputMixin, form_checked, paginated, validated, validated_query

COURSE_TAGS = ["courses"]
ENROLLMENT_TAGS = ["enrollment"]
MATERIAL_TAGS = ["materials"]


class UserOutputSerializer(FastOutputMixin, serializers.ModelSerializer[User]):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ("id", "username", "display_name")
        read_only_fields = fields


class CourseOutputSerializer(FastOutputMixin, serializers.ModelSerializer[Course]):
    teacher = UserOutputSerializer(read_only=True)
    is_teacher = serializers.SerializerMethodField(
        help_text="You are on the course's staff: its teacher or an assistant."
    )
    is_owner = serializers.SerializerMethodField(
        help_text="You own the course: only you delete it and manage its staff."
    )
    join_code = serializers.SerializerMethodField(help_text="Only for the course's staff.")
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = (
            "id",
            "title",
            "description",
            "teacher",
            "is_teacher",
            "is_owner",
            "joining_enabled",
            "join_code",
            "thumbnail_url",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def _manages(self, course: Course) -> bool:
        return access.courses.can_manage_course(user=self.context["request"].user, course=course)

    def get_is_teacher(self, course: Course) -> bool:
        return self._manages(course)

    def get_is_owner(self, course: Course) -> bool:
        return access.courses.is_course_owner(user=self.context["request"].user, course=course)

    def get_join_code(self, course: Course) -> str | None:
        return course.join_code if self._manages(course) else None

    def get_thumbnail_url(self, course: Course) -> str | None:
        if not course.thumbnail:
            return None
        return reverse("courses:course-thumbnail", kwargs={"course_id": course.pk})


def _course_out(request: Request, course: Course, code: int = status.HTTP_200_OK) -> Response:
    return Response(CourseOutputSerializer(course, context={"request": request}).data, status=code)


def _visible_courses(user: User) -> QuerySet[Course]:
    # Filtered through a subquery: course_visible_q's join on enrollments would repeat rows.
    visible = Course.objects.filter(selectors.course_visible_q(user=user)).values("pk")
    courses = Course.objects.filter(pk__in=visible).select_related("teacher")
    # Each row carries the user's membership: the serializer decides staff without a query each.
    return access.courses.with_viewer(courses, user=user)


# Courses ------------------------------------------------------------------------------------


class CourseListApi(APIView):
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer[Any]):
        role = serializers.ChoiceField(
            choices=("teaching", "attending"),
            required=False,
            help_text="Only the courses you teach or assist, or only those you are enrolled in.",
        )
        ordering = serializers.ChoiceField(
            choices=("title", "-title", "created_at", "-created_at"), required=False
        )

    @extend_schema(
        operation_id="course_list",
        summary="List my courses",
        description="The courses you teach or are enrolled in.",
        parameters=[FilterSerializer],
        responses=CourseOutputSerializer(many=True),
        tags=COURSE_TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = validated_query(self.FilterSerializer, request)
        user = request_user(request)
        courses = _visible_courses(user)
        if filters.get("role") == "teaching":
            courses = courses.filter(selectors.course_staff_q(user=user))
        elif filters.get("role") == "attending":
            courses = courses.filter(enrollments__student=user)
        courses = courses.order_by(filters.get("ordering", "title"), "id")
        return paginated(self, request, courses, CourseOutputSerializer)


class CourseDetailApi(APIView):
    @extend_schema(
        operation_id="course_detail",
        summary="Get a course",
        responses=CourseOutputSerializer,
        tags=COURSE_TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        return _course_out(
            request, access.courses.access_course(user=request_user(request), course_id=course_id)
        )


class CourseCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        thumbnail = serializers.FileField(
            required=False, help_text="JPEG, PNG, WebP or GIF (multipart/form-data)."
        )

    @extend_schema(
        operation_id="course_create",
        summary="Create a course (teachers)",
        request=InputSerializer,
        responses={201: CourseOutputSerializer},
        tags=COURSE_TAGS,
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        if not access.courses.can_create_course(user=user):
            raise exceptions.PermissionDenied
        data = validated(self.InputSerializer, request.data)
        form = form_checked(CourseForm(data=data, files=_files(data, "thumbnail")))
        course = services.course_create(
            teacher=user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            thumbnail=form.cleaned_data.get("thumbnail") or None,
        )
        return _course_out(request, course, status.HTTP_201_CREATED)


def _files(data: dict[str, Any], name: str) -> dict[str, Any]:
    return {name: data[name]} if data.get(name) else {}


class CourseUpdateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        thumbnail = serializers.FileField(required=False, help_text="A new picture (multipart).")

    @extend_schema(
        operation_id="course_update",
        summary="Edit a course (its teacher)",
        description="Changes the given fields; the others keep their values.",
        request=InputSerializer,
        responses=CourseOutputSerializer,
        tags=COURSE_TAGS,
    )
    def patch(self, request: Request, course_id: int) -> Response:
        course = access.courses.access_course_for_manage(
            user=request_user(request), course_id=course_id
        )
        data = validated(self.InputSerializer, request.data)
        merged = {"title": course.title, "description": course.description, **data}
        form = form_checked(CourseForm(data=merged, files=_files(data, "thumbnail"), course=course))
        course = services.course_update(
            course=course,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            thumbnail=form.cleaned_data.get("thumbnail") if "thumbnail" in data else None,
        )
        return _course_out(request, course)


class CourseDeleteApi(APIView):
    @extend_schema(
        operation_id="course_delete",
        summary="Delete a course (its owner)",
        description="Deletes the course with its enrollments, materials and meetings. Its "
        "assistants may not.",
        responses={204: None},
        tags=COURSE_TAGS,
    )
    def delete(self, request: Request, course_id: int) -> Response:
        course = access.courses.access_course_for_owner(
            user=request_user(request), course_id=course_id
        )
        services.course_delete(course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Enrollment ---------------------------------------------------------------------------------


class EnrollmentOutputSerializer(serializers.ModelSerializer[Enrollment]):
    student = UserOutputSerializer(read_only=True)

    class Meta:
        model = Enrollment
        fields = ("id", "course_id", "student", "created_at")
        read_only_fields = fields


class CourseJoinApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.CharField(max_length=32, help_text="The join code from the teacher.")

    @extend_schema(
        operation_id="course_join",
        summary="Join a course by code (students)",
        description="201 when you were enrolled now, 200 if you already were.",
        request=InputSerializer,
        responses={201: CourseOutputSerializer, 200: CourseOutputSerializer},
        tags=ENROLLMENT_TAGS,
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        if not user.is_student:
            raise exceptions.PermissionDenied
        data = validated(self.InputSerializer, request.data)
        form = form_checked(JoinCodeForm(data=data))
        course: Course = form.course  # type: ignore[attr-defined]
        if not access.courses.can_enroll(user=user, course=course):
            raise exceptions.PermissionDenied
        _enrollment, created = services.enrollment_create(course=course, student=user)
        return _course_out(request, course, status.HTTP_201_CREATED if created else 200)


class EnrollmentListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="enrollment_list",
        summary="List a course's students (its teacher)",
        responses=EnrollmentOutputSerializer(many=True),
        tags=ENROLLMENT_TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = access.courses.access_course_for_manage(
            user=request_user(request), course_id=course_id
        )
        return paginated(
            self, request, selectors.enrollment_list(course=course), EnrollmentOutputSerializer
        )


class EnrollmentCreateApi(APIView):
    class InputSerializer(serializers.Serializer[Any]):
        identifier = serializers.CharField(
            max_length=254, help_text="The student's username or e-mail."
        )

    @extend_schema(
        operation_id="enrollment_create",
        summary="Add a student to a course (its teacher)",
        description="201 when the student was added now (and notified), 200 if already in.",
        request=InputSerializer,
        responses={201: EnrollmentOutputSerializer, 200: EnrollmentOutputSerializer},
        tags=ENROLLMENT_TAGS,
    )
    def post(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course_for_manage(user=user, course_id=course_id)
        data = validated(self.InputSerializer, request.data)
        form = form_checked(AddStudentForm(data=data, course=course))
        enrollment, created = services.enrollment_create(
            course=course,
            student=form.student,  # type: ignore[attr-defined]
            added_by=user,
        )
        return Response(
            EnrollmentOutputSerializer(enrollment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class EnrollmentDeleteApi(APIView):
    @extend_schema(
        operation_id="enrollment_delete",
        summary="Remove a student from a course (its teacher)",
        responses={204: None},
        tags=ENROLLMENT_TAGS,
    )
    def delete(self, request: Request, course_id: int, student_id: int) -> Response:
        course = access.courses.access_course_for_manage(
            user=request_user(request), course_id=course_id
        )
        enrollment = selectors.enrollment_get(course=course, student_id=student_id)
        if enrollment is None:
            raise Http404
        services.enrollment_delete(enrollment=enrollment)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Materials ----------------------------------------------------------------------------------


class MaterialOutputSerializer(serializers.ModelSerializer[Material]):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = (
            "id",
            "course_id",
            "title",
            "original_name",
            "content_type",
            "size",
            "created_at",
            "download_url",
        )
        read_only_fields = fields

    def get_download_url(self, material: Material) -> str:
        return reverse(
            "api:material-download",
            kwargs={"course_id": material.course_id, "material_id": material.pk},
        )


class MaterialListApi(APIView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="material_list",
        summary="List a course's materials",
        responses=MaterialOutputSerializer(many=True),
        tags=MATERIAL_TAGS,
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = access.courses.access_course(user=request_user(request), course_id=course_id)
        return paginated(
            self, request, selectors.material_list(course=course), MaterialOutputSerializer
        )


class MaterialCreateApi(APIView):
    # Every parser stays on: a JSON body gets a 400 naming `file` (and, with session auth, the
    # CSRF check runs first, which needs the body parsed).
    limiter: SizeLimitUploadHandler

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # As on the page, an oversized file is dropped while it arrives instead of being stored
        # first: the handler goes in before DRF wraps the request, since the session CSRF check
        # in authentication may already parse the body.
        self.limiter = size_limit_install(request)
        return super().initialize_request(request, *args, **kwargs)

    class InputSerializer(serializers.Serializer[Any]):
        title = serializers.CharField(max_length=200)
        file = serializers.FileField(
            help_text="PDF, images, audio/video, office documents, ZIP or text; checked by "
            "content, and the name's extension must match it."
        )

    @extend_schema(
        operation_id="material_create",
        summary="Upload a material (course teacher)",
        request={"multipart/form-data": InputSerializer},
        responses={201: MaterialOutputSerializer},
        tags=MATERIAL_TAGS,
    )
    def post(self, request: Request, course_id: int) -> Response:
        user = request_user(request)
        course = access.courses.access_course_for_manage(user=user, course_id=course_id)
        body = request.data
        if self.limiter.too_large:
            raise exceptions.ValidationError({self.limiter.too_large: [too_large_message()]})
        data = validated(self.InputSerializer, body)
        form: Any = form_checked(MaterialForm(data=data, files={"file": data["file"]}))
        material = services.material_create(
            course=course,
            uploaded_by=user,
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
            original_name=form.original_name,
            kind=form.kind,
        )
        return Response(MaterialOutputSerializer(material).data, status=status.HTTP_201_CREATED)


class MaterialDownloadApi(APIView):
    renderer_classes = [JSONRenderer, AnyFileRenderer]

    @extend_schema(
        operation_id="material_download",
        summary="Download a material",
        description="The file as an attachment, with its original name; its Content-Type is the "
        "type found in its bytes at upload (`content_type` in the list).",
        responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")},
        tags=MATERIAL_TAGS,
    )
    def get(self, request: Request, course_id: int, material_id: int) -> HttpResponseBase:
        # The course page's download view does the checks and streams the file: serve the very
        # same response (DRF has already put the authenticated user on the Django request).
        return courses_views.material_download(
            request._request, course_id=course_id, material_id=material_id
        )


class MaterialDeleteApi(APIView):
    @extend_schema(
        operation_id="material_delete",
        summary="Delete a material (course teacher)",
        responses={204: None},
        tags=MATERIAL_TAGS,
    )
    def delete(self, request: Request, course_id: int, material_id: int) -> Response:
        course = access.courses.access_course_for_manage(
            user=request_user(request), course_id=course_id
        )
        material = selectors.material_get(course=course, material_id=material_id)
        if material is None:
            raise Http404
        services.material_delete(material=material)
        return Response(status=status.HTTP_204_NO_CONTENT)
