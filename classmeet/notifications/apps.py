from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "classmeet.notifications"
    label = "notifications"

    def ready(self) -> None:
        from classmeet.courses.signals import assistant_added, enrollment_created
        from classmeet.notifications.receivers import (
            assistant_added_notify,
            enrollment_created_notify,
        )

        enrollment_created.connect(enrollment_created_notify, dispatch_uid="enrollment-notify")
        assistant_added.connect(assistant_added_notify, dispatch_uid="assistant-notify")
