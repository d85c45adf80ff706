"""The REST API (classmeet.api) and its OpenAPI schema (drf-spectacular)."""

from .environment import env

# REST API (classmeet.api): session auth (CSRF-checked) for the browser, personal tokens for
# scripts; one error body everywhere; per-user and per-anonymous-IP rate limits.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "classmeet.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "classmeet.api.schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "classmeet.api.pagination.ApiPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "classmeet.api.throttles.UserThrottle",
        "classmeet.api.throttles.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="1000/hour"),
        "anon": env("API_THROTTLE_ANON", default="60/hour"),
    },
    "EXCEPTION_HANDLER": "classmeet.api.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Classmeet API",
    "DESCRIPTION": (
        "Courses, enrollment, materials, discussions, notifications, live meetings, "
        "assignments, submissions, grades and quizzes. "
        "Authenticate with a personal token (`Authorization: Bearer cm_...`, created at "
        "/api/tokens/) or, from the browser, with the session cookie and the CSRF header. "
        'Every error has the body `{"detail": ..., "code": ...}` (plus `errors` on 400).'
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # classmeet.api.urls.IdConverter: ids of 1 to 18 digits.
    "PATH_CONVERTER_OVERRIDES": {"dbid": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Fields of one name with different choices get names of their own (not StatusXXXEnum).
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "classmeet.meetings.models.Meeting.Status",
        "KindEnum": "classmeet.notifications.models.Notification.Kind",
        "CourseworkStatusEnum": "classmeet.coursework.models.Assignment.Status",
        "MyAssignmentStatusEnum": "classmeet.coursework.selectors.assignments.StudentStatus",
        "GradingStatusEnum": "classmeet.api.apis.coursework_submissions.GRADING_STATUSES",
        "QuestionKindEnum": "classmeet.coursework.models.Question.Kind",
    },
}
