from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "classmeet.courses"
    label = "courses"

    def ready(self) -> None:
        # The course page's own section; other apps register theirs (courses.sections).
        from .sections import register_course_section
        from .selectors import material_list_plan

        register_course_section("materials", lambda course, user: material_list_plan(course=course))
