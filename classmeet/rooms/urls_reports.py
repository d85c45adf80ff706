"""Attendance reports and chat logs; mounted under /meetings/."""

from django.urls import path

from . import views_reports

app_name = "rooms-reports"
urlpatterns = [
    path(
        "<int:meeting_id>/attendance/",
        views_reports.meeting_attendance,
        name="meeting-attendance",
    ),
    path(
        "<int:meeting_id>/attendance.csv",
        views_reports.meeting_attendance_csv,
        name="meeting-attendance-csv",
    ),
    path("<int:meeting_id>/chat/", views_reports.meeting_chat_log, name="meeting-chat-log"),
    path(
        "course/<int:course_id>/attendance.csv",
        views_reports.course_attendance_csv,
        name="course-attendance-csv",
    ),
]
