from django.urls import path

from classmeet.courses import views as course_views

app_name = "core"

urlpatterns = [
    path("dashboard/", course_views.dashboard, name="dashboard"),
]
