from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "classmeet.discussions"
    label = "discussions"

    def ready(self) -> None:
        # The course page's latest discussions, planned with the page's other sections.
        from classmeet.courses.sections import register_course_section

        from .templatetags.discussion_tags import course_discussions_plan

        register_course_section("discussions", course_discussions_plan)
