"""Mounted at /api/: the versioned REST API, its schema and docs, and the token page."""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .apis import (
    courses,
    coursework_assignments,
    coursework_quizzes,
    coursework_submissions,
    discussions,
    meetings,
    notifications,
    rooms,
    staff,
)
from .exceptions import not_found

app_name = "api"


class IdConverter:
    """A database id: 1 to 18 digits, so an id beyond the 64-bit range is a 404, not a crash."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "dbid")

v1 = [
    path("courses/", courses.CourseListApi.as_view(), name="course-list"),
    path("courses/create/", courses.CourseCreateApi.as_view(), name="course-create"),
    path("courses/join/", courses.CourseJoinApi.as_view(), name="course-join"),
    path("courses/<dbid:course_id>/", courses.CourseDetailApi.as_view(), name="course-detail"),
    path(
        "courses/<dbid:course_id>/update/",
        courses.CourseUpdateApi.as_view(),
        name="course-update",
    ),
    path(
        "courses/<dbid:course_id>/delete/",
        courses.CourseDeleteApi.as_view(),
        name="course-delete",
    ),
    path(
        "courses/<dbid:course_id>/students/",
        courses.EnrollmentListApi.as_view(),
        name="enrollment-list",
    ),
    path(
        "courses/<dbid:course_id>/students/add/",
        courses.EnrollmentCreateApi.as_view(),
        name="enrollment-create",
    ),
    path(
        "courses/<dbid:course_id>/students/<dbid:student_id>/remove/",
        courses.EnrollmentDeleteApi.as_view(),
        name="enrollment-delete",
    ),
    path(
        "courses/<dbid:course_id>/staff/",
        staff.AssistantListApi.as_view(),
        name="assistant-list",
    ),
    path(
        "courses/<dbid:course_id>/staff/add/",
        staff.AssistantCreateApi.as_view(),
        name="assistant-create",
    ),
    path(
        "courses/<dbid:course_id>/staff/<dbid:user_id>/remove/",
        staff.AssistantDeleteApi.as_view(),
        name="assistant-delete",
    ),
    path(
        "courses/<dbid:course_id>/materials/",
        courses.MaterialListApi.as_view(),
        name="material-list",
    ),
    path(
        "courses/<dbid:course_id>/materials/upload/",
        courses.MaterialCreateApi.as_view(),
        name="material-create",
    ),
    path(
        "courses/<dbid:course_id>/materials/<dbid:material_id>/download/",
        courses.MaterialDownloadApi.as_view(),
        name="material-download",
    ),
    path(
        "courses/<dbid:course_id>/materials/<dbid:material_id>/delete/",
        courses.MaterialDeleteApi.as_view(),
        name="material-delete",
    ),
    path("meetings/", meetings.MeetingListApi.as_view(), name="meeting-list"),
    path("meetings/<dbid:meeting_id>/", meetings.MeetingDetailApi.as_view(), name="meeting-detail"),
    path(
        "meetings/<dbid:meeting_id>/update/",
        meetings.MeetingUpdateApi.as_view(),
        name="meeting-update",
    ),
    path(
        "meetings/<dbid:meeting_id>/cancel/",
        meetings.MeetingCancelApi.as_view(),
        name="meeting-cancel",
    ),
    path("meetings/<dbid:meeting_id>/ics/", meetings.MeetingIcsApi.as_view(), name="meeting-ics"),
    path(
        "courses/<dbid:course_id>/meetings/create/",
        meetings.MeetingCreateApi.as_view(),
        name="meeting-create",
    ),
    path(
        "meetings/<dbid:meeting_id>/ice-servers/",
        rooms.MeetingIceServersApi.as_view(),
        name="meeting-ice-servers",
    ),
    path(
        "meetings/<dbid:meeting_id>/attendance/",
        rooms.MeetingAttendanceApi.as_view(),
        name="meeting-attendance",
    ),
    path("discussions/", discussions.DiscussionListApi.as_view(), name="discussion-list"),
    path(
        "discussions/<dbid:discussion_id>/",
        discussions.DiscussionDetailApi.as_view(),
        name="discussion-detail",
    ),
    path(
        "courses/<dbid:course_id>/discussions/create/",
        discussions.DiscussionCreateApi.as_view(),
        name="discussion-create",
    ),
    path(
        "discussions/<dbid:discussion_id>/vote/",
        discussions.DiscussionVoteApi.as_view(),
        name="discussion-vote",
    ),
    path(
        "discussions/<dbid:discussion_id>/comments/",
        discussions.CommentListApi.as_view(),
        name="comment-list",
    ),
    path(
        "discussions/<dbid:discussion_id>/comments/create/",
        discussions.CommentCreateApi.as_view(),
        name="comment-create",
    ),
    path(
        "comments/<dbid:comment_id>/vote/",
        discussions.CommentVoteApi.as_view(),
        name="comment-vote",
    ),
    path("notifications/", notifications.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/<dbid:notification_id>/read/",
        notifications.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications.NotificationReadAllApi.as_view(),
        name="notification-read-all",
    ),
]

# Coursework: assignments, submissions and grades, quizzes and attempts.
a, sub, q = coursework_assignments, coursework_submissions, coursework_quizzes
v1 += [
    path(
        "courses/<dbid:course_id>/assignments/",
        a.AssignmentListApi.as_view(),
        name="assignment-list",
    ),
    path(
        "courses/<dbid:course_id>/assignments/create/",
        a.AssignmentCreateApi.as_view(),
        name="assignment-create",
    ),
    path(
        "assignments/<dbid:assignment_id>/",
        a.AssignmentDetailApi.as_view(),
        name="assignment-detail",
    ),
    path(
        "assignments/<dbid:assignment_id>/update/",
        a.AssignmentUpdateApi.as_view(),
        name="assignment-update",
    ),
    path(
        "assignments/<dbid:assignment_id>/publish/",
        a.AssignmentPublishApi.as_view(),
        name="assignment-publish",
    ),
    path(
        "assignments/<dbid:assignment_id>/delete/",
        a.AssignmentDeleteApi.as_view(),
        name="assignment-delete",
    ),
    path(
        "assignments/<dbid:assignment_id>/submissions/",
        sub.SubmissionListApi.as_view(),
        name="submission-list",
    ),
    path(
        "assignments/<dbid:assignment_id>/submissions/create/",
        sub.SubmissionCreateApi.as_view(),
        name="submission-create",
    ),
    path(
        "assignments/<dbid:assignment_id>/submissions/mine/",
        sub.SubmissionMineApi.as_view(),
        name="submission-mine",
    ),
    path(
        "assignments/<dbid:assignment_id>/grades/<dbid:student_id>/update/",
        sub.GradeUpdateApi.as_view(),
        name="grade-update",
    ),
    path(
        "assignments/<dbid:assignment_id>/grades/release/",
        sub.GradeReleaseApi.as_view(),
        name="grade-release",
    ),
    path(
        "courses/<dbid:course_id>/grades/mine/", sub.MyGradeListApi.as_view(), name="my-grade-list"
    ),
    path(
        "courses/<dbid:course_id>/gradebook/",
        sub.GradebookDetailApi.as_view(),
        name="gradebook-detail",
    ),
    path("courses/<dbid:course_id>/quizzes/", q.QuizListApi.as_view(), name="quiz-list"),
    path("courses/<dbid:course_id>/quizzes/create/", q.QuizCreateApi.as_view(), name="quiz-create"),
    path("quizzes/<dbid:quiz_id>/", q.QuizDetailApi.as_view(), name="quiz-detail"),
    path("quizzes/<dbid:quiz_id>/update/", q.QuizUpdateApi.as_view(), name="quiz-update"),
    path("quizzes/<dbid:quiz_id>/publish/", q.QuizPublishApi.as_view(), name="quiz-publish"),
    path("quizzes/<dbid:quiz_id>/delete/", q.QuizDeleteApi.as_view(), name="quiz-delete"),
    path(
        "quizzes/<dbid:quiz_id>/questions/",
        q.QuizQuestionListApi.as_view(),
        name="quiz-question-list",
    ),
    path(
        "quizzes/<dbid:quiz_id>/questions/create/",
        q.QuizQuestionCreateApi.as_view(),
        name="quiz-question-create",
    ),
    path(
        "quizzes/<dbid:quiz_id>/questions/<dbid:question_id>/update/",
        q.QuizQuestionUpdateApi.as_view(),
        name="quiz-question-update",
    ),
    path(
        "quizzes/<dbid:quiz_id>/questions/<dbid:question_id>/delete/",
        q.QuizQuestionDeleteApi.as_view(),
        name="quiz-question-delete",
    ),
    path(
        "quizzes/<dbid:quiz_id>/questions/<dbid:question_id>/move/",
        q.QuizQuestionMoveApi.as_view(),
        name="quiz-question-move",
    ),
    path("quizzes/<dbid:quiz_id>/results/", q.QuizResultListApi.as_view(), name="quiz-result-list"),
    path(
        "quizzes/<dbid:quiz_id>/students/<dbid:student_id>/score/",
        q.QuizScoreOverrideApi.as_view(),
        name="quiz-score-override",
    ),
    path(
        "quizzes/<dbid:quiz_id>/attempts/start/",
        q.QuizAttemptStartApi.as_view(),
        name="quiz-attempt-start",
    ),
    path(
        "quiz-attempts/<dbid:attempt_id>/",
        q.QuizAttemptDetailApi.as_view(),
        name="quiz-attempt-detail",
    ),
    path(
        "quiz-attempts/<dbid:attempt_id>/answers/",
        q.QuizAnswerSaveApi.as_view(),
        name="quiz-answer-save",
    ),
    path(
        "quiz-attempts/<dbid:attempt_id>/submit/",
        q.QuizAttemptSubmitApi.as_view(),
        name="quiz-attempt-submit",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<dbid:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    re_path(r"^v1/", not_found),
]
