"""Coursework pages under /coursework/: a course's assignments, quizzes and gradebook, and each
student's "To do"."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from .views import todo

app_name = "coursework"

# Each part (assignments, grading, quizzes, gradebook, to do) adds its routes here.
urlpatterns: list[URLPattern | URLResolver] = []

# To do (cw-due).
urlpatterns += [path("todo/", todo.todo_page, name="todo")]


# cw-due's stand-ins for the assignment and quiz pages (the names the models' get_absolute_url
# reverse), so reminders, the calendar and the to-do list can link to them before cw-assign and
# cw-quiz land: the lead drops this block when merging those branches.
def _page_pending(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


urlpatterns += [
    path("assignments/<int:assignment_id>/", _page_pending, name="assignment-detail"),
    path("quizzes/<int:quiz_id>/", _page_pending, name="quiz-detail"),
]
