from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "classmeet.rooms"
    label = "rooms"

    def ready(self) -> None:
        from classmeet.courses.signals import assistant_removed, enrollment_removed
        from classmeet.rooms.receivers import (
            assistant_removed_close_sockets,
            enrollment_removed_close_sockets,
        )

        assistant_removed.connect(
            assistant_removed_close_sockets, dispatch_uid="assistant-close-sockets"
        )

        enrollment_removed.connect(
            enrollment_removed_close_sockets, dispatch_uid="enrollment-close-sockets"
        )
