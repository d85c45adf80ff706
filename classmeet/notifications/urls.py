from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("latest/", views.notification_latest, name="notification-latest"),
    path("<int:notification_id>/read/", views.notification_read, name="notification-read"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
]
