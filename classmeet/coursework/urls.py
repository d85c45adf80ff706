"""Coursework pages under /coursework/: a course's assignments, quizzes and gradebook, and each
student's "To do"."""

from django.urls import URLPattern, URLResolver, path

from .views import assignments

app_name = "coursework"

# Each part (assignments, grading, quizzes, gradebook, to do) adds its routes here.
urlpatterns: list[URLPattern | URLResolver] = [
    # Assignments
    path(
        "courses/<int:course_id>/assignments/",
        assignments.assignment_list,
        name="assignment-list",
    ),
    path(
        "courses/<int:course_id>/assignments/new/",
        assignments.assignment_create,
        name="assignment-create",
    ),
    path(
        "assignments/<int:assignment_id>/", assignments.assignment_detail, name="assignment-detail"
    ),
    path(
        "assignments/<int:assignment_id>/edit/", assignments.assignment_edit, name="assignment-edit"
    ),
    path(
        "assignments/<int:assignment_id>/publish/",
        assignments.assignment_publish,
        name="assignment-publish",
    ),
    path(
        "assignments/<int:assignment_id>/delete/",
        assignments.assignment_delete,
        name="assignment-delete",
    ),
    path(
        "assignments/<int:assignment_id>/submit/",
        assignments.assignment_submit,
        name="assignment-submit",
    ),
    path(
        "attachments/<int:attachment_id>/",
        assignments.attachment_download,
        name="attachment-download",
    ),
    path(
        "attachments/<int:attachment_id>/delete/",
        assignments.attachment_delete,
        name="attachment-delete",
    ),
    path(
        "submission-files/<int:file_id>/",
        assignments.submission_file_download,
        name="submission-file-download",
    ),
]
