from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "classmeet.rooms"
    label = "rooms"

    def ready(self) -> None:
        from classmeet.courses.signals import enrollment_removed
        from classmeet.rooms.receivers import enrollment_removed_close_sockets

        enrollment_removed.connect(
            enrollment_removed_close_sockets, dispatch_uid="enrollment-close-sockets"
        )
