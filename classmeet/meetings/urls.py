from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting-list"),
    path("<int:meeting_id>/", views.meeting_detail, name="meeting-detail"),
    path("<int:meeting_id>/edit/", views.meeting_edit, name="meeting-edit"),
    path("<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("<int:meeting_id>/calendar.ics", views.meeting_ics, name="meeting-ics"),
    path("schedule/<int:course_id>/", views.meeting_schedule, name="meeting-schedule"),
    path("start/<int:course_id>/", views.meeting_start_now, name="meeting-start-now"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path(
        "calendar/regenerate/",
        views.calendar_token_regenerate,
        name="calendar-token-regenerate",
    ),
]
