from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "classmeet.notifications"
    label = "notifications"

    def ready(self) -> None:
        from classmeet.courses.signals import enrollment_created
        from classmeet.notifications.receivers import enrollment_created_notify

        enrollment_created.connect(enrollment_created_notify, dispatch_uid="enrollment-notify")
