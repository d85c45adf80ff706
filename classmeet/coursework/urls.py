"""Coursework pages under /coursework/: a course's assignments, quizzes and gradebook, and each
student's "To do"."""

from django.urls import URLPattern, URLResolver, path

from .views import assignments, gradebook, grading, live_polls, quizzes, todo

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

# Grading an assignment, the gradebook and a student's grades.
urlpatterns += [
    path(
        "assignments/<int:assignment_id>/grading/",
        grading.grading_queue,
        name="grading-queue",
    ),
    path(
        "assignments/<int:assignment_id>/grading/release/",
        grading.grade_release,
        name="grade-release",
    ),
    path(
        "assignments/<int:assignment_id>/grading/class-average/",
        grading.grade_class_average,
        name="grade-class-average",
    ),
    path(
        "assignments/<int:assignment_id>/grading/<int:student_id>/",
        grading.grade_submission,
        name="grade-submission",
    ),
    path(
        "assignments/<int:assignment_id>/returned/<int:student_id>/",
        grading.grade_returned_file,
        name="grade-returned-file",
    ),
    path("courses/<int:course_id>/gradebook/", gradebook.gradebook, name="gradebook"),
    path("courses/<int:course_id>/gradebook.csv", gradebook.gradebook_csv, name="gradebook-csv"),
    path(
        "courses/<int:course_id>/grade-categories/",
        gradebook.grade_categories,
        name="grade-categories",
    ),
    path(
        "courses/<int:course_id>/grade-categories/<int:category_id>/",
        gradebook.grade_category_edit,
        name="grade-category-edit",
    ),
    path(
        "courses/<int:course_id>/grade-categories/<int:category_id>/delete/",
        gradebook.grade_category_delete,
        name="grade-category-delete",
    ),
    path(
        "courses/<int:course_id>/grade-categories/items/",
        gradebook.grade_item_categories,
        name="grade-item-categories",
    ),
    path("courses/<int:course_id>/grades/", gradebook.my_grades, name="my-grades"),
]

# Quizzes: a course's list, the staff editor, attempts (the take page) and results.
urlpatterns += [
    path("courses/<int:course_id>/quizzes/", quizzes.quiz_list, name="quiz-list"),
    path("courses/<int:course_id>/quizzes/new/", quizzes.quiz_create, name="quiz-create"),
    path("quizzes/<int:quiz_id>/", quizzes.quiz_detail, name="quiz-detail"),
    path("quizzes/<int:quiz_id>/edit/", quizzes.quiz_edit, name="quiz-edit"),
    path("quizzes/<int:quiz_id>/publish/", quizzes.quiz_publish, name="quiz-publish"),
    path("quizzes/<int:quiz_id>/delete/", quizzes.quiz_delete, name="quiz-delete"),
    path(
        "quizzes/<int:quiz_id>/questions/new/",
        quizzes.quiz_question_form,
        name="quiz-question-create",
    ),
    path(
        "quizzes/<int:quiz_id>/questions/<int:question_id>/",
        quizzes.quiz_question_form,
        name="quiz-question-edit",
    ),
    path(
        "quizzes/<int:quiz_id>/questions/<int:question_id>/delete/",
        quizzes.quiz_question_delete,
        name="quiz-question-delete",
    ),
    path(
        "quizzes/<int:quiz_id>/questions/<int:question_id>/move/",
        quizzes.quiz_question_move,
        name="quiz-question-move",
    ),
    path("quizzes/<int:quiz_id>/start/", quizzes.quiz_start, name="quiz-start"),
    path("quizzes/<int:quiz_id>/results/", quizzes.quiz_results, name="quiz-results"),
    path(
        "quizzes/<int:quiz_id>/students/<int:student_id>/",
        quizzes.quiz_student,
        name="quiz-student",
    ),
    path("quiz-attempts/<int:attempt_id>/", quizzes.quiz_attempt, name="quiz-attempt"),
    path("quiz-attempts/<int:attempt_id>/answer/", quizzes.quiz_answer, name="quiz-answer"),
    path("quiz-attempts/<int:attempt_id>/submit/", quizzes.quiz_submit, name="quiz-submit"),
]

# A meeting's live polls (the room runs them; the meeting page lists them).
urlpatterns += [
    path(
        "meetings/<int:meeting_id>/polls.csv",
        live_polls.meeting_polls_csv,
        name="meeting-polls-csv",
    ),
]

# A student's work due across their courses; the staff's to grade.
urlpatterns += [path("todo/", todo.todo_page, name="todo")]
