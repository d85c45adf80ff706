"""Coursework pages under /coursework/: a course's assignments, quizzes and gradebook, and each
student's "To do"."""

from django.urls import URLPattern, URLResolver, path

app_name = "coursework"

# Each part (assignments, grading, quizzes, gradebook, to do) adds its routes here.
urlpatterns: list[URLPattern | URLResolver] = []

from .views import quizzes  # noqa: E402

# Quizzes: a course's list, the staff editor, attempts (the take page) and results.
urlpatterns += [
    path("course/<int:course_id>/quizzes/", quizzes.quiz_list, name="quiz-list"),
    path("course/<int:course_id>/quizzes/new/", quizzes.quiz_create, name="quiz-create"),
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
