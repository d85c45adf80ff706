from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "classmeet.meetings"
    label = "meetings"

    def ready(self) -> None:
        # The course page's meetings section, planned with the page's other sections.
        from classmeet.courses.sections import register_course_section

        from .templatetags.meeting_tags import course_meetings_plan

        register_course_section("meetings", course_meetings_plan)
