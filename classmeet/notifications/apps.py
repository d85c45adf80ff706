from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "classmeet.notifications"
    label = "notifications"
