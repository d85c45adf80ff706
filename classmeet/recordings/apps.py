from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "classmeet.recordings"
    label = "recordings"

    def ready(self) -> None:
        # Room hooks: a joiner learns that the class is being recorded; the teacher's
        # socket gone past the reconnect grace stops the recording.
        from classmeet.recordings import room  # noqa: F401
