from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "classmeet.notifications"
    label = "notifications"

    def ready(self) -> None:
        from classmeet.accounts.selectors import is_authenticated
        from classmeet.core.batch import register_page_read
        from classmeet.notifications.selectors import notification_unread_count_plan

        # The navbar's bell: a page that plans its reads ahead reads the count with them.
        register_page_read(
            "notifications_unread",
            lambda request: (
                notification_unread_count_plan(user=request.user)
                if is_authenticated(request.user)
                else None
            ),
        )
        from classmeet.courses.signals import assistant_added, enrollment_created
        from classmeet.notifications.receivers import (
            assistant_added_notify,
            enrollment_created_notify,
        )

        enrollment_created.connect(enrollment_created_notify, dispatch_uid="enrollment-notify")
        assistant_added.connect(assistant_added_notify, dispatch_uid="assistant-notify")
