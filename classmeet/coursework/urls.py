"""Coursework pages under /coursework/: a course's assignments, quizzes and gradebook, and each
student's "To do"."""

from django.urls import URLPattern, URLResolver, path

from .views import gradebook, grading

app_name = "coursework"

# Each part (assignments, grading, quizzes, gradebook, to do) adds its routes here.
urlpatterns: list[URLPattern | URLResolver] = []

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
