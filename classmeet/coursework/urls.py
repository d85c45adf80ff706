"""Coursework pages under /coursework/: a course's assignments, quizzes and gradebook, and each
student's "To do"."""

from django.urls import URLPattern, URLResolver

app_name = "coursework"

# Each part (assignments, grading, quizzes, gradebook, to do) adds its routes here.
urlpatterns: list[URLPattern | URLResolver] = []
