from django.urls import path

from . import views, views_reports

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting-list"),
    path("<int:meeting_id>/", views.meeting_detail, name="meeting-detail"),
    path("<int:meeting_id>/edit/", views.meeting_edit, name="meeting-edit"),
    path("<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("<int:meeting_id>/calendar.ics", views.meeting_ics, name="meeting-ics"),
    # The class record: attendance reports and the chat log.
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
    path("course/<int:course_id>/calendar.ics", views.course_calendar, name="course-calendar"),
    path("schedule/<int:course_id>/", views.meeting_schedule, name="meeting-schedule"),
    path("start/<int:course_id>/", views.meeting_start_now, name="meeting-start-now"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path(
        "calendar/regenerate/",
        views.calendar_token_regenerate,
        name="calendar-token-regenerate",
    ),
]
