from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "classmeet.recordings"
    label = "recordings"

    def ready(self) -> None:
        from classmeet.courses.sections import register_course_section

        # Room hooks: a joiner learns that the class is being recorded; the teacher's
        # socket gone past the reconnect grace stops the recording.
        from classmeet.recordings import room  # noqa: F401

        from .templatetags.recordings import course_recordings_plan

        # The course page's recordings panel, planned with the page's other sections.
        register_course_section("recordings", course_recordings_plan)
